import type { BuildProgressSnapshot, StepRun, StepSnapshot } from '../build-progress/model';
import type { BuildTimeline, CrossForm, TimelineLane, TimelineStep } from './model';

export interface TimelineExtras {
  /** How a step ran, for steps whose snapshot does not say (`run` unset). */
  run?: (step: StepSnapshot) => StepRun | undefined;
  /** Keep each step's digest (a live timeline asks for a step's log by it). */
  digests?: boolean;
  /** Keep this many last log lines per step (finished builds). Default 0. */
  tailLines?: number;
  lines?: Record<number, string>;
  dockerfile?: BuildTimeline['dockerfile'];
  crossForms?: CrossForm[];
  notes?: string[];
}

/** Characters kept of a log line in a step's tail. */
const TAIL_CHARS = 240;

const UNKNOWN: StepRun = { kind: 'native', why: 'How it ran is not known.', runs: false };

/**
 * The build's start: its first step's. Not the first timestamp of the log: a status BuildKit shares
 * between builds (an image resolved minutes ago) keeps its old start time, which would squeeze
 * every bar into the last pixels.
 */
function originOf(snap: BuildProgressSnapshot): number | undefined {
  let t0: number | undefined;
  const see = (s: StepSnapshot) => {
    if (!s.cached && s.startedAt !== undefined && (t0 === undefined || s.startedAt < t0)) t0 = s.startedAt;
  };
  snap.shared.forEach(see);
  for (const lane of snap.lanes) lane.steps.forEach(see);
  return t0 ?? snap.startedAt;
}

/** The timeline of a build from its lanes (live or final). Steps without times are kept, without bars. */
export function timelineOf(snap: BuildProgressSnapshot, extra: TimelineExtras = {}): BuildTimeline {
  const t0 = originOf(snap);
  const at = (ms: number | undefined) => (ms === undefined || t0 === undefined ? undefined : Math.max(0, Math.round(ms - t0)));
  const step = (s: StepSnapshot): TimelineStep => {
    const run = s.run ?? extra.run?.(s) ?? UNKNOWN;
    const out: TimelineStep = { index: s.index, name: s.name, status: s.status, kind: run.kind, why: run.why, runs: run.runs };
    if (extra.digests) out.digest = s.digest;
    if (s.stepLabel !== undefined) out.label = s.stage !== undefined && s.stepIndex !== undefined ? `${s.stage} ${s.stepLabel}` : s.stepLabel;
    if (run.on !== undefined) out.on = run.on;
    const start = at(s.startedAt);
    if (start !== undefined) out.start = start;
    // A running step's bar reaches the latest timestamp seen.
    const end = at(s.completedAt ?? (s.status === 'running' && s.startedAt !== undefined && s.durationMs !== undefined ? s.startedAt + s.durationMs : undefined));
    if (end !== undefined) out.end = Math.max(end, start ?? end);
    if (s.durationMs !== undefined) out.durationMs = Math.round(s.durationMs);
    if (run.line !== undefined) out.line = run.line;
    if (run.endLine !== undefined) out.endLine = run.endLine;
    if (run.stageIndex !== undefined) out.stageIndex = run.stageIndex;
    const keep = extra.tailLines ?? 0;
    if (keep > 0 && s.lastLogLines.length > 0) out.tail = s.lastLogLines.slice(-keep).map((l) => (l.length > TAIL_CHARS ? `${l.slice(0, TAIL_CHARS - 1)}…` : l));
    return out;
  };
  const byStart = (a: TimelineStep, b: TimelineStep) => (a.start ?? Infinity) - (b.start ?? Infinity) || a.index - b.index;
  const lanes = snap.lanes.map((l): TimelineLane => {
    const lane: TimelineLane = { platform: l.platform, status: l.status, steps: l.steps.map(step).sort(byStart) };
    const start = at(l.startedAt);
    if (start !== undefined) lane.start = start;
    const end = at(l.completedAt);
    if (end !== undefined) lane.end = end;
    if (l.durationMs !== undefined) lane.durationMs = Math.round(l.durationMs);
    return lane;
  });
  const timeline: BuildTimeline = {
    schema: 1,
    lanes,
    shared: snap.shared.map(step).sort(byStart),
    lines: Object.fromEntries(Object.entries(extra.lines ?? {})),
    crossForms: extra.crossForms ?? [],
    notes: extra.notes ?? [],
  };
  if (t0 !== undefined) timeline.startedAt = t0;
  if (snap.durationMs !== undefined && snap.startedAt !== undefined && t0 !== undefined) timeline.durationMs = Math.max(0, Math.round(snap.startedAt + snap.durationMs - t0));
  if (extra.dockerfile) timeline.dockerfile = extra.dockerfile;
  return timeline;
}

/**
 * How each step ran, read back from a stored timeline by the step's `#N` (replaying the same log
 * numbers its steps the same way), for the lanes of a build opened from History.
 */
export function runsFromTimeline(timeline: BuildTimeline): (step: { index: number }) => StepRun | undefined {
  const byIndex = new Map<number, TimelineStep>();
  for (const s of [...timeline.shared, ...timeline.lanes.flatMap((l) => l.steps)]) byIndex.set(s.index, s);
  return ({ index }) => {
    const t = byIndex.get(index);
    if (!t) return undefined;
    const run: StepRun = { kind: t.kind, why: t.why, runs: t.runs };
    if (t.on !== undefined) run.on = t.on;
    if (t.line !== undefined) run.line = t.line;
    if (t.endLine !== undefined) run.endLine = t.endLine;
    if (t.stageIndex !== undefined) run.stageIndex = t.stageIndex;
    return run;
  };
}
