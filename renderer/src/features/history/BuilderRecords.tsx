import { useCallback, useEffect, useState } from 'react';
import type { RecordList, RecordSummary } from '../../../../shared/contract/records';
import { endpointError } from '../../../../shared/contract/endpoint-errors';
import { api } from '../../api';
import { formatDateTime, formatDuration } from '../../components/format';
import { ProblemBox } from '../../components/ProblemBox';
import { useBuildStore } from '../../stores/build-store';
import { toProblem, type Problem } from '../../stores/problem';
import { usePathPicker } from '../build/use-path-picker';

const BADGE: Record<RecordSummary['status'], string> = { completed: 'ok', failed: 'err', running: 'info', canceled: 'warn' };
const WORD: Record<RecordSummary['status'], string> = { completed: 'succeeded', failed: 'failed', running: 'running', canceled: 'cancelled' };

const origin = (r: RecordSummary) => (r.source === 'imported' ? 'imported' : r.appBuildId ? 'this app' : 'outside the app');

/** The export of one record: destination typed (or chosen), replaced only after the user confirms. */
function ExportRecord({ record, onDone }: { record: RecordSummary; onDone: (message: string) => void }) {
  const [dest, setDest] = useState('');
  const [replace, setReplace] = useState<string | undefined>();
  const [problem, setProblem] = useState<Problem | undefined>();
  const [busy, setBusy] = useState(false);
  const save = async (overwrite: boolean) => {
    setBusy(true);
    try {
      const done = await api().records.export({ ref: record.ref, dest: dest.trim(), ...(overwrite ? { overwrite } : {}) });
      onDone(`Exported to ${done.path} (${Math.max(1, Math.round(done.bytes / 1024))} KiB): ${done.command}`);
    } catch (error) {
      if (endpointError('records.export', error, 'FILE_EXISTS')) setReplace(dest.trim());
      else setProblem(toProblem(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="row record-export"
      data-testid={`record-export-form-${record.id}`}
      onSubmit={(e) => {
        e.preventDefault();
        setProblem(undefined);
        setReplace(undefined);
        void save(false);
      }}
    >
      <label>
        Save as{' '}
        <input type="text" className="mono" value={dest} placeholder="/path/to/build.dockerbuild" onChange={(e) => setDest(e.target.value)} data-testid={`record-export-dest-${record.id}`} aria-label="Export to file" />
      </label>
      <button type="submit" disabled={busy || !dest.trim()}>
        Export
      </button>
      {replace === dest.trim() && (
        <button type="button" className="danger" data-testid={`record-export-replace-${record.id}`} disabled={busy} onClick={() => void save(true)}>
          Replace the existing file?
        </button>
      )}
      {problem && <ProblemBox problem={problem} />}
    </form>
  );
}

/**
 * Records the builder keeps of every build (`docker buildx history`): terminal builds, other tools, and this app's,
 * plus records imported from `.dockerbuild` files. Its own list: a failure here leaves the app's History alone.
 */
export function BuilderRecords() {
  const [list, setList] = useState<RecordList | undefined>();
  const [problem, setProblem] = useState<Problem | undefined>();
  const [file, setFile] = useState('');
  const [note, setNote] = useState<string | undefined>();
  const [exporting, setExporting] = useState<string | undefined>();
  const [showOwn, setShowOwn] = useState(false);
  const openRecord = useBuildStore((s) => s.openRecord);
  const viewId = useBuildStore((s) => s.view?.id);
  const picker = usePathPicker();

  const refresh = useCallback(() => {
    api()
      .records.list({})
      .then(
        (l) => {
          setList(l);
          setProblem(undefined);
        },
        (error: unknown) => setProblem(toProblem(error)),
      );
  }, []);
  useEffect(() => refresh(), [refresh]);

  const importFile = async () => {
    setNote(undefined);
    try {
      const done = await api().records.import({ file: file.trim() });
      setNote(`Imported ${done.records.length} record${done.records.length === 1 ? '' : 's'} from ${file.trim()}.`);
      setProblem(undefined);
      refresh();
    } catch (error) {
      setProblem(toProblem(error));
    }
  };
  const browse = async () => {
    const path = await picker.pick({ kind: 'file', title: 'Import a build record (.dockerbuild)' });
    if (path) setFile(path);
  };

  const shown = list?.records.filter((r) => showOwn || !r.appBuildId) ?? [];
  const own = (list?.records.length ?? 0) - (list?.records.filter((r) => !r.appBuildId).length ?? 0);
  return (
    <section className="card builder-records" data-testid="builder-records" data-state={list ? (list.available ? 'loaded' : 'unavailable') : 'loading'} aria-labelledby="builder-records-title">
      <header className="row">
        <h2 id="builder-records-title">Builder records</h2>
        <span className="muted small">
          builds the builder{list?.builder ? ` ${list.builder}` : ''} recorded itself: terminal builds, other tools{list?.buildxVersion ? ` (buildx ${list.buildxVersion})` : ''}
        </span>
        <span className="spacer" />
        <button type="button" onClick={refresh} data-testid="builder-records-refresh">
          Refresh
        </button>
      </header>
      {list && !list.available && (
        <p className="muted" data-testid="builder-records-reason">
          {list.reason}
        </p>
      )}
      {list?.problem && <ProblemBox tone="warning" problem={{ code: 'RECORDS_UNAVAILABLE', ...list.problem }} />}
      {problem && <ProblemBox problem={problem} />}
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void importFile();
        }}
      >
        <label>
          Import a <code>.dockerbuild</code> file{' '}
          <input type="text" className="mono" value={file} placeholder="/path/to/record.dockerbuild" onChange={(e) => setFile(e.target.value)} data-testid="record-import-file" aria-label="Build record file to import" />
        </label>
        {picker.native && (
          <button type="button" onClick={() => void browse()}>
            Browse…
          </button>
        )}
        <button type="submit" disabled={!file.trim()} data-testid="record-import">
          Import
        </button>
        {own > 0 && (
          <label className="muted small">
            <input type="checkbox" checked={showOwn} onChange={(e) => setShowOwn(e.target.checked)} /> also this app’s builds ({own})
          </label>
        )}
      </form>
      {note && (
        <p className="muted small" role="status" data-testid="builder-records-note">
          {note}
        </p>
      )}
      {list && shown.length === 0 && <p className="muted">No records{list.available ? ' made outside the app' : ''} yet.</p>}
      {shown.length > 0 && (
        <table className="history-table">
          <thead>
            <tr>
              <th>Made</th>
              <th>Status</th>
              <th>Name</th>
              <th>Started</th>
              <th>Duration</th>
              <th>Steps</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.key} data-testid={`record-row-${r.id}`} data-state={r.status} data-source={r.source} className={viewId === r.key ? 'selected' : undefined}>
                <td>
                  <span className="badge">{origin(r)}</span>
                </td>
                <td>
                  <span className={`badge ${BADGE[r.status]}`}>{WORD[r.status]}</span>
                </td>
                <td className="mono small">
                  {r.name || <span className="muted">{r.id}</span>}
                  {r.platforms?.length ? <div className="muted">{r.platforms.join(', ')}</div> : null}
                </td>
                <td>{formatDateTime(r.createdAt)}</td>
                <td>{r.durationMs !== undefined ? formatDuration(r.durationMs) : ''}</td>
                <td className="small">
                  {r.steps.completed}/{r.steps.total}
                  {r.steps.cached ? `, ${r.steps.cached} cached` : ''}
                </td>
                <td>
                  <div className="actions history-actions">
                    <button type="button" data-testid={`record-open-${r.id}`} onClick={() => void openRecord(api(), r.key)}>
                      Open
                    </button>
                    {r.source === 'builder' && r.status !== 'running' && (
                      <button
                        type="button"
                        data-testid={`record-export-${r.id}`}
                        disabled={!list?.export.available}
                        title={list?.export.available ? 'Save this record as a .dockerbuild file' : list?.export.reason}
                        onClick={() => setExporting(exporting === r.key ? undefined : r.key)}
                      >
                        Export…
                      </button>
                    )}
                  </div>
                  {exporting === r.key && (
                    <ExportRecord
                      record={r}
                      onDone={(message) => {
                        setExporting(undefined);
                        setNote(message);
                      }}
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list?.truncated && <p className="muted small">Only the newest {list.records.length} records are listed.</p>}
    </section>
  );
}
