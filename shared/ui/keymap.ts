import { PAGE_IDS, PAGE_LABELS, type PageId } from './pages';

/**
 * THE keymap: every shortcut of the app, once. The renderer's key handler, the tooltips
 * (title / aria-keyshortcuts), the Help list and the desktop menu's accelerators are all derived
 * from it, so they cannot disagree.
 *
 * A key is written `Mod+Shift+K`: `Mod` is Cmd on macOS and Ctrl elsewhere; the last part is a
 * printable character (lower case) or a key name (`Enter`, `F1`…). The first key of a shortcut is
 * the one shown; the others are alternatives.
 */
export type ShortcutId = `page.${PageId}` | 'build.openContext' | 'build.start' | 'build.cancel' | 'build.copyCommand' | 'log.search' | 'log.next' | 'log.previous' | 'help.shortcuts';

export interface Shortcut {
  id: ShortcutId;
  label: string;
  group: 'Pages' | 'Build' | 'Build log' | 'Help';
  keys: readonly string[];
}

export type KeyPlatform = 'mac' | 'other';

export const SHORTCUTS: readonly Shortcut[] = [
  ...PAGE_IDS.map((page, i): Shortcut => ({ id: `page.${page}`, label: `Go to ${PAGE_LABELS[page]}`, group: 'Pages', keys: [`Mod+${i + 1}`] })),
  { id: 'build.openContext', label: 'Open a build context folder…', group: 'Build', keys: ['Mod+o'] },
  { id: 'build.start', label: 'Start the build', group: 'Build', keys: ['Mod+Enter'] },
  // Cmd+. is the macOS "stop"; Escape is left to dialogs, so a stray press never cancels a build.
  { id: 'build.cancel', label: 'Cancel the running build', group: 'Build', keys: ['Mod+.'] },
  { id: 'build.copyCommand', label: 'Copy the build command', group: 'Build', keys: ['Mod+Shift+c'] },
  { id: 'log.search', label: 'Search the build log', group: 'Build log', keys: ['Mod+f'] },
  { id: 'log.next', label: 'Next match', group: 'Build log', keys: ['F3', 'Mod+g'] },
  { id: 'log.previous', label: 'Previous match', group: 'Build log', keys: ['Shift+F3', 'Mod+Shift+g'] },
  { id: 'help.shortcuts', label: 'Show keyboard shortcuts', group: 'Help', keys: ['F1', 'Mod+/', '?'] },
];

export function isShortcutId(value: unknown): value is ShortcutId {
  return SHORTCUTS.some((s) => s.id === value);
}

export function shortcut(id: ShortcutId): Shortcut {
  const found = SHORTCUTS.find((s) => s.id === id);
  if (!found) throw new Error(`no shortcut ${id}`);
  return found;
}

interface Chord {
  mod: boolean;
  shift: boolean;
  alt: boolean;
  key: string;
}

export function parseChord(spec: string): Chord {
  const parts = spec.split('+');
  const key = parts.pop();
  if (!key || parts.some((p) => !['Mod', 'Shift', 'Alt'].includes(p))) throw new Error(`bad key "${spec}"`);
  return { mod: parts.includes('Mod'), shift: parts.includes('Shift'), alt: parts.includes('Alt'), key };
}

/** What the handler needs of a keyboard event (a DOM KeyboardEvent fits). */
export interface KeyPress {
  key: string;
  code?: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

const isPrintable = (key: string) => key.length === 1;
const isLetter = (key: string) => /^[a-z]$/.test(key);

/**
 * Whether a key press is this chord. Letters and digits are also recognised by their physical key,
 * so shortcuts work on non-Latin layouts; for punctuation Shift is not compared, since layouts
 * differ in which characters need it (`?` is Shift+/ on one, a key of its own on another).
 */
export function matchesChord(spec: string, press: KeyPress, platform: KeyPlatform): boolean {
  const chord = parseChord(spec);
  const mod = platform === 'mac' ? press.metaKey : press.ctrlKey;
  const otherMod = platform === 'mac' ? press.ctrlKey : press.metaKey;
  if (mod !== chord.mod || otherMod || press.altKey !== chord.alt) return false;
  const punctuation = isPrintable(chord.key) && !isLetter(chord.key) && !/^\d$/.test(chord.key);
  if (!punctuation && press.shiftKey !== chord.shift) return false;
  if (isLetter(chord.key)) return press.key.toLowerCase() === chord.key || press.code === `Key${chord.key.toUpperCase()}`;
  if (/^\d$/.test(chord.key)) return press.key === chord.key || press.code === `Digit${chord.key}`;
  return press.key === chord.key;
}

/** The shortcut a key press stands for, if any. */
export function findShortcut(press: KeyPress, platform: KeyPlatform): Shortcut | undefined {
  return SHORTCUTS.find((s) => s.keys.some((k) => matchesChord(k, press, platform)));
}

/**
 * A bare character (`?`) would steal typing, so it works only outside text fields; chords with a
 * modifier and function keys work everywhere.
 */
export function worksWhileTyping(spec: string): boolean {
  const chord = parseChord(spec);
  return chord.mod || chord.alt || !isPrintable(chord.key);
}

const KEY_NAMES: Record<string, { aria: string; mac: string; other: string; accelerator: string }> = {
  Enter: { aria: 'Enter', mac: '↩', other: 'Enter', accelerator: 'Enter' },
};

/** As people read it: `Ctrl+Shift+C` / `⇧⌘C`. */
export function keyLabel(spec: string, platform: KeyPlatform): string {
  const chord = parseChord(spec);
  const name = KEY_NAMES[chord.key]?.[platform] ?? chord.key.toUpperCase();
  if (platform === 'mac') return `${chord.alt ? '⌥' : ''}${chord.shift ? '⇧' : ''}${chord.mod ? '⌘' : ''}${name}`;
  return [chord.mod && 'Ctrl', chord.alt && 'Alt', chord.shift && 'Shift', name].filter(Boolean).join('+');
}

/** The `aria-keyshortcuts` value: every alternative, in the ARIA spelling. */
export function ariaKeyShortcuts(id: ShortcutId, platform: KeyPlatform): string {
  return shortcut(id)
    .keys.map((spec) => {
      const chord = parseChord(spec);
      const key = KEY_NAMES[chord.key]?.aria ?? (isLetter(chord.key) ? chord.key.toUpperCase() : chord.key);
      return [chord.mod && (platform === 'mac' ? 'Meta' : 'Control'), chord.alt && 'Alt', chord.shift && 'Shift', key].filter(Boolean).join('+');
    })
    .join(' ');
}

/** A tooltip: what the control does and its first key. */
export function shortcutTitle(text: string, id: ShortcutId, platform: KeyPlatform): string {
  return `${text} (${keyLabel(shortcut(id).keys[0]!, platform)})`;
}

/** The desktop menu's accelerator for a shortcut's first key. */
export function accelerator(id: ShortcutId): string {
  const chord = parseChord(shortcut(id).keys[0]!);
  const key = KEY_NAMES[chord.key]?.accelerator ?? (isLetter(chord.key) ? chord.key.toUpperCase() : chord.key);
  return [chord.mod && 'CmdOrCtrl', chord.alt && 'Alt', chord.shift && 'Shift', key].filter(Boolean).join('+');
}
