import { describe, expect, it } from 'vitest';
import { accelerator, ariaKeyShortcuts, findShortcut, keyLabel, matchesChord, SHORTCUTS, shortcutTitle, worksWhileTyping, type KeyPress } from './keymap';

const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({ key, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods });

describe('the keymap', () => {
  it('gives every page a Mod+digit in sidebar order, Ctrl on Linux/Windows and Cmd on macOS', () => {
    expect(findShortcut(press('1', { ctrlKey: true }), 'other')?.id).toBe('page.engine');
    expect(findShortcut(press('4', { ctrlKey: true }), 'other')?.id).toBe('page.build');
    expect(findShortcut(press('6', { metaKey: true }), 'mac')?.id).toBe('page.history');
    // the other platform's modifier is not Mod
    expect(findShortcut(press('1', { metaKey: true }), 'other')).toBeUndefined();
    expect(findShortcut(press('1', { ctrlKey: true }), 'mac')).toBeUndefined();
    // both modifiers at once is neither
    expect(findShortcut(press('1', { ctrlKey: true, metaKey: true }), 'other')).toBeUndefined();
  });

  it('tells Shift apart for letters and function keys', () => {
    expect(findShortcut(press('F3'), 'other')?.id).toBe('log.next');
    expect(findShortcut(press('F3', { shiftKey: true }), 'other')?.id).toBe('log.previous');
    expect(findShortcut(press('g', { ctrlKey: true }), 'other')?.id).toBe('log.next');
    expect(findShortcut(press('G', { ctrlKey: true, shiftKey: true }), 'other')?.id).toBe('log.previous');
    expect(findShortcut(press('C', { ctrlKey: true, shiftKey: true }), 'other')?.id).toBe('build.copyCommand');
    // plain Ctrl+C stays the clipboard's
    expect(findShortcut(press('c', { ctrlKey: true }), 'other')).toBeUndefined();
  });

  it('recognises letters and digits by their physical key on other layouts, and punctuation whatever Shift it needs', () => {
    expect(findShortcut(press('а', { ctrlKey: true, code: 'KeyF' }), 'other')?.id).toBe('log.search'); // Cyrillic layout
    expect(findShortcut(press('&', { ctrlKey: true, code: 'Digit1' }), 'other')?.id).toBe('page.engine'); // AZERTY
    expect(findShortcut(press('?', { shiftKey: true }), 'other')?.id).toBe('help.shortcuts');
    expect(findShortcut(press('/', { ctrlKey: true, shiftKey: true, code: 'Digit7' }), 'other')?.id).toBe('help.shortcuts'); // German: Shift+7
    expect(matchesChord('Mod+.', press('.', { metaKey: true }), 'mac')).toBe(true);
    expect(matchesChord('Mod+.', press('.', { metaKey: true, altKey: true }), 'mac')).toBe(false);
  });

  it('has no key bound twice, and leaves the Edit and View menus their standard keys', () => {
    const standard = ['Mod+c', 'Mod+v', 'Mod+x', 'Mod+z', 'Mod+Shift+z', 'Mod+a', 'Mod+r', 'Mod+Shift+r', 'Mod+0', 'Mod+=', 'Mod+-', 'F11', 'Mod+q', 'Mod+w'];
    const all = SHORTCUTS.flatMap((s) => s.keys.map((k) => k.toLowerCase()));
    expect(new Set(all).size).toBe(all.length);
    for (const key of standard) expect(all, key).not.toContain(key.toLowerCase());
  });

  it('keeps bare characters out of text fields, and chords and function keys everywhere', () => {
    expect(worksWhileTyping('?')).toBe(false);
    expect(worksWhileTyping('F1')).toBe(true);
    expect(worksWhileTyping('Mod+Enter')).toBe(true);
  });

  it('spells each key for people, for ARIA and for the menu', () => {
    expect(keyLabel('Mod+Shift+c', 'other')).toBe('Ctrl+Shift+C');
    expect(keyLabel('Mod+Shift+c', 'mac')).toBe('⇧⌘C');
    expect(keyLabel('Mod+Enter', 'mac')).toBe('⌘↩');
    expect(shortcutTitle('Cancel', 'build.cancel', 'other')).toBe('Cancel (Ctrl+.)');
    expect(ariaKeyShortcuts('log.previous', 'other')).toBe('Shift+F3 Control+Shift+G');
    expect(ariaKeyShortcuts('help.shortcuts', 'mac')).toBe('F1 Meta+/ ?');
    expect(accelerator('build.start')).toBe('CmdOrCtrl+Enter');
    expect(accelerator('page.results')).toBe('CmdOrCtrl+5');
    expect(accelerator('build.copyCommand')).toBe('CmdOrCtrl+Shift+C');
  });
});
