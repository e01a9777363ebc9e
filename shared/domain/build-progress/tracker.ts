import { normalizePlatform } from '../platform';
import { applyRunTimes, closeRun } from './intervals';
import { JsonObjectStream } from './json-stream';
import type { BuildProgressSnapshot, BuildStatus, BuildWarning, ProgressEvent, StepChange, StepSnapshot, StepStatus } from './model';
import { PlatformGraph } from './platform-graph';
import { assembleSnapshot, isErrorLine } from './snapshot';
import { applyProgressItem, deriveStatus, newStep, stepInfo, stepSnapshot, type Step } from './step';
import { parseTimestamp } from './time';
import { decodeLogData, flushLines, keepLine, scanLogsObject, splitLines } from './vertex-log';
import { parseVertexName } from './vertex-name';
import { readWarning } from './warning';

/**
 * Turns `docker buildx build --progress=rawjson` output into per-platform build progress.
 *
 * Feed it stderr as it arrives (`push`), then `end(exitCode)`. Each call returns the events it
 * caused (log lines tagged with platform and vertex, step state changes, plain-text lines), and
 * `snapshot()` gives the whole state as plain data (memoised until something changes). Log
 * decoding is in vertex-log.ts, run times in intervals.ts, a step's record and status items in
 * step.ts, warnings in warning.ts, the snapshot (lanes, failure summary) in snapshot.ts; this class
 * applies BuildKit's records in order and emits the events.
 */

export interface BuildProgressOptions {
  /**
   * The platforms the build was asked for. Their lanes exist from the start, in this order. With
   * exactly one, buildx writes no platform prefixes at all, so Dockerfile steps are given to it.
   */
  platforms?: readonly string[];
  /** Log lines kept per step for the UI and the failure summary. Default 50. */
  maxLogLinesPerStep?: number;
  /** Plain-text lines kept (the final error is at the end). Default 200. */
  maxTextLines?: number;
  /** BuildKit statuses kept per step (one per pushed layer, …). Default 64. */
  maxProgressItemsPerStep?: number;
  maxWarnings?: number;
  /** Set false when only snapshots are wanted: skips building one event object per log line. */
  logEvents?: boolean;
}

export class BuildProgressTracker {
  private readonly steps = new Map<string, Step>();
  private readonly graph = new PlatformGraph();
  private readonly stream: JsonObjectStream;
  private readonly requested: string[];
  private readonly single: string | undefined;
  private readonly maxLogLines: number;
  private readonly maxTextLines: number;
  private readonly maxProgress: number;
  private readonly maxWarnings: number;
  private readonly logEvents: boolean;

  private out: ProgressEvent[] = [];
  private nextIndex = 1;
  private knownSteps = 0;
  private textLines: string[] = [];
  private warnings: BuildWarning[] = [];
  private stepErrors = 0;
  private errorText = false;
  private ended = false;
  private exitCode: number | undefined;
  private status: BuildStatus = 'waiting';
  private firstTs: number | undefined;
  private lastTs: number | undefined;
  private version = 0;
  private snapVersion = -1;
  private snap: BuildProgressSnapshot | undefined;
  /** Objects that were JSON but not a SolveStatus, or that broke a handler; kept for diagnostics. */
  malformed = 0;

  constructor(options: BuildProgressOptions = {}) {
    this.requested = [...new Set((options.platforms ?? []).map(normalizePlatform))];
    this.single = this.requested.length === 1 ? this.requested[0] : undefined;
    this.maxLogLines = Math.max(1, options.maxLogLinesPerStep ?? 50);
    this.maxTextLines = Math.max(1, options.maxTextLines ?? 200);
    this.maxProgress = Math.max(1, options.maxProgressItemsPerStep ?? 64);
    this.maxWarnings = Math.max(0, options.maxWarnings ?? 100);
    this.logEvents = options.logEvents ?? true;
    this.stream = new JsonObjectStream({
      // Build status is settled after every item so events come in the same order however the
      // input was chunked.
      value: (v) => {
        this.guard(() => this.applyValue(v));
        this.updateBuildStatus();
      },
      text: (line) => {
        this.guard(() => this.applyText(line));
        this.updateBuildStatus();
      },
      raw: (json) => this.fastLogs(json),
    });
  }

  /** Feeds raw stderr. Chunks may split anything: lines, JSON strings, UTF-8 characters. */
  push(chunk: string | Uint8Array): ProgressEvent[] {
    this.out = [];
    this.stream.push(chunk);
    this.updateBuildStatus();
    return this.out;
  }

  /** Applies one already-parsed SolveStatus object (e.g. from a BuildKit client). */
  applySolveStatus(status: unknown): ProgressEvent[] {
    this.out = [];
    this.guard(() => this.applyValue(status));
    this.updateBuildStatus();
    return this.out;
  }

  /**
   * The stream is over (the process exited). Flushes partial lines; steps still running are
   * finished: canceled when the build failed, done otherwise.
   */
  end(exitCode?: number): ProgressEvent[] {
    this.out = [];
    this.stream.end();
    for (const step of this.steps.values()) this.flushStep(step, true);
    this.ended = true;
    this.exitCode = exitCode;
    this.version++;
    const failed = this.computeStatus() === 'error';
    for (const step of this.steps.values()) {
      if (step.status !== 'running') continue;
      closeRun(step, this.lastTs);
      this.setStatus(step, failed ? 'canceled' : 'done');
    }
    this.updateBuildStatus();
    return this.out;
  }

  /** Current state as plain data; the same object is returned until something changes. */
  snapshot(): BuildProgressSnapshot {
    if (this.snap && this.snapVersion === this.version) return this.snap;
    const snap = assembleSnapshot(this.steps.values(), this.requested, {
      status: this.status,
      ended: this.ended,
      exitCode: this.exitCode,
      firstTs: this.firstTs,
      lastTs: this.lastTs,
      textLines: this.textLines,
      warnings: this.warnings,
    });
    this.snap = snap;
    this.snapVersion = this.version;
    return snap;
  }

  /** One step's current state, or undefined for a digest never announced. */
  step(digest: string): StepSnapshot | undefined {
    const step = this.steps.get(digest);
    return step?.known ? stepSnapshot(step, this.lastTs) : undefined;
  }

  /** The platform a vertex is attributed to (undefined: shared or unknown). */
  platformOf(digest: string): string | undefined {
    return this.steps.get(digest)?.platform;
  }

  get buildStatus(): BuildStatus {
    return this.status;
  }

  // ---- input handling ------------------------------------------------------------------------

  private guard(fn: () => void): void {
    try {
      fn();
    } catch {
      this.malformed++;
    }
  }

  private applyValue(value: unknown): void {
    if (!isObject(value)) return;
    let recognised = false;
    const { vertexes, statuses, logs, warnings } = value;
    if (Array.isArray(vertexes)) {
      recognised = true;
      for (const v of vertexes) this.applyVertex(v);
    }
    if (Array.isArray(statuses)) {
      recognised = true;
      for (const s of statuses) this.applyStatus(s);
    }
    if (Array.isArray(logs)) {
      recognised = true;
      for (const l of logs) this.applyLog(l);
    }
    if (Array.isArray(warnings)) {
      recognised = true;
      for (const w of warnings) this.applyWarning(w);
    }
    if (!recognised) this.malformed++;
  }

  private applyText(line: string): void {
    if (this.textLines.length >= this.maxTextLines) this.textLines.shift();
    this.textLines.push(line);
    if (isErrorLine(line)) this.errorText = true;
    this.version++;
    this.out.push({ kind: 'text', line });
  }

  private getStep(digest: string): Step {
    let step = this.steps.get(digest);
    if (!step) {
      step = newStep(digest, this.nextIndex++);
      this.steps.set(digest, step);
    }
    return step;
  }

  private noteTime(ts: number | undefined): void {
    if (ts === undefined) return;
    if (this.firstTs === undefined || ts < this.firstTs) this.firstTs = ts;
    if (this.lastTs === undefined || ts > this.lastTs) this.lastTs = ts;
  }

  private applyVertex(v: unknown): void {
    if (!isObject(v) || typeof v.digest !== 'string' || v.digest === '') return;
    const step = this.getStep(v.digest);
    const isNew = !step.known;
    if (isNew) this.knownSteps++;
    step.known = true;
    let renamed = false;
    if (typeof v.name === 'string' && v.name !== step.fullName) {
      renamed = !isNew;
      step.fullName = v.name;
      step.parsed = parseVertexName(v.name);
    }
    let inputsChanged = false;
    if (Array.isArray(v.inputs)) {
      const self = v.digest;
      const inputs = v.inputs.filter((i): i is string => typeof i === 'string' && i !== '' && i !== self);
      if (!sameList(inputs, step.inputs)) {
        step.inputs = inputs;
        inputsChanged = true;
      }
    }
    if (isNew || renamed || inputsChanged) this.resolvePlatform(step, isNew);

    const started = parseTimestamp(v.started);
    const completed = parseTimestamp(v.completed);
    this.noteTime(started);
    this.noteTime(completed);
    applyRunTimes(step, started, completed);
    if (typeof v.cached === 'boolean') step.cached = v.cached;
    else if (completed !== undefined) step.cached = false;
    if (typeof v.error === 'string' && v.error !== '') step.error = v.error;

    this.touch(step);
    if (isNew) this.emitStep(step, 'new');
    else if (renamed) this.emitStep(step, 'renamed');
    this.setStatus(step, deriveStatus(step));
  }

  private setStatus(step: Step, next: StepStatus): void {
    const prev = step.status;
    if (prev === next) return;
    if (prev === 'error') this.stepErrors--;
    if (next === 'error') this.stepErrors++;
    step.status = next;
    this.touch(step);
    if (next !== 'running' && next !== 'waiting') this.flushStep(step, false);
    if (next !== 'waiting') this.emitStep(step, next);
  }

  private resolvePlatform(step: Step, isNew: boolean): void {
    const fallback = this.single !== undefined && step.parsed.stepIndex !== undefined ? this.single : undefined;
    const changed = this.graph.setVertex(step.digest, step.parsed.platform, step.inputs, fallback);
    for (const digest of changed) {
      const s = this.steps.get(digest);
      if (!s) continue;
      const previous = s.platform;
      s.platform = this.graph.platformOf(digest);
      s.platformSource = this.graph.sourceOf(digest);
      this.touch(s);
      if (previous !== s.platform && s.known && !(s === step && isNew)) {
        this.out.push({ kind: 'platform', digest, index: s.index, platform: s.platform, previous });
      }
    }
  }

  private applyStatus(s: unknown): void {
    if (!isObject(s) || typeof s.vertex !== 'string' || typeof s.id !== 'string') return;
    const step = this.getStep(s.vertex);
    const started = parseTimestamp(s.started);
    const completed = parseTimestamp(s.completed);
    this.noteTime(started);
    this.noteTime(completed);
    this.noteTime(parseTimestamp(s.timestamp));
    const item = applyProgressItem(step, s.id, s, started, completed, this.maxProgress);
    this.touch(step);
    this.out.push({ kind: 'progress', digest: step.digest, index: step.index, platform: step.platform, item: { ...item } });
  }

  private applyWarning(w: unknown): void {
    if (!isObject(w)) return;
    const warning = readWarning(w, (digest) => this.steps.get(digest)?.platform);
    if (this.warnings.length < this.maxWarnings) this.warnings.push(warning);
    this.version++;
    this.out.push({ kind: 'warning', warning });
  }

  // ---- logs ----------------------------------------------------------------------------------

  private applyLog(l: unknown): void {
    if (!isObject(l) || typeof l.vertex !== 'string' || typeof l.data !== 'string') return;
    this.applyLogFields(l.vertex, typeof l.stream === 'number' ? l.stream : 1, l.data, l.timestamp);
  }

  /** One-line log objects are read without JSON.parse (vertex-log.ts); others take the normal path. */
  private fastLogs(json: string): boolean {
    const entries = scanLogsObject(json);
    if (!entries) return false;
    this.guard(() => {
      for (const [vertex, stream, data, ts] of entries) this.applyLogFields(vertex, stream, data, ts);
    });
    return true;
  }

  private applyLogFields(vertex: string, stream: number, data: string, timestamp: unknown): void {
    const step = this.getStep(vertex);
    const ts = parseTimestamp(timestamp);
    this.noteTime(ts);
    splitLines(step, stream, decodeLogData(step, data), ts, this);
    this.touch(step);
  }

  /** Each whole line of a vertex: the line splitter's sink (vertex-log.ts), not for callers. */
  line(step: Step, stream: number, raw: string, ts: number | undefined): void {
    const line = keepLine(step, raw, this.maxLogLines);
    if (this.logEvents) {
      this.out.push({
        kind: 'log',
        line: { digest: step.digest, index: step.index, platform: step.platform, stream, text: line, timestamp: ts },
      });
    }
  }

  /** Emits unterminated lines; at the very end also what the UTF-8 decoder still holds. */
  private flushStep(step: Step, final: boolean): void {
    flushLines(step, final, this.lastTs, this);
  }

  // ---- state ---------------------------------------------------------------------------------

  private touch(step: Step): void {
    step.snap = undefined;
    this.version++;
  }

  private emitStep(step: Step, change: StepChange): void {
    this.out.push({ kind: 'step', change, step: stepInfo(step, this.lastTs) });
  }

  private computeStatus(): BuildStatus {
    if (this.stepErrors > 0 || this.errorText) return 'error';
    if (this.ended) return this.exitCode !== undefined && this.exitCode !== 0 ? 'error' : 'done';
    // Only vertex records start a build: log-only input must not reorder events by chunking.
    return this.knownSteps > 0 ? 'running' : 'waiting';
  }

  private updateBuildStatus(): void {
    const next = this.computeStatus();
    if (next === this.status) return;
    this.status = next;
    this.version++;
    this.out.push({ kind: 'build', status: next });
  }
}

/** One-shot: parses a complete rawjson capture. */
export function parseBuildProgress(
  input: string | Uint8Array,
  options: BuildProgressOptions & { exitCode?: number } = {},
): BuildProgressSnapshot {
  const tracker = new BuildProgressTracker({ ...options, logEvents: false });
  tracker.push(input);
  tracker.end(options.exitCode);
  return tracker.snapshot();
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
