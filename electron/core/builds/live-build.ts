import type { BuildChunk, BuildRecord } from '../../../shared/contract/builds';
import { stepRun } from '../../../shared/domain/timeline';
import { replayTail, type LogPipeline, type StepDescriber } from './log-pipeline';
import { LogSink } from './log-sink';
import type { TimelinePlan } from './run-context';
import { drainText, type Watcher } from './watcher';

export type EndReason = 'user' | 'shutdown';

/** A build the service follows while it runs: one buildx process (LiveBuild), or several (a distributed build). */
export interface LiveRun {
  record: BuildRecord;
  readonly watchers: Set<Watcher>;
  readonly done: Promise<BuildRecord>;
  readonly abort: AbortController;
  endReason: EndReason | undefined;
  /** Joins a window late: what was output so far, then the live output. */
  attach(watcher: Watcher, signal: AbortSignal): Promise<void>;
}

/** One running build: the buildx process, its log on disk, its parser, and the windows following it. */
export class LiveBuild implements LiveRun {
  readonly abort = new AbortController();
  readonly sink: LogSink;
  readonly watchers = new Set<Watcher>();
  readonly done: Promise<BuildRecord>;
  resolveDone!: (record: BuildRecord) => void;
  endReason: EndReason | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastProgressAt = 0;

  /** How each step ran (native, emulated, cross, cached), for the lanes and the timeline. */
  readonly describe: StepDescriber;

  constructor(
    public record: BuildRecord,
    private readonly batchMs: number,
    private readonly progressMs: number,
    readonly plan: TimelinePlan,
  ) {
    this.describe = (step) => stepRun(step, plan.run);
    this.sink = new LogSink(record.logFile, record.platforms, this.describe);
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  get pipeline(): LogPipeline {
    return this.sink.pipeline;
  }

  /** Each piece is only queued; the batch is parsed, written to disk and sent every 10 ms. */
  onStderr(chunk: Buffer): void {
    // Big bursts are handled at once, in window-sized pieces, instead of waiting for the timer.
    if (this.sink.push(chunk)) this.flush(false);
    else this.schedule();
  }

  note(line: string): void {
    this.pipeline.note(line);
    this.schedule();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => this.flush(false), this.batchMs);
  }

  flush(final: boolean): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.sink.drain();
    const chunk: BuildChunk = { id: this.record.id };
    const terminal = this.pipeline.take();
    if (terminal) chunk.terminal = terminal;
    if (this.pipeline.dirty) {
      const now = Date.now();
      if (final || now - this.lastProgressAt >= this.progressMs) {
        chunk.progress = this.pipeline.progress();
        this.lastProgressAt = now;
      } else {
        this.schedule();
      }
    }
    if (final) chunk.status = this.record.status;
    if (!chunk.terminal && !chunk.progress && !chunk.status) return;
    for (const w of this.watchers) w.push(chunk);
  }

  /** Joins a window late: replays the log up to now from disk, then the live output. */
  async attach(watcher: Watcher, signal: AbortSignal): Promise<void> {
    // Everything received so far is parsed, on disk and sent to the others: the newcomer gets
    // exactly that from the file, and from here on the same live chunks as everyone.
    this.flush(false);
    const upTo = this.sink.bytes;
    this.watchers.add(watcher);
    this.pipeline.dirty = true; // the next chunk carries the lanes for the newcomer
    if (upTo > 0) {
      await this.sink.flushed();
      const { text } = await replayTail(this.record, { endOffset: upTo, signal });
      for (const terminal of drainText(text, this.record.logFile)) await watcher.sendNow({ id: this.record.id, terminal, replay: true });
    }
    watcher.release();
    // The lanes now, even if the build is quiet (a long RUN step).
    this.schedule();
  }
}
