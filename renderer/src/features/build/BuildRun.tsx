import type { BuildRecord } from '../../../../shared/contract/builds';
import { api } from '../../api';
import { formatDuration } from '../../components/format';
import { ProblemBox } from '../../components/ProblemBox';
import { buildFeed, useBuildStore, type BuildView } from '../../stores/build-store';
import { causeAction } from '../../errors/actions';
import { useNav } from '../../stores/nav-store';
import { TerminalView } from '../../terminal/TerminalView';
import { shortcutProps, useShortcut } from '../../app/shortcuts';
import { resultsParam } from '../results/results-param';
import { DistributedRun } from './DistributedRun';
import { laneKind } from '../timeline/StepKindBadge';
import { TimelinePanel } from '../timeline/TimelinePanel';
import { RecordInfo } from '../history/RecordInfo';
import { Lanes } from './Lanes';
import { DigestRow } from '../../components/DigestRow';

const STATUS_TEXT: Record<BuildView['status'], string> = {
  starting: 'Starting…',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
  interrupted: 'Interrupted',
};

const STATUS_BADGE: Record<BuildView['status'], string> = {
  starting: 'info',
  running: 'info',
  succeeded: 'ok',
  failed: 'err',
  cancelled: 'warn',
  interrupted: 'warn',
};

/** A lane's state as a mark beside its colour (the tab's title says it in words). */
const LANE_MARK: Record<string, string> = { waiting: '·', running: '◌', done: '✓', error: '✗', canceled: '⊘', interrupted: '⊘' };

/** The reference to open on the Results page: the pushed tag pinned to the digest buildx reported. */
export function resultRef(record: BuildRecord): string | undefined {
  const tag = record.imageNames[0] ?? record.request.tags[0];
  if (!tag || record.request.output.type === 'oci' || record.request.output.type === 'local' || record.request.output.type === 'cacheonly') return undefined;
  return record.digest && record.request.output.type === 'push' ? `${tag.replace(/@.*$/, '')}@${record.digest}` : tag;
}

function Failure({ record }: { record: BuildRecord }) {
  const go = useNav((s) => s.go);
  const failure = record.failure;
  if (!failure) return null;
  const where = failure.platforms.length ? ` on ${failure.platforms.join(', ')}` : '';
  const fixPage = causeAction(failure.cause.kind);
  return (
    <div className="problem error build-failure" role="alert" data-testid="build-failure" data-kind={failure.cause.kind} data-platforms={failure.platforms.join(',')}>
      <p className="problem-message">
        The build failed{where}
        {failure.steps[0] ? (
          <>
            {' '}
            at <code>{failure.steps[0].stepLabel ? `[${failure.steps[0].stepLabel}] ` : ''}{failure.steps[0].name}</code>
          </>
        ) : null}
        .
      </p>
      <p className="problem-hint">{failure.cause.explanation}</p>
      <p className="problem-hint">
        <strong>Fix:</strong> {failure.cause.fix}{' '}
        {fixPage && (
          <button type="button" className="link" onClick={() => go(fixPage.page)}>
            {fixPage.label}
          </button>
        )}
      </p>
      {failure.steps.map((s, i) => (
        <div key={i} className="failed-step" data-testid="failed-step" data-platform={s.platform ?? ''}>
          <p>
            <span className="badge err">{s.platform ?? 'shared'}</span> <code>{s.name}</code>
          </p>
          <p className="muted">{s.error}</p>
          {s.lastLogLines.length > 0 && <pre className="last-lines">{s.lastLogLines.join('\n')}</pre>}
        </div>
      ))}
      {failure.message && failure.steps.length === 0 && <pre className="last-lines">{failure.message}</pre>}
    </div>
  );
}

function Success({ record }: { record: BuildRecord }) {
  const go = useNav((s) => s.go);
  const ref = resultRef(record);
  return (
    <div className="card build-success" data-testid="build-success">
      <h2>Built {record.platforms.length} platform{record.platforms.length > 1 ? 's' : ''} in {formatDuration(record.durationMs ?? 0)}</h2>
      {record.digest && <DigestRow label="Digest" digest={record.digest} testId="build-digest" />}
      <table className="outcomes">
        <tbody>
          {record.outcomes.map((o) => (
            <tr key={o.platform} data-testid={`outcome-${o.platform}`} data-state={o.status}>
              <td>
                <code>{o.platform}</code>
              </td>
              <td>{o.durationMs !== undefined ? formatDuration(o.durationMs) : ''}</td>
              <td className="muted">
                {o.steps} steps{o.cached ? `, ${o.cached} cached` : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {ref && (
        <div className="actions">
          <button type="button" className="primary" data-testid="open-results" onClick={() => go('results', resultsParam(ref, record.platforms))}>
            Open its results
          </button>
          <span className="muted">
            <code>{ref}</code>
          </span>
        </div>
      )}
    </div>
  );
}

/** A build's status, outcome, lanes and terminal (live or replayed). */
export function BuildRun({ view }: { view: BuildView }) {
  const filter = useBuildStore((s) => s.filter);
  const setFilter = useBuildStore((s) => s.setFilter);
  const cancel = useBuildStore((s) => s.cancel);
  const record = view.record;
  const lanes = view.progress?.lanes ?? view.platforms.map((platform) => ({ platform, status: 'waiting' as const, steps: [], counts: { total: 0, done: 0, cached: 0, running: 0, error: 0 } }));
  const laneState = new Map(lanes.map((l) => [l.platform, l.status]));
  const laneKinds = new Map(lanes.map((l) => [l.platform, laneKind(l)]));
  const platforms = [...new Set([...view.platforms, ...lanes.map((l) => l.platform)])];
  const running = view.status === 'running' || view.status === 'starting';
  useShortcut('build.cancel', running && view.mode === 'live' && view.id ? () => void cancel(api()) : undefined);

  return (
    <div className="build-run" data-testid="build-run" data-state={view.status} data-mode={view.mode} data-build-id={view.id ?? ''}>
      <div className="row build-run-head">
        <span className={`badge ${STATUS_BADGE[view.status]}`} data-testid="build-status" data-state={view.status}>
          {STATUS_TEXT[view.status]}
        </span>
        {view.mode === 'replay' && <span className="muted">{view.builderRecord ? 'from the builder\u2019s record' : 'replayed from the log on disk'}</span>}
        {record?.durationMs !== undefined && <span className="muted">{formatDuration(record.durationMs)}</span>}
        {view.id && <code className="muted">{view.id}</code>}
        <span className="spacer" />
        {running && view.mode === 'live' && (
          <button type="button" className="danger" data-testid="build-cancel" disabled={!view.id} onClick={() => void cancel(api())} {...shortcutProps('build.cancel', 'Cancel the build')}>
            Cancel
          </button>
        )}
      </div>

      {view.problem && (
        <ProblemBox problem={view.problem}>
          {view.problems && view.problems.length > 1 && (
            <ul>
              {view.problems.map((p, i) => (
                <li key={i}>
                  {p.message} <em>{p.fix}</em>
                </li>
              ))}
            </ul>
          )}
        </ProblemBox>
      )}
      {view.builderRecord && <RecordInfo record={view.builderRecord} />}
      {/* a succeeded build carries a note only when its result could not be put in place */}
      {record?.note && (
        <p className={record.status === 'succeeded' ? 'warn' : 'muted'} data-testid="build-note">
          {record.note}
        </p>
      )}
      {record?.status === 'failed' && <Failure record={record} />}
      {record?.status === 'succeeded' && <Success record={record} />}
      {view.distributed && <DistributedRun state={view.distributed} ended={!running && view.status !== 'starting'} />}

      <Lanes lanes={lanes} shared={view.progress?.shared ?? []} placements={view.placements} />
      {/* A builder's own record has no app timeline (no step kinds, nothing stored), nor has a build over several nodes (one log per platform). */}
      {!view.builderRecord && !view.distributed && <TimelinePanel view={view} />}

      <div className="terminal-tabs" role="tablist" aria-label="Show the log of">
        <button type="button" role="tab" aria-selected={filter === undefined} className={filter === undefined ? 'tab active' : 'tab'} data-testid="terminal-tab-all" onClick={() => setFilter(undefined)}>
          All platforms
        </button>
        {platforms.map((p) => (
          <button
            type="button"
            role="tab"
            key={p}
            aria-selected={filter === p}
            className={filter === p ? 'tab active' : 'tab'}
            data-testid={`terminal-tab-${p}`}
            data-state={laneState.get(p) ?? 'waiting'}
            title={`${p}: ${laneState.get(p) ?? 'waiting'}`}
            onClick={() => setFilter(p)}
          >
            <span className={`lane-mark ${laneState.get(p) ?? 'waiting'}`} aria-hidden>
              {LANE_MARK[laneState.get(p) ?? 'waiting']}
            </span>{' '}
            {p}
            {laneKinds.get(p) && (
              <span className={`badge kind-${laneKinds.get(p)}`} data-testid="tab-kind" data-kind={laneKinds.get(p)}>
                {laneKinds.get(p)}
              </span>
            )}
            <span className="sr-only"> ({laneState.get(p) ?? 'waiting'})</span>
          </button>
        ))}
      </div>
      <TerminalView feed={buildFeed} testId="build-terminal" />
    </div>
  );
}
