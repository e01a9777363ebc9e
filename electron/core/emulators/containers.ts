import { randomBytes } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import type Docker from 'dockerode';
import { RpcError } from '../../../shared/rpc/errors';

/** Label on every container the app creates, so a leftover can be told from the user's own. */
export const ROLE_LABEL = 'org.multiarch-studio.role';

export const uniqueName = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

export interface PullProgress {
  id?: string;
  status: string;
  progress?: string;
  current?: number;
  total?: number;
}

interface PullEvent {
  id?: string;
  status?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
}

/** HTTP status of a dockerode error (404 no such image/container, ...). */
export const statusCodeOf = (error: unknown): number | undefined => (error as { statusCode?: number } | undefined)?.statusCode;

/** The engine's own words from a dockerode error ("(HTTP code 404) no such container - No such image: x" → "No such image: x"). */
export function engineMessage(error: unknown): string {
  const e = error as { json?: { message?: string }; message?: string } | undefined;
  const text = e?.json?.message ?? e?.message ?? String(error);
  return text.replace(/^\(HTTP code \d+\)\s*[^-]*-\s*/, '').trim();
}

export async function imageExists(docker: Docker, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch (error) {
    if (statusCodeOf(error) === 404) return false;
    throw error;
  }
}

/**
 * Pulls an image (for one platform when given), reporting progress. The engine reports a failed pull
 * inside the stream, not as an HTTP error, so each event is checked for `error`.
 */
export async function pullImage(
  docker: Docker,
  image: string,
  options: { platform?: string; signal?: AbortSignal; onProgress?: (p: PullProgress) => void } = {},
): Promise<void> {
  const stream = (await docker.pull(image, {
    ...(options.platform ? { platform: options.platform } : {}),
    ...(options.signal ? { abortSignal: options.signal } : {}),
  })) as Readable;
  await new Promise<void>((resolve, reject) => {
    let failure: string | undefined;
    const onAbort = () => {
      stream.destroy();
      reject(new RpcError('CANCELLED', `Pulling ${image} was cancelled.`));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    docker.modem.followProgress(
      stream,
      (error: Error | null) => {
        options.signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else if (failure) reject(new Error(failure));
        else resolve();
      },
      (event: PullEvent) => {
        if (event.error || event.errorDetail?.message) {
          failure = event.errorDetail?.message ?? event.error;
          return;
        }
        options.onProgress?.({
          ...(event.id ? { id: event.id } : {}),
          status: event.status ?? '',
          ...(event.progress ? { progress: event.progress } : {}),
          ...(event.progressDetail?.current !== undefined ? { current: event.progressDetail.current } : {}),
          ...(event.progressDetail?.total !== undefined ? { total: event.progressDetail.total } : {}),
        });
      },
    );
  });
}

export interface RunSpec {
  image: string;
  name: string;
  role: string;
  cmd: string[];
  entrypoint?: string[];
  platform?: string;
  privileged?: boolean;
  binds?: string[];
  signal?: AbortSignal;
  timeoutMs: number;
  onStdoutLine?: (line: string) => void;
  onStderrLine?: (line: string) => void;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * `docker run --rm` through the API: create, attach (before start, so no output is lost), start,
 * wait, and always remove. stdout and stderr are separated from Docker's multiplexed stream
 * (8-byte frame headers) by the modem's demuxer.
 */
export async function runContainer(docker: Docker, spec: RunSpec): Promise<RunResult> {
  if (spec.signal?.aborted) throw new RpcError('CANCELLED', `${spec.image} was cancelled before it ran.`);
  const container = await docker.createContainer({
    name: spec.name,
    Image: spec.image,
    Cmd: spec.cmd,
    ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
    Tty: false,
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    Labels: { [ROLE_LABEL]: spec.role },
    HostConfig: {
      Privileged: spec.privileged ?? false,
      NetworkMode: 'none',
      AutoRemove: false,
      ...(spec.binds ? { Binds: spec.binds } : {}),
    },
    ...(spec.platform ? { platform: spec.platform } : {}),
  });
  const stdout = new LineCollector(spec.onStdoutLine);
  const stderr = new LineCollector(spec.onStderrLine);
  let timer: NodeJS.Timeout | undefined;
  const kill = () => void container.kill().catch(() => undefined);
  spec.signal?.addEventListener('abort', kill, { once: true });
  try {
    const attached = (await container.attach({ stream: true, stdout: true, stderr: true })) as unknown as Readable;
    const ended = new Promise<void>((resolve) => {
      attached.once('end', resolve);
      attached.once('close', resolve);
      attached.once('error', () => resolve());
    });
    const out = new PassThrough();
    const err = new PassThrough();
    out.on('data', (chunk: Buffer) => stdout.push(chunk));
    err.on('data', (chunk: Buffer) => stderr.push(chunk));
    docker.modem.demuxStream(attached, out, err);

    let timedOut = false;
    timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, spec.timeoutMs);
    try {
      await container.start();
    } catch (error) {
      // An exec failure can surface here (older runtimes) instead of on stderr: report it as output.
      attached.destroy();
      return { exitCode: 127, stdout: stdout.text(), stderr: `${stderr.text()}${engineMessage(error)}\n` };
    }
    const waited = (await container.wait()) as { StatusCode?: number };
    // The attach stream closes right after exit; bound the wait so a stuck proxy cannot hang us.
    await Promise.race([ended, new Promise((r) => setTimeout(r, 2000))]);
    if (spec.signal?.aborted) throw new RpcError('CANCELLED', `${spec.image} was cancelled.`);
    if (timedOut) {
      throw new RpcError('CONTAINER_TIMEOUT', `The ${spec.role} container (${spec.image}) did not finish within ${Math.round(spec.timeoutMs / 1000)} s and was stopped.`, {
        hint: 'Check that the Docker engine is responsive (`docker info`); under emulation a slow start is normal, a hang is not.',
      });
    }
    return { exitCode: waited.StatusCode ?? -1, stdout: stdout.text(), stderr: stderr.text() };
  } finally {
    clearTimeout(timer);
    spec.signal?.removeEventListener('abort', kill);
    await container.remove({ force: true }).catch((error: unknown) => {
      if (statusCodeOf(error) !== 404 && statusCodeOf(error) !== 409) throw error;
    });
  }
}

/** Keeps the whole text and calls back once per complete line. */
class LineCollector {
  private chunks: Buffer[] = [];
  private partial = '';
  constructor(private readonly onLine?: (line: string) => void) {}
  push(chunk: Buffer) {
    this.chunks.push(chunk);
    if (!this.onLine) return;
    const text = this.partial + chunk.toString('utf8');
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.onLine(line.replace(/\r$/, ''));
  }
  text(): string {
    if (this.onLine && this.partial) {
      this.onLine(this.partial);
      this.partial = '';
    }
    return Buffer.concat(this.chunks).toString('utf8');
  }
}
