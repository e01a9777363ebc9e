import type { MultiPlatformCheck } from '../../../../shared/contract/builders';
import { CopyButton } from '../../components/CopyButton';

const TONE = { yes: 'ok', no: 'err', limited: 'warn', unknown: 'info' } as const;

/** Plain answer to "can the selected builder build several platforms in one go?", and the fix. */
export function MultiPlatformCard({ check, busy, onFix }: { check: MultiPlatformCheck; busy: boolean; onFix(): void }) {
  return (
    <section className="card builder-check" data-testid="builders-multiplatform" data-verdict={check.verdict} data-builder={check.builder}>
      <h2>
        Multi-platform builds with “{check.builder}” <span className={`badge ${TONE[check.verdict]}`}>{check.verdict}</span>
      </h2>
      <p data-testid="builders-multiplatform-summary">{check.summary}</p>
      {check.details.map((d) => (
        <p key={d} className="muted">
          {d}
        </p>
      ))}
      {check.fix && (
        <div className="builder-fix">
          <button type="button" className="primary" onClick={onFix} disabled={busy} data-testid="builders-fix">
            Create and use “{check.fix.name}” (docker-container)
          </button>
          <div className="row">
            <code>{check.fix.command}</code>
            <CopyButton value={check.fix.command} label="Copy command" />
          </div>
        </div>
      )}
    </section>
  );
}
