import type { BuildChunk, BuildRecord, BuildStatusValue } from '../../../shared/contract/builds';
import type { BuildProgressSnapshot } from '../../../shared/domain/build-progress';
import { TERMINAL_SCROLLBACK, TerminalBatchBuilder, type TerminalBatch } from '../../../shared/domain/terminal-batch';
import { RpcError } from '../../../shared/rpc/errors';

/** Terminal text per chunk: a terminal parses each write in one go, so chunks stay small. */
export const MAX_CHUNK_TEXT = 64 * 1024;

export interface WatcherOptions {
  logFile?: string;
  /** Start held: collect until `release()` (a replay goes first). */
  hold?: boolean;
  /** The build's platforms: views that need their last lines even when they have none of their own yet. */
  platforms?: readonly string[];
  /** Lines the terminal keeps per view. */
  keep?: number;
}

/**
 * The one line that says output was left out (a window fell behind, or a long log was opened).
 * ASCII only: one wider character would make the whole chunk it leads a two-byte string, which
 * costs twice the memory and the slow path of every encoder on the way.
 */
export function notShownLine(lines: number, logFile: string | undefined, keep = TERMINAL_SCROLLBACK): string {
  const where = logFile ? `; the full log is in ${logFile}` : '';
  return `\x1b[2m... ${lines} lines not shown here: more output than the terminal shows (it keeps the last ${keep} of each view)${where}\x1b[0m\r\n`;
}

/** Takes the next chunk of text from `text`, led by the not-shown line when it dropped some. */
export function takeChunkText(text: TerminalBatchBuilder, logFile: string | undefined, keep = TERMINAL_SCROLLBACK): { terminal?: TerminalBatch; dropped: number } {
  const dropped = text.dropped;
  text.dropped = 0;
  const terminal = text.take(MAX_CHUNK_TEXT, dropped > 0 ? notShownLine(dropped, logFile, keep) : undefined);
  return terminal ? { terminal, dropped } : { dropped };
}

/** All of `text` as chunk-sized batches, the first led by the not-shown line when it dropped some. */
export function drainText(text: TerminalBatchBuilder, logFile: string | undefined): TerminalBatch[] {
  const out: TerminalBatch[] = [];
  for (let t = takeChunkText(text, logFile).terminal; t; t = takeChunkText(text, logFile).terminal) out.push(t);
  return out;
}

/**
 * One window following a build. `send` resolves once the window has room: it acknowledges the
 * characters its terminal has parsed. Meanwhile output collects here, keeping only what a terminal
 * can still show (the last `keep` lines of every view); the next chunk then starts with one line
 * saying how much was left out. The build never waits for a window, and its log on disk is whole.
 */
export class Watcher {
  private readonly text: TerminalBatchBuilder;
  private id: string | undefined;
  private progress: BuildProgressSnapshot | undefined;
  private status: BuildStatusValue | undefined;
  private pumping = false;
  private holding: boolean;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  private readonly keep: number;
  /** Lines left out for this window so far. */
  droppedLines = 0;

  constructor(
    private readonly send: (chunk: BuildChunk) => Promise<void>,
    private readonly options: WatcherOptions = {},
  ) {
    this.holding = options.hold ?? false;
    this.keep = options.keep ?? TERMINAL_SCROLLBACK;
    this.text = new TerminalBatchBuilder({ keep: this.keep, views: options.platforms ?? [] });
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
    this.id = chunk.id;
    if (chunk.terminal) this.text.addBatch(chunk.terminal);
    if (chunk.progress) this.progress = chunk.progress;
    if (chunk.status) this.status = chunk.status;
    if (!this.holding) void this.pump();
  }

  /** Sends directly, ahead of what is collected (a replay before joining live output). */
  async sendNow(chunk: BuildChunk): Promise<void> {
    if (this.closed) return;
    try {
      await this.send(chunk);
    } catch {
      this.close();
    }
  }

  /** Starts sending what collected while held (after a replay). */
  release(): void {
    this.holding = false;
    void this.pump();
  }

  close(): void {
    this.closed = true;
    this.wakeIdle();
  }

  /** Resolves when everything pushed so far has been sent (or the watcher closed). */
  drained(): Promise<void> {
    if (this.closed || (!this.pumping && !this.holding && this.pending === undefined)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private get pending(): true | undefined {
    return this.text.size > 0 || this.progress || this.status ? true : undefined;
  }

  /** The next chunk: the oldest text kept, the latest lanes, and the status once no text is left before it. */
  private next(): BuildChunk | undefined {
    if (this.id === undefined || this.pending === undefined) return undefined;
    const chunk: BuildChunk = { id: this.id };
    const { terminal, dropped } = takeChunkText(this.text, this.options.logFile, this.keep);
    this.droppedLines += dropped;
    if (terminal) chunk.terminal = terminal;
    if (this.progress) chunk.progress = this.progress;
    this.progress = undefined;
    if (this.status && this.text.size === 0) {
      chunk.status = this.status;
      this.status = undefined;
    }
    return chunk;
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let chunk = this.next(); chunk && !this.closed && !this.holding; chunk = this.next()) {
        try {
          await this.send(chunk);
        } catch {
          this.close();
          return;
        }
      }
    } finally {
      this.pumping = false;
      if (this.pending === undefined) this.wakeIdle();
    }
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

/** Sends a build's output to one watcher until the build ends or the caller stops following. */
export async function follow(
  live: { done: Promise<BuildRecord>; watchers: Set<Watcher> },
  watcher: Watcher,
  signal: AbortSignal,
  begin: () => unknown,
): Promise<BuildRecord> {
  try {
    await begin();
    const record = await untilAborted(live.done, signal);
    await watcher.drained();
    return record;
  } finally {
    watcher.close();
    live.watchers.delete(watcher);
  }
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new RpcError('CANCELLED', 'Stopped following the build.'));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new RpcError('CANCELLED', 'Stopped following the build.'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
