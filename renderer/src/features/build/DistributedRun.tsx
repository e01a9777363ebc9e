import { useState } from 'react';
import type { DistributedState, LaneState } from '../../../../shared/domain/distributed/model';
import { api } from '../../api';
import { CopyButton } from '../../components/CopyButton';
import { formatDuration } from '../../components/format';
import { useBuildStore } from '../../stores/build-store';
import { DigestRow } from '../../components/DigestRow';

const STATE_BADGE: Record<LaneState['status'], string> = { waiting: '', running: 'info', succeeded: 'ok', failed: 'err', cancelled: 'warn', interrupted: 'warn' };

/** Where a platform was built, in words. */
export const whereBuilt = (lane: Pick<LaneState, 'builder' | 'node' | 'support'>): string =>
  `${lane.node ? `node ${lane.node} of ${lane.builder}` : `builder ${lane.builder}`}${lane.support ? ` (${lane.support === 'native' ? 'native' : lane.support === 'emulated' ? 'QEMU' : 'cannot build'})` : ''}`;

/**
 * A distributed build's sub-builds (node, status, own time, digest, attempts; Retry for a failed
 * one) and its merge (command, index digest, what the check read back; merging without a missing
 * platform only as an explicit choice).
 */
export function DistributedRun({ state, ended }: { state: DistributedState; ended: boolean }) {
  const retry = useBuildStore((s) => s.retryPlatform);
  const mergeWithout = useBuildStore((s) => s.mergeWithout);
  const [confirm, setConfirm] = useState(false);
  const missing = state.lanes.filter((l) => l.status !== 'succeeded').map((l) => l.platform);
  const someBuilt = missing.length < state.lanes.length;
  const merge = state.merge;
  const commands = [...state.lanes.flatMap((l) => l.commands), ...(merge.command ? [merge.command] : [])].join('\n');

  return (
    <section className="card distributed-run" data-testid="distributed-run" data-merge={merge.status} data-verified={String(merge.verification?.ok ?? false)}>
      <h2>Over nodes: {state.lanes.length} platform builds, one index</h2>
      <table className="distributed-lanes">
        <thead>
          <tr>
            <th>Platform</th>
            <th>Built on</th>
            <th>Status</th>
            <th>Time</th>
            <th>Digest</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {state.lanes.map((l) => (
            <tr key={l.platform} data-testid={`distributed-lane-${l.platform}`} data-state={l.status} data-node={l.node ?? ''} data-builder={l.builder}>
              <td>
                <code>{l.platform}</code>
              </td>
              <td>{whereBuilt(l)}</td>
              <td>
                <span className={`badge ${STATE_BADGE[l.status]}`}>{l.status}</span>
                {l.attempts.length > 1 && <span className="muted"> attempt {l.attempts.length}</span>}
                {l.error && (
                  <div className="err small" data-testid={`distributed-lane-error-${l.platform}`}>
                    {l.error.message}
                    {l.error.hint && <div className="muted">{l.error.hint}</div>}
                  </div>
                )}
              </td>
              <td className="muted">
                {l.durationMs !== undefined ? formatDuration(l.durationMs) : ''}
                {l.steps ? ` · ${l.steps} steps${l.cached ? `, ${l.cached} cached` : ''}` : ''}
              </td>
              <td className="mono small">{l.digest ? <code title={l.digest}>{l.digest.slice(0, 19)}…</code> : ''}</td>
              <td>
                {ended && l.status !== 'succeeded' && (
                  <button type="button" onClick={() => void retry(api(), l.platform)} data-testid={`distributed-retry-${l.platform}`}>
                    Retry {l.platform}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <div className="distributed-merge" data-testid="distributed-merge" data-state={merge.status}>
        <h3>Merge</h3>
        {merge.status === 'waiting' && !ended && <p className="muted">Waits for every platform’s digest.</p>}
        {merge.command && (
          <div className="row">
            <code data-testid="distributed-merge-command">{merge.command}</code>
            <CopyButton value={merge.command} label="Copy command" />
          </div>
        )}
        {merge.leftOut.length > 0 && (
          <p className="warn" data-testid="distributed-left-out">
            Merged without {merge.leftOut.join(', ')}, by choice{merge.decidedAt ? ` (${new Date(merge.decidedAt).toLocaleString()})` : ''}.
          </p>
        )}
        {merge.error && (
          <p className="err">
            {merge.error.message} {merge.error.hint && <span className="muted">{merge.error.hint}</span>}
          </p>
        )}
        {merge.verification && (
          <p className={merge.verification.ok ? 'ok' : 'err'} data-testid="distributed-verification" data-platforms={merge.verification.platforms.join(',')}>
            {merge.verification.message}
          </p>
        )}
        {merge.digest && <DigestRow label="Index" digest={merge.digest} testId="distributed-index-digest" />}
        {ended && missing.length > 0 && someBuilt && (
          <div className="actions">
            {confirm ? (
              <>
                <span className="warn">
                  The index will lack {missing.join(', ')}; History records that you chose this.
                </span>
                <button type="button" className="danger" onClick={() => void mergeWithout(api(), missing)} data-testid="distributed-merge-confirm">
                  Merge without {missing.join(', ')}
                </button>
                <button type="button" onClick={() => setConfirm(false)}>
                  Keep waiting
                </button>
              </>
            ) : (
              <button type="button" onClick={() => setConfirm(true)} data-testid="distributed-merge-without">
                Merge without {missing.join(', ')}…
              </button>
            )}
          </div>
        )}
        {ended && missing.length === 0 && merge.status === 'failed' && (
          <div className="actions">
            <button type="button" onClick={() => void mergeWithout(api(), [])} data-testid="distributed-merge-again">
              Merge again
            </button>
          </div>
        )}
      </div>
      <details>
        <summary>Equivalent commands</summary>
        <div className="row nowrap">
          <pre className="grow build-command" data-testid="distributed-commands">
            {commands}
          </pre>
          <CopyButton value={commands} label="Copy the commands" />
        </div>
      </details>
    </section>
  );
}
