import { useEffect, useRef } from 'react';
import { ariaKeyShortcuts, findShortcut, matchesChord, shortcutTitle, worksWhileTyping, type KeyPlatform, type ShortcutId } from '../../../shared/ui/keymap';

/**
 * The renderer's side of the keymap: components register what a shortcut does while they are
 * mounted (the latest registration wins), and one key listener dispatches to them. The desktop
 * menu's items reach the same handlers through `runShortcut`.
 */
const handlers = new Map<ShortcutId, Array<{ current: () => void }>>();

export function keyPlatform(nav: Pick<Navigator, 'platform' | 'userAgent'> = navigator): KeyPlatform {
  return /Mac|iPhone|iPad/.test(nav.platform || nav.userAgent) ? 'mac' : 'other';
}

/** Runs what a shortcut does now; false when nothing on screen offers it. */
export function runShortcut(id: ShortcutId): boolean {
  const stack = handlers.get(id);
  const top = stack?.[stack.length - 1];
  if (!top) return false;
  top.current();
  return true;
}

type Runs = Partial<Record<ShortcutId, (() => void) | undefined>>;

/**
 * Registers what shortcuts do while the component is mounted; a shortcut given `undefined` is not
 * offered now (its key then passes through).
 */
export function useShortcuts(runs: Runs): void {
  const latest = useRef(runs);
  useEffect(() => {
    latest.current = runs;
  });
  const active = (Object.keys(runs) as ShortcutId[]).filter((id) => runs[id] !== undefined).join(' ');
  useEffect(() => {
    if (!active) return;
    const entries = (active.split(' ') as ShortcutId[]).map((id) => {
      const entry = { current: () => latest.current[id]?.() };
      const stack = handlers.get(id) ?? [];
      stack.push(entry);
      handlers.set(id, stack);
      return { stack, entry };
    });
    return () => {
      for (const { stack, entry } of entries) stack.splice(stack.indexOf(entry), 1);
    };
  }, [active]);
}

export function useShortcut(id: ShortcutId, run: (() => void) | undefined): void {
  useShortcuts({ [id]: run });
}

/** title and aria-keyshortcuts for the control a shortcut stands for. */
export function shortcutProps(id: ShortcutId, text: string, platform: KeyPlatform = keyPlatform()) {
  return { title: shortcutTitle(text, id, platform), 'aria-keyshortcuts': ariaKeyShortcuts(id, platform) };
}

/** A field that takes typed text (the read-only terminal's hidden textarea does not count). */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement) return !target.classList.contains('xterm-helper-textarea');
  if (target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].includes(target.type);
  return false;
}

/**
 * Listens in the capture phase, so the terminal (which takes the keys it is given) and the fields
 * never see a shortcut; keys with no handler on screen pass through untouched. While a dialog is
 * open the page's shortcuts are off: the dialog owns the keyboard.
 */
export function installShortcuts(win: Window, platform: KeyPlatform = keyPlatform(win.navigator)): () => void {
  const onKey = (e: KeyboardEvent) => {
    if (e.defaultPrevented || e.isComposing) return;
    const found = findShortcut(e, platform);
    if (!found) return;
    const spec = found.keys.find((k) => matchesChord(k, e, platform))!;
    if (!worksWhileTyping(spec) && isTyping(e.target)) return;
    if (win.document.querySelector('[aria-modal="true"]')) return;
    if (!runShortcut(found.id)) return;
    e.preventDefault();
    e.stopPropagation();
  };
  win.addEventListener('keydown', onKey, true);
  return () => win.removeEventListener('keydown', onKey, true);
}
