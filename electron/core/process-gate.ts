import { RpcError } from '../../shared/rpc/errors';

export interface ProcessGateOptions {
  /** Processes that may run at once. */
  limit: number;
  /** Starts that may wait for a free place; one more is refused with BUSY. */
  maxQueued: number;
  /** What the processes are, for the BUSY message ("docker commands", "builds"). */
  what: string;
}

interface Waiter {
  grant: (release: () => void) => void;
}

/**
 * A bound on the processes the core starts: at most `limit` run at once, later ones wait in
 * order, and a start beyond `maxQueued` waiting ones is refused with BUSY at once instead of
 * piling up file descriptors and memory until the system says EMFILE.
 */
export class ProcessGate {
  private running = 0;
  private readonly waiting: Waiter[] = [];
  /** Counts for tests and diagnostics. */
  readonly stats = { started: 0, peak: 0, refused: 0 };

  constructor(readonly options: ProcessGateOptions) {}

  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves with a release function once a place is free; rejects CANCELLED or BUSY. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(new RpcError('CANCELLED', 'Cancelled before it started.'));
    if (this.running < this.options.limit) return Promise.resolve(this.take());
    if (this.waiting.length >= this.options.maxQueued) {
      this.stats.refused++;
      return Promise.reject(this.busy());
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const at = this.waiting.indexOf(waiter);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(new RpcError('CANCELLED', 'Cancelled while it waited to start.'));
      };
      const waiter: Waiter = {
        grant: (release) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  private take(): () => void {
    this.running++;
    this.stats.started++;
    this.stats.peak = Math.max(this.stats.peak, this.running);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      const next = this.waiting.shift();
      if (next) next.grant(this.take());
    };
  }

  private busy(): RpcError {
    const { limit, what } = this.options;
    return new RpcError('BUSY', `The app is already running ${limit} ${what} and ${this.waiting.length} more are waiting; this one was not started.`, {
      hint: 'Wait for the running ones to finish (or cancel some), then try again.',
      data: { running: this.running, queued: this.waiting.length },
    });
  }
}
