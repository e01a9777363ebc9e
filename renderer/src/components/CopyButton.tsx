import { useState } from 'react';

/** Copies a value; says so for a moment. Falls back to selecting text where the clipboard is not allowed. */
export function CopyButton({ value, label = 'Copy' }: { value: string; label?: string }) {
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
  return (
    <button type="button" className="copy" onClick={() => void copy()} title={`${label}: ${value}`} aria-label={`${label} ${value}`} data-state={done}>
      {done === 'copied' ? '✓' : done === 'failed' ? '✗' : '⧉'}
    </button>
  );
}
