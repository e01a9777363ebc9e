import { spawn, type ChildProcess } from 'node:child_process';
import { RpcError } from '../../shared/rpc/errors';
import type { EngineEndpoint } from '../../shared/contract/engine';
import { cliEnvFor } from './engine/endpoint';
import { ProcessGate } from './process-gate';

export interface CliRunOptions {
  signal?: AbortSignal;
  /** Kills the command after this long and fails with CLI_TIMEOUT. */
  timeoutMs?: number;
  cwd?: string;
  /** Extra environment on top of the app's (e.g. BUILDX_NO_DEFAULT_ATTESTATIONS). */
  env?: Record<string, string>;
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  /** Keep at most this many bytes of stdout/stderr in the result (streams can be huge). */
  maxCaptureBytes?: number;
  /** A build: runs in the builds' own lane, so minutes-long builds never hold up short commands. */
  build?: boolean;
  /** Called once the process exists (its pid leads its own process group and session). */
  onSpawn?: (pid: number) => void;
}

export interface DockerCliLimits {
  /** Short commands (listings, inspections, actions) running at once. */
  maxCommands?: number;
  /** Short commands that may wait for a free place before BUSY. */
  maxQueuedCommands?: number;
  /** Builds running at once (a build is refused with BUSY beyond it). */
  maxBuilds?: number;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the docker CLI (and its plugins, buildx above all) against the app's engine.
 * Always an argv array, never a shell. Each command gets its own process group so a cancel
 * stops the plugin process the CLI started too.
 */
export class DockerCli {
  /** Short commands. */
  readonly commands: ProcessGate;
  /** Builds. */
  readonly builds: ProcessGate;
  private readonly shared = new Map<string, SharedRun>();

  constructor(
    private readonly endpoint: EngineEndpoint,
    private readonly baseEnv: Record<string, string | undefined>,
    readonly binary = 'docker',
    limits: DockerCliLimits = {},
  ) {
    this.commands = new ProcessGate({ limit: limits.maxCommands ?? 6, maxQueued: limits.maxQueuedCommands ?? 256, what: 'docker commands' });
    this.builds = new ProcessGate({ limit: limits.maxBuilds ?? 4, maxQueued: 0, what: 'builds' });
  }

  /** Equivalent command line for display (quoted for a POSIX shell; never executed). */
  display(args: readonly string[]): string {
    return [this.binary === 'docker' ? 'docker' : this.binary, ...args].map(shellQuote).join(' ');
  }

  /**
   * Runs a command once a place is free (see ProcessGate). Identical read-only queries asked while
   * one is running share its process: forty windows listing builders start one `buildx ls`.
   */
  run(args: readonly string[], options: CliRunOptions = {}): Promise<CliResult> {
    const key = shareable(args, options) ? args.join('\0') : undefined;
    if (!key) return this.runGated(args, options);
    if (options.signal?.aborted) return Promise.reject(new RpcError('CANCELLED', `${this.display(args)} was cancelled`));
    let entry = this.shared.get(key);
    if (!entry) {
      const abort = new AbortController();
      const created: SharedRun = { users: 0, abort, result: this.runGated(args, { ...options, signal: abort.signal }) };
      this.shared.set(key, created);
      const forget = () => {
        if (this.shared.get(key) === created) this.shared.delete(key);
      };
      created.result.then(forget, forget);
      entry = created;
    }
    return joinShared(entry, options.signal, () => new RpcError('CANCELLED', `${this.display(args)} was cancelled`));
  }

  private async runGated(args: readonly string[], options: CliRunOptions): Promise<CliResult> {
    const release = await (options.build ? this.builds : this.commands).acquire(options.signal);
    try {
      return await this.spawnOnce(args, options);
    } finally {
      release();
    }
  }

  private spawnOnce(args: readonly string[], options: CliRunOptions): Promise<CliResult> {
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(new RpcError('CANCELLED', `${this.display(args)} was cancelled`));
        return;
      }
      let child: ChildProcess;
      try {
        child = spawn(this.binary, [...args], {
          cwd: options.cwd,
          env: { ...cliEnvFor(this.endpoint, this.baseEnv), ...options.env },
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: process.platform !== 'win32',
          shell: false,
          windowsHide: true,
        });
      } catch (error) {
        reject(this.spawnError(error));
        return;
      }
      if (child.pid !== undefined) options.onSpawn?.(child.pid);
      const cap = options.maxCaptureBytes ?? 8 * 1024 * 1024;
      const out = new Capture(cap);
      const err = new Capture(cap);
      let settled = false;
      let reason: RpcError | undefined;

      const stop = (why: RpcError) => {
        reason ??= why;
        killTree(child);
      };
      const onAbort = () => stop(new RpcError('CANCELLED', `${this.display(args)} was cancelled`));
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const timer = options.timeoutMs
        ? setTimeout(
            () =>
              stop(
                new RpcError('CLI_TIMEOUT', `${this.display(args)} did not finish within ${Math.round(options.timeoutMs! / 1000)} s.`, {
                  hint: 'Check that the Docker engine is responsive (`docker info`).',
                }),
              ),
            options.timeoutMs,
          )
        : undefined;

      child.stdout?.on('data', (chunk: Buffer) => {
        out.push(chunk);
        options.onStdout?.(chunk);
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        err.push(chunk);
        options.onStderr?.(chunk);
      });
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      child.on('error', (error) => finish(() => reject(this.spawnError(error))));
      child.on('close', (code, signal) =>
        finish(() => {
          if (reason) reject(reason);
          else resolve({ code: code ?? (signal ? 128 : 1), stdout: out.text(), stderr: err.text() });
        }),
      );
    });
  }

  private spawnError(error: unknown): RpcError {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return new RpcError('DOCKER_CLI_MISSING', `The docker CLI ("${this.binary}") was not found on PATH.`, {
        hint: 'Install the Docker CLI (Docker Desktop, or your distribution\'s docker-cli/docker.io package) and restart the app.',
      });
    }
    return RpcError.from(error);
  }
}

interface SharedRun {
  users: number;
  abort: AbortController;
  result: Promise<CliResult>;
}

/** Commands that only read, so two identical ones asked at once may share one process. */
const READ_ONLY: ReadonlyArray<(args: readonly string[]) => boolean> = [
  (a) => a[0] === 'version',
  (a) => a[0] === 'buildx' && (a[1] === 'version' || a[1] === 'ls'),
  (a) => a[0] === 'buildx' && a[1] === 'inspect' && !a.includes('--bootstrap'),
  (a) => a[0] === 'context' && (a[1] === 'ls' || a[1] === 'inspect' || a[1] === 'show'),
];

function shareable(args: readonly string[], options: CliRunOptions): boolean {
  if (options.onStdout || options.onStderr || options.onSpawn || options.cwd || options.env || options.build) return false;
  return READ_ONLY.some((test) => test(args));
}

/** One caller's view of a shared run: its own cancel ends only its wait, the last one ends the process. */
function joinShared(entry: SharedRun, signal: AbortSignal | undefined, cancelled: () => RpcError): Promise<CliResult> {
  entry.users++;
  return new Promise((resolve, reject) => {
    let done = false;
    const leave = () => {
      if (done) return;
      done = true;
      signal?.removeEventListener('abort', onAbort);
      entry.users--;
    };
    const onAbort = () => {
      leave();
      if (entry.users === 0) entry.abort.abort();
      reject(cancelled());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    entry.result.then(
      (value) => {
        if (done) return;
        leave();
        resolve(value);
      },
      (error: unknown) => {
        if (done) return;
        leave();
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** Signals the whole process group (docker + its buildx plugin), then insists. */
export function killTree(child: ChildProcess): void {
  if (child.exitCode !== null || child.pid === undefined) return;
  const pid = child.pid;
  const signal = (sig: NodeJS.Signals) => {
    try {
      if (process.platform === 'win32') child.kill(sig);
      else process.kill(-pid, sig);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  // The group may outlive the CLI (its plugin process): insist on the whole group, not on the CLI alone.
  const force = setTimeout(() => signal('SIGKILL'), 3000);
  force.unref();
}

class Capture {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly cap: number) {}
  push(chunk: Buffer) {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.cap && this.chunks.length > 1) this.size -= this.chunks.shift()!.length;
  }
  text() {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
