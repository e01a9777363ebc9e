import { durationOf, type TimedRun } from './intervals';
import type { PlatformSource, ProgressItem, StepInfo, StepSnapshot, StepStatus } from './model';
import { lastLines, type VertexLog } from './vertex-log';
import type { VertexName } from './vertex-name';

/** A vertex's state in the tracker; it carries its log's fields (vertex-log.ts) and run intervals itself. */
export interface Step extends VertexLog, TimedRun {
  digest: string;
  index: number;
  /** A vertex record arrived (not only logs or statuses naming it). */
  known: boolean;
  fullName: string;
  parsed: VertexName;
  inputs: string[];
  platform: string | undefined;
  platformSource: PlatformSource | undefined;
  status: StepStatus;
  cached: boolean;
  error: string | undefined;
  progress: Map<string, ProgressItem> | undefined;
  snap: StepSnapshot | undefined;
}

const EMPTY_NAME: VertexName = { text: '', internal: false };

/** Every field set, always in this order: all steps share one object shape on the log path. */
export function newStep(digest: string, index: number): Step {
  return {
    digest,
    index,
    known: false,
    fullName: '',
    parsed: EMPTY_NAME,
    inputs: [],
    platform: undefined,
    platformSource: undefined,
    status: 'waiting',
    cached: false,
    error: undefined,
    firstStarted: undefined,
    openStart: undefined,
    running: false,
    completedAt: undefined,
    intervals: [],
    logRing: [],
    logHead: 0,
    logCount: 0,
    partialOut: '',
    partialErr: '',
    decoder: undefined,
    utf8Tail: undefined,
    progress: undefined,
    snap: undefined,
  };
}

export function deriveStatus(step: Step): StepStatus {
  if (step.error !== undefined && !isCacheImport(step)) return isCancellation(step.error) ? 'canceled' : 'error';
  if (step.running) return 'running';
  if (step.completedAt !== undefined || step.cached) return step.cached ? 'cached' : 'done';
  return 'waiting';
}

/**
 * BuildKit builds on without a cache it cannot import (a registry cache not pushed yet, a ref it
 * cannot read): that vertex ends with an error, but nothing failed. Its error stays on the step.
 */
const isCacheImport = (step: Step): boolean => step.fullName.startsWith('importing cache manifest from ');

/** BuildKit reports vertices stopped because another one failed with `context canceled`. */
function isCancellation(error: string): boolean {
  return /context canceled$|^canceled$/i.test(error.trim());
}

/**
 * Applies one BuildKit status of the step (a pushed layer, a pulled blob, …) and returns its item;
 * the oldest item goes when the step already keeps `maxItems`.
 */
export function applyProgressItem(step: Step, id: string, s: Record<string, unknown>, started: number | undefined, completed: number | undefined, maxItems: number): ProgressItem {
  let map = step.progress;
  if (!map) step.progress = map = new Map();
  let item = map.get(id);
  if (!item) {
    if (map.size >= maxItems) {
      const oldest = map.keys().next().value;
      if (oldest !== undefined) map.delete(oldest);
    }
    item = { id, name: id, current: 0, completed: false };
    map.set(id, item);
  }
  if (typeof s.name === 'string' && s.name !== '') item.name = s.name;
  if (typeof s.current === 'number') item.current = s.current;
  if (typeof s.total === 'number' && s.total > 0) item.total = s.total;
  if (started !== undefined) item.startedAt = started;
  if (completed !== undefined) item.completedAt = completed;
  item.completed = completed !== undefined;
  return item;
}

/** The step without its bulky parts (`now`: the latest timestamp seen, for a running step's duration). */
export function stepInfo(step: Step, now: number | undefined): StepInfo {
  const p = step.parsed;
  const info: StepInfo = {
    digest: step.digest,
    index: step.index,
    name: p.text,
    fullName: step.fullName,
    internal: p.internal,
    status: step.status,
    cached: step.cached,
    inputs: step.inputs,
  };
  if (step.platform !== undefined) info.platform = step.platform;
  if (step.platformSource !== undefined) info.platformSource = step.platformSource;
  if (p.stage !== undefined) info.stage = p.stage;
  if (p.target !== undefined) info.target = p.target;
  if (p.label !== undefined) info.stepLabel = p.label;
  if (p.stepIndex !== undefined) info.stepIndex = p.stepIndex;
  if (p.stepTotal !== undefined) info.stepTotal = p.stepTotal;
  if (step.firstStarted !== undefined) info.startedAt = step.firstStarted;
  if (step.completedAt !== undefined && !step.running) info.completedAt = step.completedAt;
  const d = durationOf(step, now);
  if (d !== undefined) info.durationMs = d;
  if (step.error !== undefined) info.error = step.error;
  return info;
}

/** The step as snapshots carry it, memoised on the step until it changes. */
export function stepSnapshot(step: Step, now: number | undefined): StepSnapshot {
  // Running steps' durations move with the clock: never served from the memo.
  if (step.snap && step.status !== 'running') return step.snap;
  const snap: StepSnapshot = {
    ...stepInfo(step, now),
    inputs: [...step.inputs],
    lastLogLines: lastLines(step),
    logLineCount: step.logCount,
    progress: step.progress ? [...step.progress.values()].map((i) => ({ ...i })) : [],
  };
  step.snap = snap;
  return snap;
}
