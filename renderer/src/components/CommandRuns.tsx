import type { CommandRun } from '../../../shared/contract/builders';
import { CopyButton } from './CopyButton';
import { formatDuration } from './format';

/** The commands an action ran, copyable, with their output when one failed (or on request, unless `outputs` is false). */
export function CommandRuns({ commands, testId, outputs = true }: { commands: CommandRun[]; testId?: string; outputs?: boolean }) {
  if (commands.length === 0) return null;
  return (
    <ol className="builder-commands" data-testid={testId}>
      {commands.map((c, i) => (
        <li key={`${i}-${c.command}`} data-exit={c.exitCode}>
          <div className="row">
            <code className="builder-command" data-testid="builder-command">
              $ {c.command}
            </code>
            <CopyButton value={c.command} label="Copy command" />
            <span className={c.exitCode === 0 ? 'badge ok' : 'badge err'}>{c.exitCode === 0 ? 'ok' : `exit ${c.exitCode}`}</span>
            <span className="muted">{formatDuration(c.durationMs)}</span>
          </div>
          {outputs &&
            c.output &&
            (c.exitCode !== 0 ? (
              <pre className="builder-output" data-testid="builder-command-output">
                {c.output}
              </pre>
            ) : (
              <details>
                <summary className="muted">output</summary>
                <pre className="builder-output">{c.output}</pre>
              </details>
            ))}
        </li>
      ))}
    </ol>
  );
}
