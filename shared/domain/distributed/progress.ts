import type { BuildProgressSnapshot, LaneStatus, PlatformLane } from '../build-progress/model';
import type { TerminalBatch } from '../terminal-batch';
import type { LaneRunStatus } from './model';

/**
 * A distributed build shows like any build: one lane per platform and one terminal with a view
 * per platform. Each platform's sub-build has its own parser; these join their outputs.
 */

/** A sub-build's terminal text, every line of it in its platform's view (its shared lines are that platform's too). */
export function retagBatch(batch: TerminalBatch, platform: string): TerminalBatch {
  return { text: batch.text, platforms: [platform], runs: batch.runs.map((n, i) => (i % 3 === 0 ? 0 : n)) };
}

const LANE_STATUS: Record<LaneRunStatus, LaneStatus> = {
  waiting: 'waiting',
  running: 'running',
  succeeded: 'done',
  failed: 'error',
  cancelled: 'canceled',
  interrupted: 'canceled',
};

export interface LanePart {
  platform: string;
  /** The sub-build's own progress, once it started. */
  snapshot?: BuildProgressSnapshot;
  status: LaneRunStatus;
  /** The sub-build's whole time (its shared steps too): the lane's own timing. */
  durationMs?: number;
}

const emptyLane = (platform: string): PlatformLane => ({ platform, status: 'waiting', steps: [], counts: { total: 0, done: 0, cached: 0, running: 0, error: 0 } });

/**
 * The lanes of every sub-build as one snapshot: each platform's lane from its own sub-build, with
 * that sub-build's status and whole duration; the sub-builds' own shared steps (context, export,
 * push) listed as shared, named with their platform.
 */
export function combineLanes(parts: readonly LanePart[]): BuildProgressSnapshot {
  const lanes = parts.map((part): PlatformLane => {
    const own = part.snapshot?.lanes.find((l) => l.platform === part.platform) ?? emptyLane(part.platform);
    const lane: PlatformLane = { ...own, status: LANE_STATUS[part.status] };
    const durationMs = part.durationMs ?? part.snapshot?.durationMs;
    if (durationMs !== undefined) lane.durationMs = durationMs;
    if (part.snapshot?.startedAt !== undefined) lane.startedAt = part.snapshot.startedAt;
    if (part.snapshot?.completedAt !== undefined && part.status !== 'running') lane.completedAt = part.snapshot.completedAt;
    return lane;
  });
  const shared = parts.flatMap((part) => (part.snapshot?.shared ?? []).map((s) => ({ ...s, name: `[${part.platform}] ${s.name}`, fullName: `[${part.platform}] ${s.fullName}` })));
  const statuses = parts.map((p) => p.status);
  const ended = statuses.every((s) => s !== 'running' && s !== 'waiting');
  const status = statuses.includes('running') ? 'running' : statuses.includes('failed') ? 'error' : ended && statuses.every((s) => s === 'succeeded') ? 'done' : statuses.includes('waiting') ? 'waiting' : 'error';
  const starts = parts.flatMap((p) => (p.snapshot?.startedAt !== undefined ? [p.snapshot.startedAt] : []));
  const ends = parts.flatMap((p) => (p.snapshot?.completedAt !== undefined ? [p.snapshot.completedAt] : []));
  const snapshot: BuildProgressSnapshot = {
    status,
    ended,
    lanes,
    shared,
    textLines: [],
    warnings: parts.flatMap((p) => p.snapshot?.warnings ?? []),
  };
  if (starts.length) snapshot.startedAt = Math.min(...starts);
  if (ended && ends.length) {
    snapshot.completedAt = Math.max(...ends);
    if (snapshot.startedAt !== undefined) snapshot.durationMs = snapshot.completedAt - snapshot.startedAt;
  }
  return snapshot;
}
