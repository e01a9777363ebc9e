import { createWriteStream, type WriteStream } from 'node:fs';
import { LogPipeline, type StepDescriber } from './log-pipeline';

/** Queued output that is handled at once rather than at the next tick. */
export const FLUSH_BYTES = 128 * 1024;

/**
 * One buildx process's `--progress=rawjson` output: queued as it arrives, then written to its log
 * file and parsed in one go. buildx writes many small pieces; work per piece would steal CPU from
 * the build (QEMU needs it all) and, when the pipe fills, block buildx itself.
 */
export class LogSink {
  readonly pipeline: LogPipeline;
  /** Bytes received so far (all of them end up in the file). */
  bytes = 0;
  private readonly log: WriteStream;
  private raw: Buffer[] = [];
  private rawBytes = 0;

  constructor(logFile: string, platforms: readonly string[], describe?: StepDescriber) {
    this.pipeline = new LogPipeline(platforms, describe);
    this.log = createWriteStream(logFile, { flags: 'a', mode: 0o600 });
    this.log.on('error', () => undefined); // a full disk must not take the core down; the record says what was written
  }

  /** Queues a piece; true once enough is queued to handle it now. */
  push(chunk: Buffer): boolean {
    this.bytes += chunk.length;
    this.raw.push(chunk);
    this.rawBytes += chunk.length;
    return this.rawBytes >= FLUSH_BYTES;
  }

  /** Writes and parses what arrived since the last drain. */
  drain(): void {
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

  /** Resolves once everything handed to the log file so far is in it. */
  flushed(): Promise<void> {
    return new Promise((resolve) => {
      if (this.log.closed || this.log.destroyed) resolve();
      else this.log.write(Buffer.alloc(0), () => resolve());
    });
  }

  close(): Promise<void> {
    this.drain();
    return new Promise((resolve) => {
      if (this.log.closed) resolve();
      else this.log.end(() => resolve());
    });
  }
}
