import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import type { SmokeResult } from '../../../shared/contract/images';
import type { ImageReference } from '../../../shared/domain/image-reference';
import { expectedMachines, normalizePlatform } from '../../../shared/domain/platform';
import { RpcError } from '../../../shared/rpc/errors';
import { shellQuote } from '../docker-cli';
import { engineAuthConfig, type DockerCredentials } from './credentials';
import { toReference } from './image-inspector';

export interface SmokeRunOptions {
  reference: string | ImageReference;
  platform: string;
  command: readonly string[];
  signal?: AbortSignal;
}

export interface SmokeRunnerOptions {
  /** The dockerode client, or ENGINE_UNAVAILABLE. */
  docker: () => Docker;
  credentials: DockerCredentials;
  /** A run that takes longer is killed (QEMU is slow, but `uname -m` is not that slow). */
  runTimeoutMs?: number;
  pullTimeoutMs?: number;
  log?: (message: string) => void;
}

const OUTPUT_CAP = 64 * 1024;
export const SMOKE_LABEL = 'org.multiarch-studio.smoke';

class Collector extends PassThrough {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor() {
    super();
    this.on('data', (chunk: Buffer) => {
      if (this.size >= OUTPUT_CAP) return;
      this.chunks.push(chunk.subarray(0, OUTPUT_CAP - this.size));
      this.size += chunk.length;
    });
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

const EXEC_FORMAT = /exec format error/i;

/** The message of a failed engine call, without dockerode's "(HTTP code 500) server error - " prefix. */
export function engineMessage(error: unknown): string {
  const e = error as { json?: { message?: string }; message?: string };
  return (e?.json?.message ?? e?.message ?? String(error)).replace(/^\(HTTP code \d+\)\s*[\w ]*-\s*/, '').trim();
}

/**
 * Runs an image for one platform, like `docker run --rm --pull … --platform P --entrypoint C0 ref C1…`:
 * pulls that platform (the tag may have moved, or the platform may be missing locally), creates the
 * container with the `platform` option, captures stdout/stderr through the engine's stream
 * demultiplexer, compares the last line with the machine names the platform reports, and removes
 * the container whatever happens.
 */
export class SmokeRunner {
  private readonly runTimeoutMs: number;
  private readonly pullTimeoutMs: number;
  /** Pulls of one reference one at a time: concurrent pulls of the same index gain nothing. */
  private readonly pulls = new Map<string, Promise<unknown>>();

  constructor(private readonly options: SmokeRunnerOptions) {
    this.runTimeoutMs = options.runTimeoutMs ?? 120_000;
    this.pullTimeoutMs = options.pullTimeoutMs ?? 300_000;
  }

  /** `docker run` equivalent of a smoke run, for copying. */
  static displayCommand(ref: ImageReference, platform: string, command: readonly string[]): string {
    const [entrypoint = '', ...args] = command;
    return ['docker', 'run', '--rm', '--pull', 'always', '--platform', platform, '--entrypoint', entrypoint, ref.familiar, ...args].map(shellQuote).join(' ');
  }

  async run(options: SmokeRunOptions): Promise<SmokeResult> {
    const started = Date.now();
    const ref = toReference(options.reference);
    const platform = normalizePlatform(options.platform);
    const command = [...options.command];
    const docker = this.options.docker();
    const expected = expectedMachines(platform);
    const base = {
      reference: ref.familiar,
      platform,
      command,
      displayCommand: SmokeRunner.displayCommand(ref, platform, command),
      expectedMachines: expected,
    };
    const failed = (message: string, extra: Partial<SmokeResult> = {}, hint?: string): SmokeResult => ({
      ...base,
      stdout: '',
      stderr: '',
      status: 'error',
      error: hint ? { message, hint } : { message },
      execFormatError: EXEC_FORMAT.test(`${message}\n${extra.stderr ?? ''}`),
      pulled: false,
      durationMs: Date.now() - started,
      ...extra,
    });

    const pull = await this.pull(docker, ref, platform, options.signal);
    const image = ref.digest ? `${ref.name}@${ref.digest}` : `${ref.name}:${ref.tag ?? 'latest'}`;
    const [entrypoint, ...args] = command;
    let container: Docker.Container;
    try {
      container = await docker.createContainer({
        // Query and body apart: dockerode would otherwise put the whole body in the URL too.
        _query: { name: `mas-smoke-${randomBytes(6).toString('hex')}`, platform },
        _body: {
          Image: image,
          Entrypoint: [entrypoint],
          Cmd: args,
          Labels: { [SMOKE_LABEL]: 'true' },
          AttachStdout: true,
          AttachStderr: true,
          Tty: false,
          HostConfig: { NetworkMode: 'none' },
        },
        abortSignal: options.signal,
      } as unknown as Docker.ContainerCreateOptions);
    } catch (error) {
      options.signal?.throwIfAborted();
      const message = engineMessage(error);
      // Without the image, the pull's error says why (no such platform in the index, registry down).
      if (pull.error) {
        return failed(
          `Pulling ${platform} of ${ref.familiar} failed: ${pull.error} (then: ${message})`,
          {},
          'Check that the image has this platform (see the table) and that the registry is reachable.',
        );
      }
      return failed(`The engine could not create a ${platform} container of ${ref.familiar}: ${message}`);
    }

    const stdout = new Collector();
    const stderr = new Collector();
    try {
      let stream: NodeJS.ReadableStream;
      try {
        stream = (await container.attach({ stream: true, stdout: true, stderr: true })) as NodeJS.ReadableStream;
      } catch (error) {
        return failed(`The engine could not attach to the ${platform} container: ${engineMessage(error)}`, { pulled: pull.pulled });
      }
      const ended = new Promise<void>((resolve) => {
        stream.on('end', resolve);
        stream.on('close', resolve);
        stream.on('error', () => resolve());
      });
      docker.modem.demuxStream(stream, stdout, stderr);
      try {
        await container.start();
      } catch (error) {
        const message = engineMessage(error);
        return failed(message, { pulled: pull.pulled }, EXEC_FORMAT.test(message) ? execFormatHint(platform) : undefined);
      }
      const exit = await this.waitFor(container, options.signal);
      // The attach stream ends when the process does; give it a moment to flush after the wait returns.
      await Promise.race([ended, new Promise((r) => setTimeout(r, 2000))]);
      const out = stdout.text();
      const err = stderr.text();
      const durationMs = Date.now() - started;
      const machine = out
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .pop();
      const ranFields = { stdout: out, stderr: err, exitCode: exit.code, pulled: pull.pulled, durationMs, ...(machine ? { machine } : {}) };
      if (exit.timedOut) {
        return failed(`The ${platform} run did not finish within ${Math.round(this.runTimeoutMs / 1000)} s and was killed.`, ranFields);
      }
      if (exit.code !== 0) {
        const said = err.trim().split('\n').pop() || out.trim().split('\n').pop() || exit.error || 'no output';
        const execFormat = EXEC_FORMAT.test(`${err}\n${out}\n${exit.error ?? ''}`);
        return {
          ...failed(`${said} (exit code ${exit.code})`, ranFields, execFormat ? execFormatHint(platform) : undefined),
          execFormatError: execFormat,
        };
      }
      const status: SmokeResult['status'] = expected.length === 0 ? 'ran' : machine !== undefined && expected.includes(machine) ? 'match' : 'mismatch';
      return { ...base, ...ranFields, status, execFormatError: false };
    } finally {
      await container.remove({ force: true }).catch((error: unknown) => {
        // Already gone is fine; anything else is worth a log line, not a failed run.
        if (!/no such container|is already in progress/i.test(engineMessage(error))) this.options.log?.(`smoke: could not remove ${container.id}: ${engineMessage(error)}`);
      });
    }
  }

  private async waitFor(container: Docker.Container, signal?: AbortSignal): Promise<{ code: number; timedOut: boolean; error?: string }> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.runTimeoutMs)));
    const aborted = new Promise<'aborted'>((resolve) => signal?.addEventListener('abort', () => resolve('aborted'), { once: true }));
    try {
      const outcome = await Promise.race([container.wait() as Promise<{ StatusCode: number; Error?: { Message?: string } | null }>, timedOut, aborted]);
      if (outcome === 'aborted') {
        await container.kill().catch(() => undefined);
        throw new RpcError('CANCELLED', 'The smoke run was cancelled.');
      }
      if (outcome === 'timeout') {
        await container.kill().catch(() => undefined);
        return { code: 137, timedOut: true };
      }
      const error = outcome.Error?.Message || undefined;
      return { code: outcome.StatusCode, timedOut: false, ...(error ? { error } : {}) };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Pulls one platform; a failure is kept (the image may still be there locally) and reported if the run cannot start. */
  private async pull(docker: Docker, ref: ImageReference, platform: string, signal?: AbortSignal): Promise<{ pulled: boolean; error?: string }> {
    const previous = this.pulls.get(ref.canonical) ?? Promise.resolve();
    const mine = previous.catch(() => undefined).then(() => this.pullOnce(docker, ref, platform, signal));
    this.pulls.set(ref.canonical, mine);
    try {
      return await mine;
    } finally {
      if (this.pulls.get(ref.canonical) === mine) this.pulls.delete(ref.canonical);
    }
  }

  private async pullOnce(docker: Docker, ref: ImageReference, platform: string, signal?: AbortSignal): Promise<{ pulled: boolean; error?: string }> {
    const { credentials } = await this.options.credentials.lookup(ref.registry);
    const authconfig = engineAuthConfig(credentials, ref.registry);
    const timeout = AbortSignal.timeout(this.pullTimeoutMs);
    const abortSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const stream = (await docker.createImage({
        fromImage: ref.name,
        tag: ref.digest ?? ref.tag ?? 'latest',
        platform,
        abortSignal,
        ...(authconfig ? { authconfig } : {}),
      } as unknown as Docker.ImageInfo)) as unknown as NodeJS.ReadableStream;
      const messages: Array<{ error?: string; errorDetail?: { message?: string } }> = await new Promise((resolve, reject) => {
        docker.modem.followProgress(stream, (error: Error | null, output: unknown[]) => (error ? reject(error) : resolve(output as never)));
      });
      const failure = messages.find((m) => m.error || m.errorDetail);
      if (failure) return { pulled: false, error: failure.errorDetail?.message ?? failure.error ?? 'unknown error' };
      return { pulled: true };
    } catch (error) {
      signal?.throwIfAborted();
      if (timeout.aborted) return { pulled: false, error: `the pull did not finish within ${Math.round(this.pullTimeoutMs / 1000)} s` };
      return { pulled: false, error: engineMessage(error) };
    }
  }
}

function execFormatHint(platform: string): string {
  return `The engine's host cannot run ${platform} binaries: install the QEMU emulator for it on the Emulators page, then run again.`;
}

