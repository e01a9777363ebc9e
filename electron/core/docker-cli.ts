import { spawn, type ChildProcess } from 'node:child_process';
import { RpcError } from '../../shared/rpc/errors';
import type { EngineEndpoint } from '../../shared/contract/engine';
import { cliEnvFor } from './engine/endpoint';

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
  constructor(
    private readonly endpoint: EngineEndpoint,
    private readonly baseEnv: Record<string, string | undefined>,
    readonly binary = 'docker',
  ) {}

  /** Equivalent command line for display (quoted for a POSIX shell; never executed). */
  display(args: readonly string[]): string {
    return [this.binary === 'docker' ? 'docker' : this.binary, ...args].map(shellQuote).join(' ');
  }

  run(args: readonly string[], options: CliRunOptions = {}): Promise<CliResult> {
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
