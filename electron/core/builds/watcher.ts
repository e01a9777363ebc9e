import type { BuildChunk, TerminalSegment } from '../../../shared/contract/builds';
import { mergeSegments } from './log-pipeline';

/**
 * One renderer following a build. Chunks queue while the previous send waits for the transport's
 * flow control; queued chunks are merged into one. If the window falls far behind (more than
 * `maxBacklogBytes` of text waiting), the oldest text is dropped and a marker line says so: the
 * build never waits for a slow window, and the full log stays on disk.
 */
export class Watcher {
  private queue: BuildChunk[] = [];
  private queuedBytes = 0;
  private pumping = false;
  private holding: boolean;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  droppedLines = 0;
  /** Lines dropped and not yet reported to the window. */
  private skipped = 0;

  constructor(
    private readonly send: (chunk: BuildChunk) => Promise<void>,
    private readonly options: { maxBacklogBytes?: number; logFile?: string; hold?: boolean } = {},
  ) {
    this.holding = options.hold ?? false;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  push(chunk: BuildChunk): void {
    if (this.closed) return;
    // Chunks are shared between watchers; trimming must only touch this one's copy.
    this.queue.push({ ...chunk, terminal: [...chunk.terminal] });
    for (const s of chunk.terminal) this.queuedBytes += s.text.length;
    const max = this.options.maxBacklogBytes ?? 16 * 1024 * 1024;
    if (this.queuedBytes > max) this.trim(max / 2);
    if (!this.holding) void this.pump();
  }

  /** Sends directly, bypassing the queue (replay before joining live output). */
  async sendNow(chunk: BuildChunk): Promise<void> {
    if (this.closed) return;
    try {
      await this.send(chunk);
    } catch {
      this.close();
    }
  }

  /** Starts sending what queued while held (after a replay). */
  release(): void {
    this.holding = false;
    void this.pump();
  }

  close(): void {
    this.closed = true;
    this.queue = [];
    this.queuedBytes = 0;
    this.wakeIdle();
  }

  /** Resolves when everything pushed so far has been sent (or the watcher closed). */
  drained(): Promise<void> {
    if (this.closed || (!this.pumping && this.queue.length === 0 && !this.holding)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0 && !this.closed && !this.holding) {
        const batch = mergeChunks(this.queue);
        this.queue = [];
        this.queuedBytes = 0;
        if (this.skipped > 0 && batch[0]) batch[0].terminal.unshift(this.marker());
        for (const chunk of batch) {
          try {
            await this.send(chunk);
          } catch {
            this.close();
            return;
          }
        }
      }
    } finally {
      this.pumping = false;
      if (this.queue.length === 0) this.wakeIdle();
    }
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Drops the oldest queued text until at most `keepBytes` remain; progress and status are kept. */
  private trim(keepBytes: number): void {
    let bytes = this.queuedBytes;
    for (const chunk of this.queue) {
      if (bytes <= keepBytes) break;
      const kept: TerminalSegment[] = [];
      for (const seg of chunk.terminal) {
        if (bytes > keepBytes) {
          bytes -= seg.text.length;
          this.skipped += seg.lines;
          this.droppedLines += seg.lines;
        } else kept.push(seg);
      }
      chunk.terminal = kept;
    }
    this.queuedBytes = bytes;
  }

  /** One line saying how much was dropped since the last send. */
  private marker(): TerminalSegment {
    const where = this.options.logFile ? ` (the full log is in ${this.options.logFile})` : '';
    const segment = { text: `\x1b[2m… ${this.skipped} lines skipped: the window fell behind${where}\x1b[0m\r\n`, lines: 1 };
    this.skipped = 0;
    return segment;
  }
}

/** Consecutive chunks merged into as few as possible (replay and live chunks are never mixed). */
export function mergeChunks(chunks: readonly BuildChunk[]): BuildChunk[] {
  const out: BuildChunk[] = [];
  for (const chunk of chunks) {
    const last = out[out.length - 1];
    if (last && Boolean(last.replay) === Boolean(chunk.replay) && last.id === chunk.id) {
      mergeSegments(last.terminal, chunk.terminal);
      if (chunk.progress) last.progress = chunk.progress;
      if (chunk.status) last.status = chunk.status;
    } else {
      const copy: BuildChunk = { ...chunk, terminal: [] };
      mergeSegments(copy.terminal, chunk.terminal);
      out.push(copy);
    }
  }
  return out;
}
