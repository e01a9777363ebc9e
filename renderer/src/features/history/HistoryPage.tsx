import { useEffect, useRef, useState } from 'react';
import type { BuildSummary } from '../../../../shared/contract/builds';
import { api } from '../../api';
import { formatDateTime, formatDuration } from '../../components/format';
import { ProblemBox } from '../../components/ProblemBox';
import { useBuildStore } from '../../stores/build-store';
import { useHistoryStore } from '../../stores/history-store';
import { useNav } from '../../stores/nav-store';
import { toProblem, type Problem } from '../../stores/problem';
import { BuildRun } from '../build/BuildRun';
import { buildRequestInput, type BuildRequest } from '../../../../shared/domain/build-request/request';
import type { IntegritySummary } from '../../../../shared/contract/integrity';
import { ExportDialog } from '../ci-export/ExportDialog';
import { resultsParam } from '../results/results-param';
import { BuilderRecords } from './BuilderRecords';

const BADGE: Record<BuildSummary['status'], string> = { running: 'info', succeeded: 'ok', failed: 'err', cancelled: 'warn', interrupted: 'warn' };

/**
 * "Export as CI" of a History record: the list holds summaries, so the record is read when asked
 * for (one from an older version may no longer pass today's checks: that is said instead).
 */
function RecordExport({ id, onProblem }: { id: string; onProblem(problem: Problem): void }) {
  const [request, setRequest] = useState<BuildRequest | undefined>();
  const load = async () => {
    try {
      const parsed = buildRequestInput.safeParse((await api().builds.get({ id })).request);
      if (parsed.success) setRequest(parsed.data);
      else onProblem({ code: 'BAD_INPUT', message: `Build ${id} was recorded by another version: ${parsed.error.issues[0]?.message ?? 'its request is not valid today'}`, hint: 'Re-run it from the Build page after correcting the form.' });
    } catch (error) {
      onProblem(toProblem(error));
    }
  };
  return (
    <>
      <button type="button" data-testid={`history-export-${id}`} onClick={() => void load()} title="docker-bake.hcl and a GitHub Actions workflow that build the same image">
        Export as CI…
      </button>
      {request && <ExportDialog request={request} onClose={() => setRequest(undefined)} />}
    </>
  );
}

const INTEGRITY: Record<IntegritySummary['status'], { badge: string; label: string }> = {
  checking: { badge: 'info', label: 'checking…' },
  clean: { badge: 'ok', label: 'binaries ok' },
  mismatch: { badge: 'err', label: 'foreign binaries' },
  error: { badge: 'warn', label: 'not checked' },
};

/** The binary check of what the build pushed or loaded; a click opens the image on the Results page. */
/** Where a distributed build's platform ran, for its badge's title. */
function nodeOf(build: BuildSummary, platform: string): string {
  const lane = build.distributed?.lanes.find((l) => l.platform === platform);
  if (!lane) return '';
  return ` · built on ${lane.node ? `node ${lane.node} of ` : ''}${lane.builder}${lane.attempts > 1 ? `, ${lane.attempts} attempts` : ''}`;
}

function IntegrityCell({ record, onOpen }: { record: BuildSummary; onOpen: (reference: string) => void }) {
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

/** Every build kept on disk, a page at a time: open (log replayed), re-run, export as CI, delete. */
export function HistoryPage() {
  const { builds, unreadable, next, total, loaded, loading, problem: listProblem, refresh, loadMore, remove: removeBuild, checked } = useHistoryStore();
  const [actionProblem, setActionProblem] = useState<Problem | undefined>();
  const problem = actionProblem ?? listProblem;
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

  useEffect(() => {
    const reload = () => void refresh(api());
    reload();
    const offStarted = api().builds.onStarted(reload);
    const offEnded = api().builds.onEnded(reload);
    const offChecked = api().integrity.onBuildChecked(({ buildId, integrity }) => checked(buildId, integrity));
    return () => {
      offStarted();
      offEnded();
      offChecked();
    };
  }, [refresh, checked]);

  const remove = async (id: string) => {
    setConfirm(undefined);
    setActionProblem(undefined);
    await removeBuild(api(), id);
  };

  // The list holds summaries: a re-run needs the whole request, read when asked for.
  const rerunBuild = async (id: string) => {
    try {
      const record = await api().builds.get({ id });
      setActionProblem(undefined);
      go('build');
      await rerun(api(), record);
    } catch (error) {
      setActionProblem(toProblem(error));
    }
  };

  return (
    <section className="page history-page" data-testid="history-page" data-state={loaded ? 'loaded' : 'loading'}>
      <header className="page-header">
        <h1>History</h1>
        <div className="actions">
          <button type="button" onClick={() => void refresh(api())}>
            Refresh
          </button>
        </div>
      </header>
      {problem && <ProblemBox problem={problem} />}
      {unreadable.map((s) => (
        <ProblemBox key={s.id} tone="warning" problem={{ code: 'BUILD_RECORD_UNREADABLE', message: s.message, hint: s.hint }}>
          <div className="actions" data-testid="history-unreadable" data-build-id={s.id} data-kind={s.kind}>
            <button type="button" onClick={() => void remove(s.id)}>
              Delete this build’s folder
            </button>
          </div>
        </ProblemBox>
      ))}
      {loaded && builds.length === 0 && unreadable.length === 0 && <p className="muted">No builds yet. Builds started on the Build page are kept here, with their full log.</p>}
      {builds.length > 0 && (
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
              {builds.map((b) => (
                <tr key={b.id} data-testid={`history-row-${b.id}`} data-state={b.status} className={view?.id === b.id ? 'selected' : undefined}>
                  <td>
                    <span className={`badge ${BADGE[b.status]}`}>{b.status}</span>
                    {b.failedPlatforms.length ? <div className="muted small">on {b.failedPlatforms.join(', ')}</div> : null}
                  </td>
                  <td>{formatDateTime(b.startedAt)}</td>
                  <td>{b.durationMs !== undefined ? formatDuration(b.durationMs) : b.status === 'running' ? '…' : ''}</td>
                  <td>
                    {b.outcomes.map((o) => (
                      <span key={o.platform} className={`badge ${o.status === 'done' ? 'ok' : o.status === 'error' ? 'err' : ''}`} title={`${o.failed ?? o.status}${nodeOf(b, o.platform)}`}>
                        {o.platform.replace(/^linux\//, '')}
                      </span>
                    ))}
                  </td>
                  <td className="mono small">
                    {b.tags[0] ?? b.context}
                    {b.tags.length > 1 ? ` +${b.tags.length - 1}` : ''}
                    {b.digest && <div className="muted">{b.digest.slice(0, 19)}…</div>}
                  </td>
                  <td>
                    {b.builder}
                    {b.distributed && (
                      <div className="muted small" data-testid={`history-distributed-${b.id}`}>
                        over nodes{b.distributed.leftOut.length ? `, merged without ${b.distributed.leftOut.join(', ')} by choice` : ''}
                      </div>
                    )}
                  </td>
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
                        onClick={() => void rerunBuild(b.id)}
                      >
                        Re-run
                      </button>
                      <RecordExport id={b.id} onProblem={setActionProblem} />
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
          <div className="row history-more" data-testid="history-paging" data-shown={builds.length + unreadable.length} data-total={total}>
            <span className="muted">
              {builds.length + unreadable.length} of {total} build{total === 1 ? '' : 's'}
            </span>
            {next !== undefined && (
              <button type="button" data-testid="history-more" disabled={loading} onClick={() => void loadMore(api())}>
                {loading ? 'Reading…' : 'Show older builds'}
              </button>
            )}
          </div>
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
