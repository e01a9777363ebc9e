import { classifyFailure, errorMessage } from './classify';
import type { BuildProgressSnapshot, BuildStatus, BuildWarning, FailedStep, FailureSummary, LaneStatus, PlatformLane, StepSnapshot } from './model';
import { stepSnapshot, type Step } from './step';

/**
 * Assembling a snapshot from step states: each lane's counts, status and times, steps in
 * dependency order, and the summary of a failed build. Pure functions of what the tracker has.
 */

/** What the tracker knows besides its steps, for a snapshot. */
export interface SnapshotState {
  status: BuildStatus;
  ended: boolean;
  exitCode: number | undefined;
  /** The earliest and latest timestamps seen. */
  firstTs: number | undefined;
  lastTs: number | undefined;
  textLines: readonly string[];
  warnings: readonly BuildWarning[];
}

/** The whole state as plain data: a lane per platform (the requested ones first, in order), the shared steps, the failure. */
export function assembleSnapshot(steps: Iterable<Step>, requested: readonly string[], state: SnapshotState): BuildProgressSnapshot {
  const lanes = new Map<string, PlatformLane>();
  const lane = (platform: string): PlatformLane => {
    let l = lanes.get(platform);
    if (!l) {
      l = { platform, status: 'waiting', steps: [], counts: { total: 0, done: 0, cached: 0, running: 0, error: 0 } };
      lanes.set(platform, l);
    }
    return l;
  };
  for (const p of requested) lane(p);
  const shared: StepSnapshot[] = [];
  for (const step of steps) {
    if (!step.known) continue;
    const s = stepSnapshot(step, state.lastTs);
    if (step.platform !== undefined) lane(step.platform).steps.push(s);
    else shared.push(s);
  }
  const failed = state.status === 'error';
  for (const l of lanes.values()) {
    l.steps = inDependencyOrder(l.steps);
    finishLane(l, state.lastTs, state.ended, failed);
  }

  const snap: BuildProgressSnapshot = {
    status: state.status,
    ended: state.ended,
    lanes: [...lanes.values()],
    shared: inDependencyOrder(shared),
    textLines: [...state.textLines],
    warnings: [...state.warnings],
  };
  if (state.firstTs !== undefined) {
    snap.startedAt = state.firstTs;
    if (state.lastTs !== undefined) snap.durationMs = state.lastTs - state.firstTs;
    if (state.ended && state.lastTs !== undefined) snap.completedAt = state.lastTs;
  }
  if (state.status === 'error') snap.failure = failureSummary(snap, state.textLines, state.exitCode);
  return snap;
}

/** Counts a lane's steps and settles its status and times (`now`: the latest timestamp seen). */
export function finishLane(lane: PlatformLane, now: number | undefined, ended: boolean, failed: boolean): void {
  const c = lane.counts;
  let canceled = 0;
  let started: number | undefined;
  let completed: number | undefined;
  let waiting = 0;
  for (const s of lane.steps) {
    c.total++;
    if (s.status === 'done') c.done++;
    else if (s.status === 'cached') c.cached++;
    else if (s.status === 'running') c.running++;
    else if (s.status === 'error') c.error++;
    else if (s.status === 'canceled') canceled++;
    else waiting++;
    if (s.startedAt !== undefined && (started === undefined || s.startedAt < started)) started = s.startedAt;
    if (s.completedAt !== undefined && (completed === undefined || s.completedAt > completed)) completed = s.completedAt;
  }
  let status: LaneStatus;
  if (c.error > 0) status = 'error';
  else if (canceled > 0) status = 'canceled';
  else if (c.total === 0 || waiting === c.total) status = 'waiting';
  else if (c.done + c.cached === c.total) status = 'done';
  else status = 'running';
  // Once the build is over nothing is still going: a lane that did not get to finish was cut
  // short by a failure elsewhere.
  if (ended && (status === 'running' || status === 'waiting')) {
    if (failed) status = 'canceled';
    else if (status === 'running') status = 'done';
  }
  lane.status = status;
  if (started !== undefined) lane.startedAt = started;
  const finished = status === 'done' || status === 'error' || status === 'canceled';
  if (finished && completed !== undefined) lane.completedAt = completed;
  const end = finished ? completed : now;
  if (started !== undefined && end !== undefined) lane.durationMs = Math.round((end - started) * 1000) / 1000;
}

/**
 * Inputs before the steps that use them (`1/3` before `2/3`), ties broken by `#N`. BuildKit
 * announces a stage's last step first, so first-appearance order reads backwards.
 */
export function inDependencyOrder(steps: StepSnapshot[]): StepSnapshot[] {
  if (steps.length < 2) return steps;
  const byDigest = new Map<string, StepSnapshot>();
  for (const s of steps) byDigest.set(s.digest, s);
  const done = new Set<string>();
  const ordered: StepSnapshot[] = [];
  // Iterative DFS (post-order): big graphs must not overflow the stack.
  const stack: Array<{ step: StepSnapshot; next: number }> = [];
  for (const root of steps) {
    if (done.has(root.digest)) continue;
    done.add(root.digest);
    stack.push({ step: root, next: 0 });
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const inputs = top.step.inputs;
      let pushed = false;
      while (top.next < inputs.length) {
        const dep = byDigest.get(inputs[top.next++]!);
        if (dep && !done.has(dep.digest)) {
          done.add(dep.digest);
          stack.push({ step: dep, next: 0 });
          pushed = true;
          break;
        }
      }
      if (!pushed) {
        ordered.push(top.step);
        stack.pop();
      }
    }
  }
  return ordered;
}

const ERROR_LINE = /^(?:ERROR|error):? /;

/** Whether a plain-text line of buildx is its final error. */
export const isErrorLine = (line: string): boolean => ERROR_LINE.test(line);

/** What failed, where, and the likely cause: from the failed steps, their last lines and buildx's own text. */
export function failureSummary(snap: BuildProgressSnapshot, textLines: readonly string[], exitCode: number | undefined): FailureSummary {
  const steps: FailedStep[] = [];
  const all = [...snap.shared, ...snap.lanes.flatMap((l) => l.steps)].sort((a, b) => a.index - b.index);
  for (const s of all) {
    if (s.status !== 'error') continue;
    const f: FailedStep = {
      digest: s.digest,
      index: s.index,
      name: s.name,
      fullName: s.fullName,
      error: s.error ?? '',
      lastLogLines: s.lastLogLines,
    };
    if (s.platform !== undefined) f.platform = s.platform;
    if (s.stepLabel !== undefined) f.stepLabel = s.stepLabel;
    steps.push(f);
  }
  const platforms = [...new Set(steps.flatMap((s) => (s.platform !== undefined ? [s.platform] : [])))];
  const errorAt = textLines.findIndex(isErrorLine);
  const message = errorAt >= 0 ? errorMessage(textLines.slice(errorAt).join('\n')) : undefined;
  const evidence = [...steps.flatMap((s) => [s.error, ...s.lastLogLines]), ...textLines].join('\n');
  const summary: FailureSummary = {
    platforms,
    steps,
    textLines: [...textLines],
    cause: classifyFailure(evidence, { platforms }),
  };
  if (message !== undefined) summary.message = message;
  if (exitCode !== undefined) summary.exitCode = exitCode;
  return summary;
}
