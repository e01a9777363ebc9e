import { createWriteStream, type WriteStream } from 'node:fs';
import type { BuildChunk, BuildRecord } from '../../../shared/contract/builds';
import { stepRun } from '../../../shared/domain/timeline';
import { LogPipeline, replayTail, type StepDescriber } from './log-pipeline';
import type { TimelinePlan } from './run-context';
import { drainText, type Watcher } from './watcher';

export type EndReason = 'user' | 'shutdown';

/** Terminal text that is sent at once rather than at the next 10 ms tick. */
const FLUSH_BYTES = 128 * 1024;

/** One running build: the buildx process, its log on disk, its parser, and the windows following it. */
export class LiveBuild {
  readonly abort = new AbortController();
  readonly pipeline: LogPipeline;
  readonly watchers = new Set<Watcher>();
  readonly done: Promise<BuildRecord>;
  resolveDone!: (record: BuildRecord) => void;
  endReason: EndReason | undefined;
  bytes = 0;
  log: WriteStream;
  private raw: Buffer[] = [];
  private rawBytes = 0;
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
    this.pipeline = new LogPipeline(record.platforms, this.describe);
    this.log = createWriteStream(record.logFile, { flags: 'a', mode: 0o600 });
    this.log.on('error', () => undefined); // a full disk must not take the core down; the record says what was written
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  /**
   * buildx writes many small pieces; each is only queued here and the batch is parsed, written to
   * disk and sent every 10 ms. Work per piece would steal CPU from the build (QEMU needs it all)
   * and, when the pipe fills, block buildx itself.
   */
  onStderr(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.raw.push(chunk);
    this.rawBytes += chunk.length;
    // Big bursts are handled at once, in window-sized pieces, instead of waiting for the timer.
    if (this.rawBytes >= FLUSH_BYTES) this.flush(false);
    else this.schedule();
  }

  /** Parses and stores what arrived since the last flush. */
  drainRaw(): void {
    if (this.rawBytes === 0) return;
    // Many small pieces are parsed as one; big ones (a flood fills the pipe) as they came, since
    // copying them into one buffer would double the bytes a flood makes the core allocate.
    const raw = this.raw.length === 1 || this.rawBytes >= this.raw.length * 16 * 1024 ? this.raw : [Buffer.concat(this.raw, this.rawBytes)];
    this.raw = [];
    this.rawBytes = 0;
    for (const data of raw) {
      this.log.write(data);
      this.pipeline.push(data);
    }
  }

  note(line: string): void {
    this.pipeline.note(line);
    this.schedule();
  }

  /** Resolves once everything handed to the log stream so far is in the file. */
  logFlushed(): Promise<void> {
    return new Promise((resolve) => {
      if (this.log.closed || this.log.destroyed) resolve();
      else this.log.write(Buffer.alloc(0), () => resolve());
    });
  }

  closeLog(): Promise<void> {
    this.drainRaw();
    return new Promise((resolve) => {
      if (this.log.closed) resolve();
      else this.log.end(() => resolve());
    });
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => this.flush(false), this.batchMs);
  }

  flush(final: boolean): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.drainRaw();
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
    const upTo = this.bytes;
    this.watchers.add(watcher);
    this.pipeline.dirty = true; // the next chunk carries the lanes for the newcomer
    if (upTo > 0) {
      await this.logFlushed();
      const { text } = await replayTail(this.record, { endOffset: upTo, signal });
      for (const terminal of drainText(text, this.record.logFile)) await watcher.sendNow({ id: this.record.id, terminal, replay: true });
    }
    watcher.release();
    // The lanes now, even if the build is quiet (a long RUN step).
    this.schedule();
  }
}

