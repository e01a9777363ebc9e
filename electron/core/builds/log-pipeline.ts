import { isAscii } from 'node:buffer';
import { createReadStream } from 'node:fs';
import type { BuildChunk, BuildRecord } from '../../../shared/contract/builds';
import { BuildProgressTracker, TerminalFormatter, type BuildProgressSnapshot, type StepRun, type StepSnapshot, type TerminalChunk } from '../../../shared/domain/build-progress';
import { endsInsideUtf8Sequence } from '../../../shared/domain/build-progress/base64';
import { TERMINAL_SCROLLBACK, TerminalBatchAccumulator, TerminalBatchBuilder, type TerminalBatch } from '../../../shared/domain/terminal-batch';

/**
 * rawjson bytes → per-platform progress (the shared parser) → terminal text for xterm, batched
 * with the platform of each stretch so the renderer can filter one platform. Used for live builds
 * and to replay a log from disk; both produce exactly the same text.
 */
export class LogPipeline {
  readonly tracker: BuildProgressTracker;
  private readonly formatter = new TerminalFormatter({ eol: '\r\n' });
  private readonly batch = new TerminalBatchAccumulator();
  /** Something changed since the last `progress()`. */
  dirty = false;
  /** The parser's UTF-8 decoder holds part of a character from the last chunk. */
  private utf8Pending = false;
  private readonly lean: (step: StepSnapshot) => StepSnapshot;

  /** `describe`: how a step ran (the timeline's kinds), added to the lanes `progress()` sends. */
  constructor(platforms: readonly string[], describe?: StepDescriber) {
    this.tracker = new BuildProgressTracker({ platforms });
    this.lean = leanStep(describe);
  }

  push(chunk: Buffer): void {
    // buildx's JSON is ASCII nearly always, and latin1 decodes that several times faster than
    // UTF-8 (the whole parse then takes about a tenth less CPU); the UTF-8 path stays for the
    // rest and whenever its decoder holds part of a character.
    let input: Buffer | string;
    if (!this.utf8Pending && isAscii(chunk)) input = chunk.toString('latin1');
    else {
      input = chunk;
      this.utf8Pending = endsInsideUtf8Sequence(chunk);
    }
    const events = this.tracker.push(input);
    if (events.length === 0) return;
    this.dirty = true;
    this.append(this.formatter.format(events));
  }

  end(exitCode?: number): void {
    const events = this.tracker.end(exitCode);
    this.dirty = true;
    this.append(this.formatter.format(events));
  }

  /** A line of the app's own (cancelled, could not start), shown in every platform's view. */
  note(line: string): void {
    this.batch.add(`\x1b[33m${line}\x1b[0m\r\n`, undefined, 1);
  }

  get pendingTextBytes(): number {
    return this.batch.size;
  }

  take(): TerminalBatch | undefined {
    return this.batch.take();
  }

  /** The lanes as sent to the renderer: log lines kept only for failed steps (the rest is in the terminal), how each step ran. */
  progress(): BuildProgressSnapshot {
    this.dirty = false;
    const snap = this.tracker.snapshot();
    return { ...snap, lanes: snap.lanes.map((l) => ({ ...l, steps: l.steps.map(this.lean) })), shared: snap.shared.map(this.lean) };
  }

  private append(chunks: TerminalChunk[]): void {
    for (const c of chunks) this.batch.add(c.text, c.platform, c.lines);
  }
}

/** How a step ran; undefined leaves the step without a kind. */
export type StepDescriber = (step: StepSnapshot) => StepRun | undefined;

/**
 * A step as sent: without its log lines unless it failed, with `run` when known. The tracker hands
 * out the same object until a step changes, so each is made once per change (lanes are sent every
 * 100 ms, and a big build has thousands of steps).
 */
function leanStep(describe: StepDescriber | undefined): (step: StepSnapshot) => StepSnapshot {
  const made = new WeakMap<StepSnapshot, StepSnapshot>();
  return (step) => {
    const known = made.get(step);
    if (known) return known;
    const lines = step.status === 'error' || step.lastLogLines.length === 0 ? step.lastLogLines : [];
    const run = describe?.(step);
    const lean = lines === step.lastLogLines && !run ? step : { ...step, lastLogLines: lines, ...(run ? { run } : {}) };
    made.set(step, lean);
    return lean;
  };
}

/**
 * Reads `file` (up to `endOffset` bytes, default all) through a fresh pipeline, calling `emit`
 * with replay chunks of about `chunkBytes` of terminal text. Returns the pipeline (its tracker
 * holds the lanes, its batch what was not emitted yet).
 */
export async function replayLog(
  file: string,
  id: string,
  platforms: readonly string[],
  emit: (chunk: BuildChunk) => Promise<void>,
  options: { endOffset?: number; signal?: AbortSignal; chunkBytes?: number; readBytes?: number; describe?: StepDescriber } = {},
): Promise<LogPipeline> {
  const pipeline = new LogPipeline(platforms, options.describe);
  if (options.endOffset === 0) return pipeline;
  const chunkBytes = options.chunkBytes ?? 128 * 1024;
  const stream = createReadStream(file, {
    highWaterMark: options.readBytes ?? 64 * 1024,
    ...(options.endOffset !== undefined ? { end: options.endOffset - 1 } : {}),
  });
  try {
    for await (const data of stream) {
      if (options.signal?.aborted) break;
      pipeline.push(data as Buffer);
      if (pipeline.pendingTextBytes >= chunkBytes) {
        const terminal = pipeline.take();
        if (terminal) await emit({ id, terminal, replay: true });
      }
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  } finally {
    stream.destroy();
  }
  return pipeline;
}

/**
 * A build's log read back from disk, keeping what a terminal can still show: the last lines of
 * every view (the window gets a scrollback, not the whole log). `end` runs before the last text is
 * taken, for lines the replay adds at the end.
 */
export async function replayTail(
  record: BuildRecord,
  options: { endOffset?: number; signal?: AbortSignal; describe?: StepDescriber },
  end?: (pipeline: LogPipeline) => void,
): Promise<{ pipeline: LogPipeline; text: TerminalBatchBuilder }> {
  const text = new TerminalBatchBuilder({ keep: TERMINAL_SCROLLBACK, views: record.platforms });
  const pipeline = await replayLog(record.logFile, record.id, record.platforms, async (c) => c.terminal && text.addBatch(c.terminal), options);
  end?.(pipeline);
  const rest = pipeline.take();
  if (rest) text.addBatch(rest);
  return { pipeline, text };
}
