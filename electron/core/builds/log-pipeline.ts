import { createReadStream } from 'node:fs';
import type { BuildChunk, TerminalSegment } from '../../../shared/contract/builds';
import { BuildProgressTracker, TerminalFormatter, type BuildProgressSnapshot, type TerminalChunk } from '../../../shared/domain/build-progress';

/**
 * rawjson bytes → per-platform progress (the shared parser) → terminal text for xterm, kept as
 * segments tagged with their platform so the renderer can filter one platform. Used for live
 * builds and to replay a log from disk; both produce exactly the same text.
 */
export class LogPipeline {
  readonly tracker: BuildProgressTracker;
  private readonly formatter = new TerminalFormatter({ eol: '\r\n' });
  private pending: TerminalSegment[] = [];
  private pendingBytes = 0;
  /** Something changed since the last `progress()`. */
  dirty = false;

  constructor(platforms: readonly string[]) {
    this.tracker = new BuildProgressTracker({ platforms });
  }

  push(chunk: Uint8Array): void {
    const events = this.tracker.push(chunk);
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
    this.append([{ text: `\x1b[33m${line}\x1b[0m\r\n` }]);
  }

  get pendingTextBytes(): number {
    return this.pendingBytes;
  }

  take(): TerminalSegment[] {
    const out = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    return out;
  }

  /** The lanes as sent to the renderer: log lines kept only for failed steps (the rest is in the terminal). */
  progress(): BuildProgressSnapshot {
    this.dirty = false;
    return leanSnapshot(this.tracker.snapshot());
  }

  private append(chunks: TerminalChunk[]): void {
    const pending = this.pending;
    for (const c of chunks) {
      const last = pending[pending.length - 1];
      const lines = countLines(c.text);
      this.pendingBytes += c.text.length;
      if (last && last.platform === c.platform) {
        last.text += c.text;
        last.lines += lines;
      } else {
        const seg: TerminalSegment = { text: c.text, lines };
        if (c.platform !== undefined) seg.platform = c.platform;
        pending.push(seg);
      }
    }
  }
}

function countLines(text: string): number {
  let n = 0;
  let at = text.indexOf('\n');
  while (at >= 0) {
    n++;
    at = text.indexOf('\n', at + 1);
  }
  return n;
}

export function leanSnapshot(snap: BuildProgressSnapshot): BuildProgressSnapshot {
  const lean = <T extends { status: string; lastLogLines: string[] }>(s: T): T => (s.status === 'error' || s.lastLogLines.length === 0 ? s : { ...s, lastLogLines: [] });
  return {
    ...snap,
    lanes: snap.lanes.map((l) => ({ ...l, steps: l.steps.map(lean) })),
    shared: snap.shared.map(lean),
  };
}

/** Merges adjacent segments of the same platform (fewer, larger strings for the wire and for xterm). */
export function mergeSegments(into: TerminalSegment[], more: readonly TerminalSegment[]): void {
  for (const seg of more) {
    const last = into[into.length - 1];
    if (last && last.platform === seg.platform) {
      into[into.length - 1] = { ...last, text: last.text + seg.text, lines: last.lines + seg.lines };
    } else into.push({ ...seg });
  }
}

/**
 * Reads `file` (up to `endOffset` bytes, default all) through a fresh pipeline, calling `emit`
 * with replay chunks of about `chunkBytes` of terminal text. Returns the pipeline (its tracker
 * holds the final lanes).
 */
export async function replayLog(
  file: string,
  id: string,
  platforms: readonly string[],
  emit: (chunk: BuildChunk) => Promise<void>,
  options: { endOffset?: number; signal?: AbortSignal; chunkBytes?: number; readBytes?: number } = {},
): Promise<LogPipeline> {
  const pipeline = new LogPipeline(platforms);
  if (options.endOffset === 0) return pipeline;
  const chunkBytes = options.chunkBytes ?? 512 * 1024;
  const stream = createReadStream(file, {
    highWaterMark: options.readBytes ?? 256 * 1024,
    ...(options.endOffset !== undefined ? { end: options.endOffset - 1 } : {}),
  });
  try {
    for await (const data of stream) {
      if (options.signal?.aborted) break;
      pipeline.push(data as Buffer);
      if (pipeline.pendingTextBytes >= chunkBytes) await emit({ id, terminal: pipeline.take(), replay: true });
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  } finally {
    stream.destroy();
  }
  return pipeline;
}
