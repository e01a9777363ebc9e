import { TERMINAL_SCROLLBACK, TerminalBatchBuilder, batchLines, tailOfBatch, type BuildChunk, type TerminalBatch } from '../../../shared/contract/builds';

/** Text per chunk sent: small frames keep the window responsive (each is parsed in one go). */
export const MAX_CHUNK_TEXT = 256 * 1024;

export interface WatcherOptions {
  /** Text a window may have waiting before the oldest is dropped (it stays on disk). */
  maxBacklogBytes?: number;
  logFile?: string;
  /** Start held: queue until `release()` (a replay goes first). */
  hold?: boolean;
  /** The build's platforms: views that need their last lines even when a batch has none of theirs. */
  platforms?: readonly string[];
  /** Lines the terminal keeps per view. */
  keep?: number;
  /**
   * While more than `floodLines` lines go out per `floodMs` (default 200 ms: 5 screen updates a
   * second, when output is far faster than anyone reads), sends are spaced `floodMs` apart and
   * merged. 0 disables it.
   */
  floodMs?: number;
  floodLines?: number;
}

/**
 * One window following a build. Chunks queue while the previous send waits for the transport's
 * flow control; queued chunks are merged (up to MAX_CHUNK_TEXT each). When output floods (more
 * lines than anyone can read), sends are spaced out and each merged batch is cut to what the
 * terminal can still show: the last `keep` lines of every view; the rest would scroll out unseen.
 * If the window falls far behind (more than `maxBacklogBytes` waiting), the oldest text is dropped.
 * Either way a line says how much was left out: the build never waits for a window, and the full
 * log stays on disk.
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
  private windowStart = 0;
  private windowLines = 0;
  private readonly keep: number;
  private readonly floodMs: number;
  private readonly floodLines: number;

  constructor(
    private readonly send: (chunk: BuildChunk) => Promise<void>,
    private readonly options: WatcherOptions = {},
  ) {
    this.holding = options.hold ?? false;
    this.keep = options.keep ?? TERMINAL_SCROLLBACK;
    this.floodMs = options.floodMs ?? 200;
    this.floodLines = options.floodLines ?? this.keep;
  }

  /** Where the full log is, for the line that says what was left out (known once the build started). */
  setLogFile(logFile: string): void {
    this.options.logFile = logFile;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  push(chunk: BuildChunk): void {
    if (this.closed) return;
    this.queue.push(chunk);
    this.queuedBytes += chunk.terminal?.text.length ?? 0;
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
        let flooding = false;
        if (this.floodMs > 0) {
          const now = Date.now();
          if (now - this.windowStart >= this.floodMs) {
            this.windowStart = now;
            this.windowLines = 0;
          } else if (this.windowLines >= this.floodLines) {
            // Let what comes meanwhile merge into one send, cut to what can be shown.
            await new Promise((r) => setTimeout(r, this.floodMs - (now - this.windowStart)));
            flooding = true;
            this.windowStart = Date.now();
            this.windowLines = 0;
          }
        }
        const batch = mergeChunks(this.queue, undefined, flooding ? Infinity : MAX_CHUNK_TEXT);
        this.queue = [];
        this.queuedBytes = 0;
        for (const chunk of batch) {
          if (chunk.terminal) {
            if (flooding) {
              const { batch: tail, dropped } = tailOfBatch(chunk.terminal, this.keep, this.options.platforms);
              this.skipped += dropped;
              this.droppedLines += dropped;
              chunk.terminal = tail;
            }
            if (this.skipped > 0) chunk.terminal = withMarker(chunk.terminal, this.marker());
            this.windowLines += batchLines(chunk.terminal);
          }
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
    this.queue = this.queue.map((chunk) => {
      if (bytes <= keepBytes || !chunk.terminal) return chunk;
      bytes -= chunk.terminal.text.length;
      const lines = batchLines(chunk.terminal);
      this.skipped += lines;
      this.droppedLines += lines;
      const { terminal: _dropped, ...rest } = chunk;
      return rest;
    });
    this.queuedBytes = bytes;
  }

  /** One line saying how much was dropped since the last send. */
  private marker(): string {
    const where = this.options.logFile ? ` (the full log is in ${this.options.logFile})` : '';
    const line = `\x1b[2m… ${this.skipped} lines not shown here: more output than a terminal can show${where}\x1b[0m\r\n`;
    this.skipped = 0;
    return line;
  }
}

/**
 * Consecutive chunks merged into as few as possible, each with at most MAX_CHUNK_TEXT of text
 * (replay and live chunks are never mixed). `marker` goes first, as a shared line.
 */
export function mergeChunks(chunks: readonly BuildChunk[], marker?: string, maxText = MAX_CHUNK_TEXT): BuildChunk[] {
  // The usual case when the window keeps up: nothing to merge.
  if (chunks.length === 1 && !marker && (chunks[0]!.terminal?.text.length ?? 0) <= maxText) return [chunks[0]!];
  const out: BuildChunk[] = [];
  let current: { chunk: BuildChunk; text: TerminalBatchBuilder } | undefined;
  const close = () => {
    if (!current) return;
    const terminal = current.text.take();
    if (terminal) current.chunk.terminal = terminal;
    out.push(current.chunk);
    current = undefined;
  };
  for (const chunk of chunks) {
    const sameKind = current && Boolean(current.chunk.replay) === Boolean(chunk.replay) && current.chunk.id === chunk.id;
    const fits = current && current.text.size + (chunk.terminal?.text.length ?? 0) <= maxText;
    if (!current || !sameKind || !fits) {
      close();
      const { terminal: _t, ...rest } = chunk;
      current = { chunk: { ...rest }, text: new TerminalBatchBuilder() };
      if (marker) {
        current.text.add(marker, undefined, 1);
        marker = undefined;
      }
    } else {
      if (chunk.progress) current.chunk.progress = chunk.progress;
      if (chunk.status) current.chunk.status = chunk.status;
    }
    if (chunk.terminal) current.text.addBatch(chunk.terminal);
  }
  close();
  return out;
}

/** The batch with one shared line in front. */
function withMarker(batch: TerminalBatch, line: string): TerminalBatch {
  const b = new TerminalBatchBuilder();
  b.add(line, undefined, 1);
  b.addBatch(batch);
  return b.take()!;
}
