import type { BuilderLogs, InspectResult } from '../../../../shared/contract/builders';
import { CopyButton } from '../../components/CopyButton';
import { CommandRuns } from '../../components/CommandRuns';
import { Modal } from '../../components/Modal';

/** The raw `buildx inspect` text, or the BuildKit container's log. */
export function DetailsDialog({ inspected, logs, onClose }: { inspected?: InspectResult; logs?: BuilderLogs; onClose(): void }) {
  const title = logs ? `Log of ${logs.container}` : `buildx inspect ${inspected?.builder.name ?? ''}`;
  return (
    <Modal title={title} className="builder-details" testId={logs ? 'builder-logs' : 'builder-inspect'} onClose={onClose}>
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
          {/* The command only: its output is the text below. */}
          <CommandRuns outputs={false} commands={inspected.commands.filter((c) => c.command.includes(`inspect`) && c.command.includes(inspected.builder.name))} />
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
    </Modal>
  );
}
