import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildFailure } from '../../../../shared/contract/builds';
import { parseBuildMetadata, type BuildProgressSnapshot } from '../../../../shared/domain/build-progress';
import type { BuildRequest } from '../../../../shared/domain/build-request/request';
import type { LaneState } from '../../../../shared/domain/distributed/model';
import { laneArgv, nodeBuilderArgs, removeBuilderArgs } from '../../../../shared/domain/distributed/plan';
import { platformSlug } from '../../../../shared/domain/ci-export/runners';
import { RpcError } from '../../../../shared/rpc/errors';
import type { CoreContext } from '../../context';
import { failureOf } from '../record';
import { LogSink } from '../log-sink';

const MINUTE = 60_000;

/** How the app reaches the node of a lane, when it builds on one node of a multi-node builder. */
export interface NodeReach {
  /** The node's BuildKit as the remote driver reaches it. */
  endpoint: string;
  driverOpts: Readonly<Record<string, string>>;
}

export interface LaneRunOptions {
  dir: string;
  request: BuildRequest;
  registryCache: boolean;
  /** Set when the platform is built on one node alone through the app's single-node builder. */
  reach?: NodeReach;
  /** Called when output arrived (the run batches it) and when the lane's state changed. */
  onOutput: (flushNow: boolean) => void;
  onState: () => void;
}

/**
 * One platform of a distributed build: makes the single-node builder when the platform goes to
 * one node, runs `docker buildx build` for that platform alone (pushing by digest), reads the
 * digest from its metadata file, and removes the single-node builder again, whatever happened.
 */
export class LaneRun {
  sink: LogSink | undefined;
  /** The failure the lane's log explains (failed step, cause), for the record. */
  failure: BuildFailure | undefined;
  /** The lane of an earlier run, replayed from its log, until this run builds the platform again. */
  earlier: BuildProgressSnapshot | undefined;

  constructor(
    readonly state: LaneState,
    private readonly ctx: CoreContext,
    private readonly options: LaneRunOptions,
  ) {}

  get platform(): string {
    return this.state.platform;
  }

  /** The lane's progress now (its parser marked as sent). */
  progress(): BuildProgressSnapshot | undefined {
    return this.sink ? this.sink.pipeline.progress() : this.earlier;
  }

  /** Runs one attempt; resolves when it ended (never rejects: the state says how it went). */
  async run(signal: AbortSignal): Promise<void> {
    const attempt = this.state.attempts.length + 1;
    const slug = platformSlug(this.platform);
    const logFile = join(this.options.dir, `lane-${slug}-${attempt}.log`);
    const metadataFile = join(this.options.dir, `lane-${slug}-${attempt}.metadata.json`);
    const started = Date.now();
    this.sink = new LogSink(logFile, [this.platform]);
    this.failure = undefined;
    const entry = { attempt, status: 'running' as const, startedAt: new Date(started).toISOString(), logFile };
    Object.assign(this.state, { status: 'running', attempts: [...this.state.attempts, entry] });
    delete this.state.error;
    delete this.state.digest;
    this.options.onState();

    let outcome: { code?: number; error?: RpcError };
    const made = this.options.reach ? await this.makeNodeBuilder(signal) : undefined;
    if (made) outcome = { error: made };
    else {
      try {
        const argv = laneArgv(this.options.request, this.platform, { builder: this.state.runner, registryCache: this.options.registryCache, metadataFile, progress: 'rawjson' });
        const result = await this.ctx.cli.run(argv, {
          signal,
          cwd: this.options.request.context,
          onStderr: (chunk) => this.options.onOutput(this.sink!.push(chunk)),
          maxCaptureBytes: 64 * 1024,
        });
        outcome = { code: result.code };
      } catch (error) {
        outcome = { error: RpcError.from(error) };
      } finally {
        if (this.options.reach) await this.removeNodeBuilder();
      }
    }
    await this.end(outcome, metadataFile, started);
  }

  private async end(outcome: { code?: number; error?: RpcError }, metadataFile: string, started: number): Promise<void> {
    const sink = this.sink!;
    const cancelled = outcome.error?.code === 'CANCELLED';
    sink.drain();
    sink.pipeline.end(outcome.code ?? (cancelled ? 130 : 1));
    await sink.close();
    const snap = sink.pipeline.tracker.snapshot();
    const lane = snap.lanes.find((l) => l.platform === this.platform);
    const durationMs = Date.now() - started;
    const attempt = this.state.attempts[this.state.attempts.length - 1]!;
    Object.assign(attempt, { endedAt: new Date().toISOString(), durationMs, logBytes: sink.bytes });
    Object.assign(this.state, { steps: lane?.counts.total ?? 0, cached: lane?.counts.cached ?? 0, durationMs });

    if (outcome.code === 0) {
      const metadata = parseBuildMetadata(await readFile(metadataFile, 'utf8').catch(() => ''));
      if (metadata?.imageDigest) {
        this.state.status = attempt.status = 'succeeded';
        this.state.digest = attempt.digest = metadata.imageDigest;
      } else {
        this.fail(attempt, { message: `${this.where()}: buildx ended without reporting the pushed digest.`, hint: `Read the log; ${metadataFile} should have held it.` });
      }
    } else if (cancelled) {
      this.state.status = attempt.status = 'cancelled';
      this.state.error = attempt.error = { message: `${this.platform} was cancelled.` };
    } else {
      this.failure = outcome.error ? undefined : failureOf(snap);
      const reason = outcome.error?.message ?? this.failure?.message ?? this.failure?.steps[0]?.error ?? this.failure?.cause.explanation ?? 'buildx failed';
      const hint = outcome.error?.hint ?? this.hintFor(this.failure);
      this.fail(attempt, { message: `${this.where()}: ${reason}`, hint });
    }
    this.options.onState();
  }

  private fail(attempt: LaneState['attempts'][number], error: { message: string; hint?: string }): void {
    this.state.status = attempt.status = 'failed';
    this.state.error = attempt.error = error;
  }

  /** "linux/riscv64 failed on node "b2" (unix:///…) of builder "b"": where it broke, in words. */
  private where(): string {
    const s = this.state;
    return s.node ? `${s.platform} failed on node "${s.node}"${s.endpoint ? ` (${s.endpoint})` : ''} of builder "${s.builder}"` : `${s.platform} failed on builder "${s.builder}"`;
  }

  private hintFor(failure: BuildFailure | undefined): string {
    const unreachable = failure?.cause.kind === 'daemon-unreachable' || /connection (refused|reset)|error reading from server|EOF|Unavailable|no such file or directory/i.test(failure?.message ?? '');
    if (unreachable) {
      return `The node stopped answering. Check that its BuildKit daemon${this.state.endpoint ? ` at ${this.state.endpoint}` : ''} is running, then retry ${this.platform}.`;
    }
    return failure ? `${failure.cause.fix} Then retry ${this.platform}.` : `Read ${this.platform}'s log, then retry it.`;
  }

  /** The app's builder of this node alone (`docker buildx create --driver remote …`); a problem when it could not be made. */
  private async makeNodeBuilder(signal: AbortSignal): Promise<RpcError | undefined> {
    const reach = this.options.reach!;
    const args = nodeBuilderArgs(this.state.runner, reach.endpoint, reach.driverOpts);
    this.note(this.ctx.cli.display(args));
    try {
      const made = await this.ctx.cli.run(args, { signal, timeoutMs: 2 * MINUTE });
      this.note(made.stderr.trim() || made.stdout.trim());
      if (made.code === 0) return undefined;
      return new RpcError('BUILD_NODE_UNREACHABLE', `could not make a builder of node "${this.state.node}" alone: ${lastLine(made.stderr || made.stdout)}`, {
        hint: `Check that ${reach.endpoint} answers, or build ${this.platform} on the whole builder "${this.state.builder}" instead.`,
      });
    } catch (error) {
      return RpcError.from(error);
    }
  }

  private async removeNodeBuilder(): Promise<void> {
    const args = removeBuilderArgs(this.state.runner);
    const rm = await this.ctx.cli.run(args, { timeoutMs: MINUTE }).catch((error: unknown) => ({ code: 1, stderr: (error as Error).message, stdout: '' }));
    if (rm.code !== 0) this.ctx.log(`distributed build: ${this.ctx.cli.display(args)} failed: ${lastLine(rm.stderr)}`);
  }

  /** A line of the app's own in this lane's log (what it ran to reach the node). */
  private note(line: string): void {
    if (!line) return;
    for (const l of line.split('\n')) this.options.onOutput(this.sink!.push(Buffer.from(`${l.startsWith('docker ') ? '$ ' : ''}${l}\n`)));
  }
}

/** The last non-empty line of a command's output: what a one-line error quotes. */
export const lastLine = (text: string): string =>
  text
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .pop() ?? 'no output';
