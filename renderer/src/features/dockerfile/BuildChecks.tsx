import type { BuildChecksReport } from '../../../../shared/contract/dockerfile';
import type { BuildCheck } from '../../../../shared/domain/buildx/check-output';
import type { Problem } from '../../stores/problem';

/** A BuildKit rule's name, linked to its documentation (opens in the browser). */
function RuleLink({ check }: { check: BuildCheck }) {
  const name = <code data-testid="dockerfile-buildkit-check">{check.ruleName}</code>;
  return check.url ? (
    <a href={check.url} target="_blank" rel="noreferrer" data-testid="dockerfile-buildkit-check-link">
      {name}
    </a>
  ) : (
    name
  );
}

/** Under one of the app's findings: BuildKit found the same thing there. */
export function AlsoByBuildKit({ checks }: { checks: BuildCheck[] }) {
  if (checks.length === 0) return null;
  return (
    <p className="advice-buildkit" data-testid="dockerfile-finding-buildkit">
      <strong>Also found by BuildKit’s checks: </strong>
      {checks.map((c, i) => (
        <span key={i}>
          {i > 0 && '; '}
          <RuleLink check={c} /> {c.detail}
        </span>
      ))}
    </p>
  );
}

/** A result of BuildKit's checks that none of the app's findings covers. */
export function CheckItem({ check, source }: { check: BuildCheck; source: BuildChecksReport['sourceLines'] }) {
  const last = check.line === undefined ? -1 : Math.min(check.endLine ?? check.line, check.line + 5);
  const excerpt = source.filter((s) => check.line !== undefined && s.line >= check.line && s.line <= last);
  return (
    <li className="advice-finding warning" data-testid="dockerfile-finding" data-source="buildkit" data-rule={check.ruleName} data-line={check.line} data-severity="warning">
      <div className="row nowrap">
        <span className="badge warn">warning</span>
        <span className="advice-line">{check.line ? `Line ${check.line}` : 'Dockerfile'}</span>
        <span className="grow">{check.detail}</span>
      </div>
      {excerpt.length > 0 && (
        <pre className="advice-excerpt">
          {excerpt.map((s) => (
            <span key={s.line} className="advice-excerpt-line">
              <span className="advice-gutter">{s.line}</span>
              {s.text}
              {'\n'}
            </span>
          ))}
        </pre>
      )}
      <p className="advice-why">{check.description}</p>
      <p className="muted advice-rule">
        BuildKit check <RuleLink check={check} /> · silence it with <code># check=skip={check.ruleName}</code> at the top of the Dockerfile
      </p>
    </li>
  );
}

/** Whether BuildKit's checks are in the list, and if not, why. */
export function ChecksStatus({
  checking,
  report,
  problem,
  current,
  merged,
}: {
  checking: boolean;
  report: BuildChecksReport | undefined;
  problem: Problem | undefined;
  /** The report is about the text the page shows. */
  current: boolean;
  /** Results that joined one of the app's findings. */
  merged: number;
}) {
  const state = checking ? 'checking' : problem ? 'failed' : !report ? 'idle' : report.state === 'done' && !current ? 'stale' : report.state;
  const where = report ? [report.builder && `builder ${report.builder}`, report.buildxVersion && `buildx ${report.buildxVersion}`].filter(Boolean).join(', ') : '';
  return (
    <p className="muted advice-checks-status" data-testid="dockerfile-buildkit-checks" data-state={state} data-code={problem?.code ?? report?.problem?.code}>
      {state === 'checking' && 'BuildKit’s own checks are running…'}
      {state === 'stale' && 'The file changed since BuildKit checked it: Check again to see its results for this text.'}
      {state === 'failed' && problem && `BuildKit’s checks did not run: ${problem.message} `}
      {report?.problem && state !== 'checking' && (
        <>
          <span className={report.state === 'failed' ? 'warn' : undefined}>{report.problem.message}</span> {report.problem.hint}{' '}
        </>
      )}
      {state === 'done' && report && (
        <>
          BuildKit’s checks{where && ` (${where})`}: {report.checks.length === 0 ? 'nothing found' : `${report.checks.length} result${report.checks.length === 1 ? '' : 's'}, ${merged} the same as the app’s findings and shown with them`}.{' '}
          {report.buildError && (
            <span className="warn" data-testid="dockerfile-buildkit-stopped">
              BuildKit stopped{report.buildError.line ? ` at line ${report.buildError.line}` : ''}: {report.buildError.message}; checks past it are missing.{' '}
            </span>
          )}
        </>
      )}
      {report && state !== 'checking' && (
        <>
          Command: <code>{report.command}</code>
        </>
      )}
    </p>
  );
}
