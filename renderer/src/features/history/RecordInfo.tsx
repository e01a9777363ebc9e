import type { RecordDetail } from '../../../../shared/contract/records';
import { formatDateTime, formatDuration } from '../../components/format';

/** What a builder record (or an imported one) says of its build: where, how long, and where it failed. */
export function RecordInfo({ record }: { record: RecordDetail }) {
  const error = record.error;
  return (
    <div className="card record-info" data-testid="record-info" data-source={record.source} data-state={record.status}>
      <p className="row">
        <span className="badge info">{record.source === 'imported' ? 'imported record' : record.appBuildId ? 'builder record of this app’s build' : 'builder record'}</span>
        <strong>{record.name || record.id}</strong>
        <span className="muted">
          {record.createdAt && formatDateTime(record.createdAt)}
          {record.durationMs !== undefined && ` · ${formatDuration(record.durationMs)}`} · {record.steps.completed}/{record.steps.total} steps
          {record.steps.cached ? `, ${record.steps.cached} cached` : ''}
        </span>
      </p>
      <p className="muted small" data-testid="record-platforms">
        {record.platforms.length ? record.platforms.join(', ') : 'platforms not recorded'}
        {record.context && (
          <>
            {' · '}
            <code>{record.context}</code>
            {record.dockerfile && record.dockerfile !== 'Dockerfile' ? <code> ({record.dockerfile})</code> : null}
          </>
        )}
        {record.file && (
          <>
            {' · from '}
            <code>{record.file}</code>
          </>
        )}
      </p>
      {error && (
        <div className="problem error" role="alert" data-testid="record-error" data-platform={error.platform ?? ''}>
          <p className="problem-message">
            The build failed{error.platform ? ` on ${error.platform}` : ''}
            {error.step ? (
              <>
                {' '}
                at <code>{error.step}</code>
              </>
            ) : null}
            : {error.message}
          </p>
          {error.source && (
            <pre className="last-lines" data-testid="record-source" data-line={error.source.line}>
              {`${error.source.file}:${error.source.line}\n`}
              {error.source.lines.map((l) => `${l.marked ? '>>>' : '   '} ${String(l.number).padStart(3)} | ${l.text}`).join('\n')}
            </pre>
          )}
          {error.logs.length > 0 && <pre className="last-lines">{error.logs.join('\n')}</pre>}
        </div>
      )}
      {record.logsNote && <p className="muted small">{record.logsNote}</p>}
      {record.command && (
        <p className="muted small">
          Log: <code>{record.command}</code>
        </p>
      )}
    </div>
  );
}
