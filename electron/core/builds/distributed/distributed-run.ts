import type { BuildChunk, BuildFailure, BuildRecord, PlatformOutcome } from '../../../../shared/contract/builds';
import type { LaneState, MergeVerification } from '../../../../shared/domain/distributed/model';
import { digestSource, displayArgv, mergeArgv } from '../../../../shared/domain/distributed/plan';
import { combineLanes, retagBatch } from '../../../../shared/domain/distributed/progress';
import { TerminalBatchBuilder } from '../../../../shared/domain/terminal-batch';
import { RpcError } from '../../../../shared/rpc/errors';
import type { CoreContext } from '../../context';
import type { ImageInspector } from '../../images/image-inspector';
import type { EndReason, LiveRun } from '../live-build';
import { LogSink } from '../log-sink';
import { drainText, type Watcher } from '../watcher';
import { replayDistributed } from './replay';
import { lastLine, type LaneRun } from './lane-run';

const MINUTE = 60_000;

export interface DistributedRunOptions {
  batchMs: number;
  progressMs: number;
  inspector: Pick<ImageInspector, 'inspectImage'>;
  /** Saves the record while the run goes on (a lane ended, the merge started). */
  save: (record: BuildRecord) => Promise<void>;
  /** Records the end (the build service saves it, tells the windows through `tell`, runs the follow-ups). */
  conclude: (record: BuildRecord, tell: () => void) => Promise<void>;
}

/** What one execution does: build these platforms, then merge unless a platform is missing (or `leaveOut` names exactly the missing ones). */
export interface Job {
  build: string[];
  leaveOut?: string[];
}

/**
 * A distributed build while it runs: its platforms' sub-builds in parallel, then the merge and its
 * check. The windows following it get one stream, as for any build: every sub-build's terminal
 * text in its platform's view, the app's own lines (the merge) in every view, one lane per platform.
 */
export class DistributedRun implements LiveRun {
  readonly abort = new AbortController();
  readonly watchers = new Set<Watcher>();
  readonly done: Promise<BuildRecord>;
  endReason: EndReason | undefined;
  private resolveDone!: (record: BuildRecord) => void;
  /** The app's own lines: the merge and what the check found. */
  private readonly main: LogSink;
  private timer: NodeJS.Timeout | undefined;
  private lastProgressAt = 0;
  private stateChanged = true;
  private readonly startedAt = Date.now();
  readonly lanes: LaneRun[];

  constructor(
    public record: BuildRecord,
    lanes: (run: DistributedRun) => LaneRun[],
    private readonly ctx: CoreContext,
    private readonly options: DistributedRunOptions,
  ) {
    this.lanes = lanes(this);
    this.main = new LogSink(record.logFile, []);
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  private get state() {
    return this.record.distributed!;
  }

  /** Runs the job to its end; resolves with the record as concluded. */
  async execute(job: Job): Promise<BuildRecord> {
    const signal = this.abort.signal;
    this.record = { ...this.record, status: 'running' };
    delete this.record.failure;
    delete this.record.note;
    await this.options.save(this.record).catch((error: unknown) => this.ctx.log(`build ${this.record.id}: record not saved: ${(error as Error).message}`));
    await this.lanesDone(job.build.length ? Promise.all(this.lanes.filter((l) => job.build.includes(l.platform)).map((l) => l.run(signal))) : Promise.resolve());
    if (!signal.aborted) {
      const missing = this.state.lanes.filter((l) => l.status !== 'succeeded').map((l) => l.platform);
      const chosen = job.leaveOut ?? [];
      if (missing.length === 0 || sameSet(missing, chosen)) await this.merge(missing);
    }
    return this.finish();
  }

  private async lanesDone(work: Promise<unknown>): Promise<void> {
    await work;
    await this.options.save(this.record).catch((error: unknown) => this.ctx.log(`build ${this.record.id}: record not saved: ${(error as Error).message}`));
  }

  /** `docker buildx imagetools create` of the platforms that have a digest, then the index checked against them. */
  private async merge(leftOut: string[]): Promise<void> {
    const request = this.record.request;
    const merged = this.state.lanes.filter((l) => l.status === 'succeeded' && l.digest);
    const argv = mergeArgv(request.tags, merged.map((l) => digestSource(request, l.digest!)));
    const merge = this.state.merge;
    Object.assign(merge, { status: 'running', command: displayArgv(argv), leftOut });
    if (leftOut.length) merge.decidedAt = new Date().toISOString();
    delete merge.error;
    delete merge.verification;
    this.changed();
    this.line(`$ ${merge.command}`);
    let result: { code: number; stderr: string; stdout: string };
    try {
      result = await this.ctx.cli.run(argv, { signal: this.abort.signal, timeoutMs: 10 * MINUTE, onStderr: (c) => this.output(this.main.push(c)), onStdout: (c) => this.output(this.main.push(c)) });
    } catch (error) {
      const rpc = RpcError.from(error);
      merge.status = 'failed';
      merge.error = { message: `Merging failed: ${rpc.message}`, ...(rpc.hint ? { hint: rpc.hint } : {}) };
      return;
    }
    if (result.code !== 0) {
      merge.status = 'failed';
      merge.error = { message: `Merging the digests failed: ${lastLine(result.stderr || result.stdout)}`, hint: 'Check that the registry accepts pushes under the tags, then merge again.' };
      this.line(merge.error.message);
      return;
    }
    merge.status = 'succeeded';
    this.changed();
    merge.verification = await this.verify(merged);
    this.line(merge.verification.message);
  }

  /** Reads the index back through the Results inspector: every merged platform with the manifest its sub-build pushed, nothing else. */
  private async verify(merged: LaneState[]): Promise<MergeVerification> {
    const request = this.record.request;
    const reference = request.tags[0]!;
    const platforms = merged.map((l) => l.platform);
    try {
      const index = await this.options.inspector.inspectImage(reference, platforms, { refresh: true, signal: this.abort.signal });
      this.state.merge.digest = index.digest;
      const missing: string[] = [];
      for (const lane of merged) {
        const own = await this.options.inspector.inspectImage(digestSource(request, lane.digest!), [lane.platform], { signal: this.abort.signal });
        const expected = own.platforms.find((p) => p.platform === lane.platform)?.digest;
        if (!expected || !index.platforms.some((p) => p.platform === lane.platform && p.digest === expected)) missing.push(lane.platform);
      }
      const listed = index.platforms.map((p) => p.platform);
      const unexpected = listed.filter((p) => !platforms.includes(p));
      const attestations = index.platforms.reduce((n, p) => n + p.attestations.length, 0);
      const wantsAttestations = request.provenance || request.sbom;
      const unattested = wantsAttestations ? index.platforms.filter((p) => p.attestations.length === 0).map((p) => p.platform) : [];
      const ok = missing.length === 0 && unexpected.length === 0 && unattested.length === 0;
      const message = ok
        ? `${reference} is one index of ${listed.length} platform${listed.length === 1 ? '' : 's'} (${listed.join(', ')})${attestations ? ` with ${attestations} attestation manifest${attestations === 1 ? '' : 's'}` : ''}: each the image its node pushed.`
        : [
            missing.length ? `${reference} lacks ${missing.join(', ')} as built` : '',
            unexpected.length ? `it also lists ${unexpected.join(', ')}, which were not merged` : '',
            unattested.length ? `${unattested.join(', ')} lost their attestations` : '',
          ]
            .filter(Boolean)
            .join('; ') + '.';
      return { ok, platforms: listed, missing, unexpected, attestations, reference, message };
    } catch (error) {
      const rpc = RpcError.from(error);
      return { ok: false, platforms: [], missing: platforms, unexpected: [], attestations: 0, reference, message: `The merged index could not be read back from ${reference}: ${rpc.message}` };
    }
  }

  private async finish(): Promise<BuildRecord> {
    await this.main.close();
    const cancelled = this.abort.signal.aborted;
    const state = this.state;
    for (const lane of state.lanes) if (lane.status === 'running' || (cancelled && lane.status === 'waiting')) lane.status = this.endReason === 'shutdown' ? 'interrupted' : 'cancelled';
    if (state.merge.status === 'running') state.merge.status = 'failed';
    const endedAt = new Date();
    const merged = state.merge.status === 'succeeded' && state.merge.verification?.ok === true;
    const next: BuildRecord = {
      ...this.record,
      endedAt: endedAt.toISOString(),
      durationMs: (this.record.durationMs ?? 0) + (endedAt.getTime() - this.startedAt),
      outcomes: state.lanes.map(outcomeOf),
      logBytes: this.main.bytes + this.record.logBytes,
      imageNames: merged ? [...this.record.request.tags] : [],
    };
    delete next.failure;
    delete next.note;
    delete next.digest;
    if (cancelled) {
      next.status = this.endReason === 'shutdown' ? 'interrupted' : 'cancelled';
      next.note = this.endReason === 'shutdown' ? 'The app closed while this build ran; it was stopped.' : 'Cancelled by the user.';
    } else if (merged) {
      next.status = 'succeeded';
      next.digest = state.merge.digest!;
      next.mediaType = 'application/vnd.oci.image.index.v1+json';
      if (state.merge.leftOut.length) next.note = `Merged without ${state.merge.leftOut.join(', ')}, by choice.`;
    } else {
      next.status = 'failed';
      next.failure = this.failure();
      const waiting = state.lanes.filter((l) => l.status !== 'succeeded').map((l) => l.platform);
      next.note = waiting.length
        ? `${waiting.join(', ')} ${waiting.length === 1 ? 'has' : 'have'} no image: retry ${waiting.length === 1 ? 'it' : 'them'}, or merge the others without ${waiting.length === 1 ? 'it' : 'them'}.`
        : (state.merge.error?.message ?? state.merge.verification?.message ?? 'The merge did not complete.');
    }
    this.record = next;
    await this.options.conclude(next, () => {
      this.flush(true);
      this.resolveDone(next);
    });
    return next;
  }

  private failure(): BuildFailure {
    const state = this.state;
    const failed = state.lanes.filter((l) => l.status === 'failed');
    const explained = this.lanes.find((l) => l.failure && failed.some((f) => f.platform === l.platform))?.failure;
    const message = failed.length ? failed.map((l) => l.error?.message ?? `${l.platform} failed`).join('\n') : (state.merge.error?.message ?? state.merge.verification?.message ?? 'The merge did not complete.');
    const hint = failed[0]?.error?.hint ?? state.merge.error?.hint ?? 'Merge again once the registry answers.';
    return {
      platforms: failed.map((l) => l.platform),
      steps: this.lanes.flatMap((l) => (failed.some((f) => f.platform === l.platform) ? (l.failure?.steps ?? []).map((s) => ({ ...s, platform: l.platform })) : [])),
      message,
      cause: explained && failed.length === 1 ? { ...explained.cause, fix: hint } : { kind: 'unknown', explanation: message, fix: hint },
    };
  }

  // ---- output to the windows ---------------------------------------------------------------

  /** A sub-build's output arrived (or its state changed): sent with the next batch. */
  output(flushNow: boolean): void {
    if (flushNow) this.flush(false);
    else this.schedule();
  }

  /** The record's distributed state changed: saved soon, sent with the next batch. */
  changed(): void {
    this.stateChanged = true;
    this.schedule();
  }

  private line(text: string): void {
    this.output(this.main.push(Buffer.from(`${text}\n`)));
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => this.flush(false), this.options.batchMs);
  }

  flush(final: boolean): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const text = new TerminalBatchBuilder();
    let dirty = false;
    for (const lane of this.lanes) {
      if (!lane.sink) continue;
      lane.sink.drain();
      const batch = lane.sink.pipeline.take();
      if (batch) text.addBatch(retagBatch(batch, lane.platform));
      dirty ||= lane.sink.pipeline.dirty;
    }
    this.main.drain();
    const own = this.main.pipeline.take();
    if (own) text.addBatch(own);
    const chunk: BuildChunk = { id: this.record.id };
    const terminal = text.take();
    if (terminal) chunk.terminal = terminal;
    if (dirty || this.stateChanged) {
      const now = Date.now();
      if (final || now - this.lastProgressAt >= this.options.progressMs) {
        chunk.progress = this.progress();
        chunk.distributed = structuredClone(this.state);
        this.stateChanged = false;
        this.lastProgressAt = now;
      } else this.schedule();
    }
    if (final) {
      chunk.status = this.record.status;
      chunk.distributed = structuredClone(this.state);
    }
    if (!chunk.terminal && !chunk.progress && !chunk.status && !chunk.distributed) return;
    for (const w of this.watchers) w.push(chunk);
  }

  private progress() {
    return combineLanes(
      this.lanes.map((l) => {
        const snapshot = l.progress();
        return { platform: l.platform, status: l.state.status, ...(snapshot ? { snapshot } : {}), ...(l.state.status !== 'running' && l.state.durationMs !== undefined ? { durationMs: l.state.durationMs } : {}) };
      }),
    );
  }

  async attach(watcher: Watcher, signal: AbortSignal): Promise<void> {
    this.flush(false);
    const offsets = new Map(this.lanes.flatMap((l) => (l.sink ? [[l.platform, l.sink.bytes] as const] : [])));
    const mainBytes = this.main.bytes;
    this.watchers.add(watcher);
    await Promise.all([this.main.flushed(), ...this.lanes.map((l) => l.sink?.flushed())]);
    await watcher.sendNow({ id: this.record.id, status: 'running', replay: true, ...(this.record.placements ? { placements: this.record.placements } : {}), distributed: structuredClone(this.state) });
    const { text } = await replayDistributed(this.record, { signal, offsets, mainBytes });
    for (const terminal of drainText(text, this.record.logFile)) await watcher.sendNow({ id: this.record.id, terminal, replay: true });
    watcher.release();
    this.stateChanged = true;
    this.schedule();
  }
}

function outcomeOf(lane: LaneState): PlatformOutcome {
  const status: PlatformOutcome['status'] =
    lane.status === 'succeeded' ? 'done' : lane.status === 'failed' ? 'error' : lane.status === 'cancelled' ? 'canceled' : lane.status === 'interrupted' ? 'interrupted' : lane.status;
  const outcome: PlatformOutcome = { platform: lane.platform, status, steps: lane.steps, cached: lane.cached };
  if (lane.durationMs !== undefined) outcome.durationMs = lane.durationMs;
  if (lane.status === 'failed' && lane.error) outcome.failedStep = { name: lane.node ? `on node ${lane.node}` : `on builder ${lane.builder}`, error: lane.error.message };
  return outcome;
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

