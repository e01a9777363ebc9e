import type { BuilderLogs, InspectResult } from '../../../../shared/contract/builders';
import { CopyButton } from '../../components/CopyButton';
import { CommandRuns } from './CommandRuns';
import { useEscape } from '../../hooks/use-escape';

/** The raw `buildx inspect` text, or the BuildKit container's log. */
export function DetailsDialog({ inspected, logs, onClose }: { inspected?: InspectResult; logs?: BuilderLogs; onClose(): void }) {
  const title = logs ? `Log of ${logs.container}` : `buildx inspect ${inspected?.builder.name ?? ''}`;
  useEscape(onClose);
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal builder-details" role="dialog" aria-label={title} data-testid={logs ? 'builder-logs' : 'builder-inspect'} onClick={(e) => e.stopPropagation()}>
        <h2>{title}</h2>
        {logs && (
          <>
            <div className="row">
              <code>$ {logs.command}</code>
              <CopyButton value={logs.command} label="Copy command" />
              {logs.truncated && <span className="muted">(last 512 KiB)</span>}
            </div>
            <pre className="builder-output tall" data-testid="builder-logs-text">
              {logs.text || '(empty)'}
            </pre>
          </>
        )}
        {inspected && (
          <>
            <CommandRuns commands={inspected.commands.filter((c) => c.command.includes(`inspect`) && c.command.includes(inspected.builder.name))} />
            <pre className="builder-output tall" data-testid="builder-inspect-text">
              {inspected.text}
            </pre>
          </>
        )}
        <div className="actions">
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
