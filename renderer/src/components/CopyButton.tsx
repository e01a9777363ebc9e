import { useState } from 'react';
import type { ShortcutId } from '../../../shared/ui/keymap';
import { shortcutProps, useShortcuts } from '../app/shortcuts';

/**
 * Copies a value; says so for a moment. Falls back to selecting text where the clipboard is not
 * allowed. With `shortcut`, that key copies it too while the button is shown.
 */
export function CopyButton({ value, label = 'Copy', shortcut }: { value: string; label?: string; shortcut?: ShortcutId }) {
  const [done, setDone] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setDone('copied');
    } catch {
      setDone('failed');
    }
    setTimeout(() => setDone('idle'), 1500);
  };
  useShortcuts(shortcut ? { [shortcut]: () => void copy() } : {});
  const keys = shortcut ? shortcutProps(shortcut, label) : { title: label };
  return (
    <button type="button" className="copy" onClick={() => void copy()} {...keys} title={`${keys.title}: ${value}`} aria-label={`${label} ${value}`} data-state={done}>
      {done === 'copied' ? '✓' : done === 'failed' ? '✗' : <CopyIcon />}
    </button>
  );
}

function CopyIcon() {
  return (
    <svg width="12" height="12" viewBox="0 0 16 16" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="1.5">
      <rect x="5.5" y="5.5" width="8" height="8" rx="1.5" />
      <path d="M10.5 3.5v-1a1 1 0 0 0-1-1h-6a1 1 0 0 0-1 1v6a1 1 0 0 0 1 1h1" />
    </svg>
  );
}
