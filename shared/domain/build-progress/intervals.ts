/**
 * When a vertex ran. BuildKit may run a vertex more than once (a retried or re-solved step), so a
 * step keeps its closed run intervals merged, plus the start of the one in progress, and its
 * duration is the time actually spent running, not first start to last end.
 */
export interface RunIntervals {
  /** Closed run intervals, merged: [start0, end0, start1, end1, …]. */
  intervals: number[];
  running: boolean;
  /** Start of the run interval in progress. */
  openStart: number | undefined;
}

/** A run with its first start and last end as the vertex's records give them. */
export interface TimedRun extends RunIntervals {
  firstStarted: number | undefined;
  completedAt: number | undefined;
}

/**
 * Applies one vertex record's times. Later records override; a record without timestamps leaves
 * the timing alone. A record with `started` and no `completed` means the vertex runs (again).
 */
export function applyRunTimes(run: TimedRun, started: number | undefined, completed: number | undefined): void {
  if (started !== undefined) {
    if (run.firstStarted === undefined || started < run.firstStarted) run.firstStarted = started;
    if (completed !== undefined) {
      addInterval(run, started, completed);
      run.running = false;
      run.openStart = undefined;
      run.completedAt = Math.max(run.completedAt ?? completed, completed);
    } else {
      run.running = true;
      run.openStart = started;
    }
  } else if (completed !== undefined) {
    if (run.openStart !== undefined) addInterval(run, run.openStart, completed);
    run.running = false;
    run.openStart = undefined;
    run.completedAt = Math.max(run.completedAt ?? completed, completed);
  }
}

/** Ends a run still in progress when the build ended, at `at` (the latest timestamp seen). */
export function closeRun(run: TimedRun, at: number | undefined): void {
  run.running = false;
  if (run.openStart !== undefined && at !== undefined) addInterval(run, run.openStart, at);
  run.openStart = undefined;
  if (at !== undefined) run.completedAt = at;
}

export function addInterval(run: RunIntervals, start: number, end: number): void {
  const s = start;
  const e = Math.max(start, end);
  const iv = run.intervals;
  // Usually one or two intervals: insert in order, then merge overlaps.
  let at = iv.length;
  while (at > 0 && iv[at - 2]! > s) at -= 2;
  iv.splice(at, 0, s, e);
  const merged: number[] = [];
  for (let i = 0; i < iv.length; i += 2) {
    const a = iv[i]!;
    const b = iv[i + 1]!;
    const n = merged.length;
    if (n > 0 && a <= merged[n - 1]!) merged[n - 1] = Math.max(merged[n - 1]!, b);
    else merged.push(a, b);
  }
  run.intervals = merged;
}

/** Time spent running up to `now` (the latest timestamp seen), or undefined when it never ran. */
export function durationOf(run: RunIntervals, now: number | undefined): number | undefined {
  const iv = run.intervals;
  let total = 0;
  let any = false;
  let coveredTo = -Infinity;
  for (let i = 0; i < iv.length; i += 2) {
    total += iv[i + 1]! - iv[i]!;
    coveredTo = Math.max(coveredTo, iv[i + 1]!);
    any = true;
  }
  if (run.running && run.openStart !== undefined && now !== undefined) {
    const from = Math.max(run.openStart, coveredTo);
    if (now > from) total += now - from;
    any = true;
  }
  return any ? Math.round(total * 1000) / 1000 : undefined;
}
