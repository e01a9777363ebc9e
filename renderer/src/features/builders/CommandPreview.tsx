import { CopyButton } from '../../components/CopyButton';

/** The buildx command a dialog would run, live and copyable. */
export function CommandPreview({ command, testId }: { command: string; testId: string }) {
  return (
    <div className="builder-preview">
      <span className="muted">Equivalent command</span>
      <div className="row">
        <code data-testid={testId}>{command}</code>
        <CopyButton value={command} label="Copy command" />
      </div>
    </div>
  );
}
