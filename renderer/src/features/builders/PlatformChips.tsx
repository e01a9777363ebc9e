import type { BuilderNode } from '../../../../shared/contract/builders';

const LABEL = { native: 'native', emulated: 'emulated', unavailable: 'unavailable' } as const;
/** A mark beside the colour, so the kind reads without it. */
const MARK = { native: '✓', emulated: 'QEMU', unavailable: '✗' } as const;

/** One chip per platform: native, under an emulator, or not usable (with why, on hover). */
export function PlatformChips({ support }: { support: BuilderNode['support'] }) {
  if (support.platforms.length === 0) return <span className="muted">none listed</span>;
  return (
    <ul className="platform-chips">
      {support.platforms.map((p) => (
        <li
          key={p.platform}
          className={`platform-chip ${p.support}${p.listed ? '' : ' unlisted'}`}
          data-testid="builder-platform"
          data-platform={p.platform}
          data-support={p.support}
          data-reason={p.reason}
          title={`${p.platform}: ${LABEL[p.support]}${p.note ? ` — ${p.note}` : ''}`}
        >
          {p.platform}
          <span className="platform-chip-kind" aria-hidden>
            {MARK[p.support]}
          </span>
          <span className="sr-only"> ({LABEL[p.support]})</span>
        </li>
      ))}
    </ul>
  );
}
