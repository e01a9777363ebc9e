import { useCallback, useEffect, useRef, useState } from 'react';
import type { BuildList, BuildRecord } from '../../../../shared/contract/builds';
import { api } from '../../api';
import { formatDuration } from '../../components/format';
import { ProblemBox } from '../../components/ProblemBox';
import { useBuildStore } from '../../stores/build-store';
import { useNav } from '../../stores/nav-store';
import { toProblem, type Problem } from '../../stores/problem';
import { BuildRun } from '../build/BuildRun';
import { formatDateTime } from '../../components/format';
import { buildRequestInput } from '../../../../shared/domain/build-request/request';
import { ExportButton } from '../ci-export/ExportButton';
import { resultsParam } from '../results/results-param';
import type { IntegritySummary } from '../../../../shared/contract/integrity';
import { BuilderRecords } from './BuilderRecords';

const BADGE: Record<BuildRecord['status'], string> = { running: 'info', succeeded: 'ok', failed: 'err', cancelled: 'warn', interrupted: 'warn' };

const INTEGRITY: Record<IntegritySummary['status'], { badge: string; label: string }> = {
  checking: { badge: 'info', label: 'checking…' },
  clean: { badge: 'ok', label: 'binaries ok' },
  mismatch: { badge: 'err', label: 'foreign binaries' },
  error: { badge: 'warn', label: 'not checked' },
};

/** The binary check of what the build pushed or loaded; a click opens the image on the Results page. */
function IntegrityCell({ record, onOpen }: { record: BuildRecord; onOpen: (reference: string) => void }) {
  const integrity = record.integrity;
  if (!integrity) return <span className="muted">—</span>;
  const look = INTEGRITY[integrity.status];
  return (
    <div data-testid={`history-integrity-${record.id}`} data-state={integrity.status}>
      <button type="button" className={`badge ${look.badge}`} title={integrity.message} onClick={() => onOpen(integrity.reference)}>
        {look.label}
      </button>
      {integrity.status === 'mismatch' && <div className="muted small">on {integrity.mismatchPlatforms.join(', ')}</div>}
    </div>
  );
}


/** A record's request as the export takes it (a record from an older version may no longer pass today's checks). */
const exportable = (b: BuildRecord) => {
  const parsed = buildRequestInput.safeParse(b.request);
  return parsed.success ? parsed.data : undefined;
};

/** Every build kept on disk: open (log replayed), re-run, export as CI, delete. */
export function HistoryPage() {
  const [list, setList] = useState<BuildList | undefined>();
  const [problem, setProblem] = useState<Problem | undefined>();
  const [confirm, setConfirm] = useState<string | undefined>();
  const view = useBuildStore((s) => s.view);
  const open = useBuildStore((s) => s.open);
  const rerun = useBuildStore((s) => s.rerun);
  const go = useNav((s) => s.go);
  // Open shows the build below the table: bring it into view, or a long list hides that anything happened.
  const runRef = useRef<HTMLDivElement>(null);
  const shownId = useRef(view?.id);
  const viewId = view?.id;
  useEffect(() => {
    if (!viewId || viewId === shownId.current) return;
    shownId.current = viewId;
    runRef.current?.scrollIntoView?.({ block: 'start', behavior: 'smooth' });
  }, [viewId]);

  const refresh = useCallback(() => {
    api()
      .builds.list({})
      .then(
        (l) => {
          setList(l);
          setProblem(undefined);
        },
        (error: unknown) => setProblem(toProblem(error)),
      );
  }, []);

  useEffect(() => {
    refresh();
    const offStarted = api().builds.onStarted(refresh);
    const offEnded = api().builds.onEnded(refresh);
    const offChecked = api().integrity.onBuildChecked(refresh);
    return () => {
      offStarted();
      offEnded();
      offChecked();
    };
  }, [refresh]);

  const remove = async (id: string) => {
    setConfirm(undefined);
    try {
      await api().builds.remove({ id });
    } catch (error) {
      setProblem(toProblem(error));
    }
    refresh();
  };

  return (
    <section className="page history-page" data-testid="history-page" data-state={list ? 'loaded' : 'loading'}>
      <header className="page-header">
        <h1>History</h1>
        <div className="actions">
          <button type="button" onClick={refresh}>
            Refresh
          </button>
        </div>
      </header>
      {problem && <ProblemBox problem={problem} />}
      {list?.setAside.map((s) => (
        <ProblemBox key={s.id} tone="warning" problem={{ code: 'BUILD_RECORD_CORRUPT', message: s.message, hint: 'The app keeps going without it; delete it when you no longer need the file.' }}>
          <div className="actions" data-testid="history-set-aside" data-build-id={s.id}>
            <button type="button" onClick={() => void remove(s.id)}>
              Delete this build’s folder
            </button>
          </div>
        </ProblemBox>
      ))}
      {list && list.builds.length === 0 && <p className="muted">No builds yet. Builds started on the Build page are kept here, with their full log.</p>}
      {list && list.builds.length > 0 && (
        <div className="card">
          <table className="history-table">
            <thead>
              <tr>
                <th>Status</th>
                <th>Started</th>
                <th>Duration</th>
                <th>Platforms</th>
                <th>Image</th>
                <th>Builder</th>
                <th>Binaries</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.builds.map((b) => (
                <tr key={b.id} data-testid={`history-row-${b.id}`} data-state={b.status} className={view?.id === b.id ? 'selected' : undefined}>
                  <td>
                    <span className={`badge ${BADGE[b.status]}`}>{b.status}</span>
                    {b.failure?.platforms.length ? <div className="muted small">on {b.failure.platforms.join(', ')}</div> : null}
                  </td>
                  <td>{formatDateTime(b.startedAt)}</td>
                  <td>{b.durationMs !== undefined ? formatDuration(b.durationMs) : b.status === 'running' ? '…' : ''}</td>
                  <td>
                    {b.outcomes.map((o) => (
                      <span key={o.platform} className={`badge ${o.status === 'done' ? 'ok' : o.status === 'error' ? 'err' : ''}`} title={o.failedStep ? `${o.failedStep.name}: ${o.failedStep.error}` : o.status}>
                        {o.platform.replace(/^linux\//, '')}
                      </span>
                    ))}
                  </td>
                  <td className="mono small">
                    {b.request.tags[0] ?? b.request.context}
                    {b.request.tags.length > 1 ? ` +${b.request.tags.length - 1}` : ''}
                    {b.digest && <div className="muted">{b.digest.slice(0, 19)}…</div>}
                  </td>
                  <td>{b.builder.name}</td>
                  <td>
                    <IntegrityCell record={b} onOpen={(reference) => go('results', resultsParam(reference, b.platforms))} />
                  </td>
                  <td>
                    <div className="actions history-actions">
                      <button type="button" data-testid={`history-open-${b.id}`} onClick={() => void open(api(), b.id)}>
                        Open
                      </button>
                      <button
                        type="button"
                        data-testid={`history-rerun-${b.id}`}
                        onClick={() => {
                          go('build');
                          void rerun(api(), b);
                        }}
                      >
                        Re-run
                      </button>
                      <ExportButton request={exportable(b)} testId={`history-export-${b.id}`} />
                      {confirm === b.id ? (
                        <button type="button" className="danger" data-testid={`history-confirm-delete-${b.id}`} onClick={() => void remove(b.id)}>
                          Delete?
                        </button>
                      ) : (
                        <button type="button" data-testid={`history-delete-${b.id}`} disabled={b.status === 'running'} onClick={() => setConfirm(b.id)}>
                          Delete
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <BuilderRecords />
      {view && (
        <div ref={runRef}>
          <BuildRun view={view} />
        </div>
      )}
    </section>
  );
}
