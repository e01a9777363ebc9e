import { CopyButton } from '../../components/CopyButton';
import { ProblemBox } from '../../components/ProblemBox';
import { formatDuration } from '../../components/format';
import type { Operation } from '../../stores/emulators-store';
import { archId } from './ids';
import { OUTCOME_LABEL, OUTCOME_TONE } from './EmulatorTable';

const TITLE = { install: 'Install', uninstall: 'Uninstall', restore: 'Restore' } as const;

/** Live progress of an install/uninstall/restore, then the verdict per architecture. */
export function OperationPanel({ op, onCancel, onClose }: { op: Operation; onCancel?: () => void; onClose(): void }) {
  const pulls = Object.entries(op.pull);
  return (
    <div className="card emulators-operation" data-testid="emulators-operation" data-state={op.state} data-action={op.action}>
      <div className="row emulators-operation-head">
        <h2>
          {TITLE[op.action]} {op.architectures.join(', ')}
        </h2>
        <span className={`badge ${op.state === 'running' ? 'info' : op.state === 'done' ? 'ok' : 'err'}`}>{op.state}</span>
        <div className="actions">
          {op.state === 'running' && onCancel && (
            <button type="button" onClick={onCancel}>
              Cancel
            </button>
          )}
          {op.state !== 'running' && (
            <button type="button" onClick={onClose} data-testid="emulators-operation-close">
              Close
            </button>
          )}
        </div>
      </div>
      {op.command && (
        <div className="row emulators-command">
          <pre>{op.command}</pre>
          <CopyButton value={op.command} label="Copy command" />
        </div>
      )}
      {op.state === 'running' && <p className="muted">{op.phase}</p>}
      {pulls.length > 0 && (
        <pre className="emulators-pull" data-testid="emulators-pull">
          {pulls.map(([, text]) => text).join('\n')}
        </pre>
      )}
      {op.lines.length > 0 && (
        <pre className="emulators-log" data-testid="emulators-log">
          {op.lines.map((l, i) => (
            <div key={i} className={`log-${l.stream}`}>
              {l.text}
            </div>
          ))}
        </pre>
      )}
      {op.problem && <ProblemBox problem={op.problem} />}
      {op.result && (
        <>
          {op.result.fatal && <ProblemBox problem={{ code: 'INSTALLER_FAILED', message: `The installer failed: ${op.result.fatal}`, hint: 'It still exited 0; the verdicts below come from its output and from binfmt_misc read again.' }} />}
          <ul className="emulators-outcomes">
            {op.result.outcomes.map((o) => (
              <li key={o.architecture} data-testid={`emulators-result-${archId(o.architecture)}`} data-outcome={o.outcome}>
                <code>{o.architecture}</code> <span className={`badge ${OUTCOME_TONE[o.outcome]}`}>{OUTCOME_LABEL[o.outcome]}</span>{' '}
                {o.verified ? <span className="muted small">confirmed in binfmt_misc</span> : <span className="warn small">binfmt_misc does not agree</span>}
                <div className="muted small">{o.message}</div>
              </li>
            ))}
          </ul>
          <p className="muted small">
            {op.result.exitCode !== undefined
              ? `Installer exit code ${op.result.exitCode}: not used as the verdict (the installer exits 0 even when it fails). `
              : 'Nothing had to run. '}
            Took {formatDuration(op.result.durationMs)}.
          </p>
        </>
      )}
    </div>
  );
}
