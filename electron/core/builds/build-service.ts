import { readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildChunk, BuildFactsData, BuildList, BuildRecord, Leftovers } from '../../../shared/contract/builds';
import { classifyFailure, parseBuildMetadata, type BuildProgressSnapshot } from '../../../shared/domain/build-progress';
import { runsFromTimeline, timelineOf } from '../../../shared/domain/timeline';
import { buildArgv, displayCommand } from '../../../shared/domain/build-request/argv';
import { blockingProblems, checkBuild, checkRequestAlone, selectedBuilder, type BuildProblem } from '../../../shared/domain/build-request/checks';
import type { BuildRequest } from '../../../shared/domain/build-request/request';
import { RpcError } from '../../../shared/rpc/errors';
import type { CoreContext } from '../context';
import { inspectContext } from './context-folder';
import type { PickedPaths } from '../picked-paths';
import { prepareExports, type ExportPlan } from './destinations';
import { gatherFacts, type FactsSources } from './facts';
import { HistoryStore, LOG_FILE, METADATA_FILE } from './history-store';
import { findLeftovers, noteRunningSteps, noteSpawn, runStepCommand, stopLeftovers } from './leftovers';
import { LiveBuild, type LiveRun } from './live-build';
import { replayTail } from './log-pipeline';
import { whatWasLost } from './lost-connection';
import { failureOf, newBuildId, outcomesOf, toData } from './record';
import { planTimeline } from './run-context';
import { readTimeline, TIMELINE_TAIL_LINES, writeTimeline } from './timeline-file';
import { drainText, Watcher } from './watcher';

export interface BuildServiceOptions {
  sources?: FactsSources;
  /** How often terminal output is sent (milliseconds). */
  batchMs?: number;
  /** How often the lanes are re-sent while output flows. */
  progressMs?: number;
  /** Facts read this recently are reused by `run` (the form has just read them). */
  factsTtlMs?: number;
  /** Called when a build ends (the desktop shell shows a notification when its window is not focused). */
  onEnded?: (record: BuildRecord) => void;
  /** Work on what a successful build made, once it is recorded (the binary check); its failure is only logged. */
  afterSuccess?: (record: BuildRecord) => Promise<unknown>;
}

/** Replays an ended build whose log is not one buildx process's (a distributed build). */
export type Replayer = (record: BuildRecord, send: (chunk: BuildChunk) => Promise<void>, signal: AbortSignal) => Promise<void>;

/**
 * Builds: runs `docker buildx build --progress=rawjson --metadata-file …` through the app's docker
 * CLI (argv array, own process group), streams its terminal text and per-platform lanes to every
 * window following it in ~10 ms batches, writes the raw log to disk, and keeps the history.
 */
export class BuildService {
  readonly store: HistoryStore;
  private readonly live = new Map<string, LiveRun>();
  /** Replays distributed builds (set by their service). */
  replayer: Replayer | undefined;
  private factsCache: { at: number; value: BuildFactsData } | undefined;
  private refreshing: Promise<unknown> | undefined;
  private readonly batchMs: number;
  private readonly progressMs: number;
  private readonly factsTtlMs: number;
  private readonly sources: FactsSources;
  private readonly onEnded: ((record: BuildRecord) => void) | undefined;
  private readonly afterSuccess: ((record: BuildRecord) => Promise<unknown>) | undefined;
  private readonly followUps = new Set<Promise<unknown>>();
  private disposed = false;

  constructor(
    private readonly ctx: CoreContext,
    options: BuildServiceOptions = {},
  ) {
    this.store = new HistoryStore(ctx.dataDir);
    this.sources = options.sources ?? {};
    this.batchMs = options.batchMs ?? 10;
    this.progressMs = options.progressMs ?? 100;
    this.factsTtlMs = options.factsTtlMs ?? 30_000;
    this.onEnded = options.onEnded;
    this.afterSuccess = options.afterSuccess;
  }

  /** Sets fields of an ended build's record (what was found about its image afterwards). */
  async annotate(id: string, patch: Pick<BuildRecord, 'integrity'>): Promise<BuildRecord> {
    const record = { ...(await this.store.get(id)), ...patch };
    await this.store.save(record);
    return record;
  }

  /** Marks builds the previous run left `running` as interrupted. Call once at start-up. */
  async recover(): Promise<void> {
    const changed = await this.store.markInterrupted((id) => this.live.has(id));
    for (const r of changed) this.ctx.log(`build ${r.id} was running when the app stopped: marked interrupted`);
  }

  async facts(signal?: AbortSignal): Promise<BuildFactsData> {
    const value = await gatherFacts(this.ctx, this.sources, signal);
    this.factsCache = { at: Date.now(), value };
    return value;
  }

  /**
   * The facts for a build's checks. Reading them runs buildx and reads the emulators (hundreds of
   * milliseconds), so a build uses the last ones read (the form has just read them) and an old
   * copy is refreshed in the background for the next build.
   */
  async recentFacts(signal?: AbortSignal): Promise<BuildFactsData> {
    const cached = this.factsCache;
    if (!cached) return this.facts(signal);
    if (Date.now() - cached.at >= this.factsTtlMs && !this.refreshing) {
      this.refreshing = this.facts()
        .catch((error: unknown) => this.ctx.log(`builds: facts not refreshed: ${(error as Error).message}`))
        .finally(() => (this.refreshing = undefined));
    }
    return cached.value;
  }

  /**
   * Checks, records and starts a build; `first` follows it from its first byte. The request's own
   * fields and files are checked first; the facts (a dozen buildx and engine questions when not
   * cached) are read only for a request that can run.
   */
  async start(request: BuildRequest, first?: Watcher, signal?: AbortSignal): Promise<LiveBuild> {
    await this.admit(request);
    const context = await checkedContext(request, this.ctx.picked);
    const exports = await prepareExports(request, { dataDir: this.ctx.dataDir });

    let live: LiveBuild;
    try {
      let facts = await this.recentFacts(signal);
      // A builder made outside the app moments ago is not in cached facts yet: ask again before refusing.
      if (request.builder && !facts.buildersUnknown && !facts.builders.some((b) => b.name === request.builder)) facts = await this.facts(signal);
      const problems = checkBuild(request, facts, context.stagesSource === 'none' ? {} : { stages: context.stages.map((s) => s.name) });
      const blocking = blockingProblems(problems);
      if (blocking.length > 0) throw impossible(blocking, problems);
      live = await this.launch(request, facts, context.context, exports);
    } catch (error) {
      await exports.complete(false);
      throw error;
    }
    if (first) live.watchers.add(first);
    return live;
  }

  /** Records the build and starts `docker buildx build`. */
  private async launch(request: BuildRequest, facts: BuildFactsData, cwd: string, exports: ExportPlan): Promise<LiveBuild> {
    const plan = await planTimeline(request, facts);
    const id = newBuildId();
    const dir = await this.store.createFolder(id);
    const logFile = join(dir, LOG_FILE);
    const metadataFile = join(dir, METADATA_FILE);
    const builder = selectedBuilder(facts, request.builder);
    const record: BuildRecord = {
      schema: 1,
      id,
      request: toData(request),
      command: displayCommand(request, 'docker'),
      builder: { name: request.builder ?? builder?.name ?? facts.currentBuilder ?? 'default', ...(builder ? { driver: builder.driver } : {}) },
      platforms: [...request.platforms],
      status: 'running',
      startedAt: new Date().toISOString(),
      outcomes: request.platforms.map((platform) => ({ platform, status: 'waiting', steps: 0, cached: 0 })),
      imageNames: [],
      logFile,
      logBytes: 0,
    };
    if (plan.dockerfileSha256) record.dockerfileSha256 = plan.dockerfileSha256;
    await this.store.save(record);
    const live = new LiveBuild(record, this.batchMs, this.progressMs, plan);
    this.live.set(id, live);
    this.ctx.emit('builds.onStarted', record);

    const argv = buildArgv(request, { progress: 'rawjson', metadataFile, ...(exports.outputDest ? { outputDest: exports.outputDest } : {}) });
    const started = Date.now();
    void this.ctx.cli
      .run(argv, {
        build: true,
        signal: live.abort.signal,
        cwd,
        onStderr: (chunk) => live.onStderr(chunk),
        onSpawn: (pid) => void noteSpawn(dir, pid),
        maxCaptureBytes: 64 * 1024,
      })
      .then(
        (result) => this.finish(live, { code: result.code }, metadataFile, started, exports),
        (error: unknown) => this.finish(live, { error: RpcError.from(error) }, metadataFile, started, exports),
      )
      .catch((error: unknown) => this.ctx.log(`build ${id}: could not be finished: ${(error as Error).stack ?? String(error)}`));
    return live;
  }

  private async finish(live: LiveBuild, outcome: { code?: number; error?: RpcError }, metadataFile: string, started: number, exports: ExportPlan): Promise<void> {
    const { record } = live;
    const cancelled = outcome.error?.code === 'CANCELLED';
    if (cancelled) await sweepLeftovers(metadataFile);
    live.sink.drain();
    // The RUN steps under way when it ended: if the engine went away, their processes may outlive it.
    const runningSteps = runningStepCommands(live.pipeline.tracker.snapshot());
    // A killed build still ends its lanes: steps that were running become canceled.
    live.pipeline.end(outcome.code ?? (cancelled ? 130 : 1));
    if (cancelled) live.note(live.endReason === 'shutdown' ? 'The app closed: the build was stopped.' : 'Cancelled: the build was stopped.');
    else if (outcome.error) live.note(`The build could not run: ${outcome.error.message}${outcome.error.hint ? ` ${outcome.error.hint}` : ''}`);
    await live.sink.close();

    const snap = live.pipeline.tracker.snapshot();
    // Written before the record says the build ended: whoever opens it then finds its timeline.
    await this.saveTimeline(live, snap);
    const endedAt = new Date();
    const next: BuildRecord = {
      ...record,
      endedAt: endedAt.toISOString(),
      durationMs: endedAt.getTime() - started,
      outcomes: outcomesOf(snap, record.platforms, cancelled ? (live.endReason === 'shutdown' ? 'interrupted' : undefined) : undefined),
      logBytes: live.sink.bytes,
    };
    if (outcome.code !== undefined) next.exitCode = outcome.code;
    if (cancelled) {
      next.status = live.endReason === 'shutdown' ? 'interrupted' : 'cancelled';
      next.note = live.endReason === 'shutdown' ? 'The app closed while this build ran; it was stopped.' : 'Cancelled by the user.';
    } else if (outcome.error) {
      next.status = 'failed';
      next.note = outcome.error.message;
      next.failure = {
        platforms: [],
        steps: [],
        message: outcome.error.message,
        cause: { kind: 'unknown', explanation: outcome.error.message, fix: outcome.error.hint ?? 'Check the Engine page.' },
      };
    } else if (outcome.code === 0) {
      next.status = 'succeeded';
      const moved = await exports.complete(true);
      if (moved) next.note = moved;
      const metadata = parseBuildMetadata(await readFile(metadataFile, 'utf8').catch(() => ''));
      if (metadata?.imageDigest) next.digest = metadata.imageDigest;
      if (metadata?.descriptor) next.mediaType = metadata.descriptor.mediaType;
      if (metadata?.buildRef) next.buildxRef = metadata.buildRef;
      next.imageNames = metadata?.imageNames.length ? metadata.imageNames : [...record.request.tags];
    } else {
      next.status = 'failed';
      next.failure = failureOf(snap);
      if (next.failure.cause.kind === 'builder-lost') {
        // gRPC says only "Unavailable … EOF": find out what went away, and name it.
        const lost = await whatWasLost(this.ctx, record.builder).catch(() => undefined);
        next.failure.cause = classifyFailure([next.failure.message ?? '', ...next.failure.steps.map((st) => st.error)].join('\n'), {
          platforms: next.failure.platforms,
          ...(lost ? { lost } : {}),
        });
        if (lost && 'engine' in lost) await noteRunningSteps(this.store.dirOf(record.id), runningSteps);
      }
    }
    if (next.status !== 'succeeded') await exports.complete(false);
    live.record = next;
    await this.conclude(next, () => {
      live.flush(true);
      live.resolveDone(next);
    });
  }

  /** Refuses new work while the app closes. */
  assertOpen(): void {
    if (this.disposed) throw new RpcError('CORE_STOPPING', 'The app is closing; the build was not started.');
  }

  /** A build run elsewhere (a distributed one) joins the live builds: watch, cancel and shutdown reach it. */
  /**
   * What any new build (one process or one per platform) passes before anything about it is read: the
   * app is open, the data folder writable, a build slot free (a build over nodes takes one; the process
   * runner bounds its processes), and the request's own fields make sense.
   */
  async admit(request: BuildRequest): Promise<void> {
    this.assertOpen();
    await this.ctx.dataFolder.assertWritable('The build was not started');
    await this.store.flushUnsaved();
    const slots = this.ctx.cli.builds.options.limit;
    if (this.live.size >= slots) {
      throw new RpcError('BUSY', `${slots} builds are running already; this one was not started.`, { hint: 'Wait for one to end (or cancel one), then build again.' });
    }
    const own = blockingProblems(checkRequestAlone(request));
    if (own.length > 0) throw impossible(own, own);
  }

  adopt(run: LiveRun): void {
    this.live.set(run.record.id, run);
    this.ctx.emit('builds.onStarted', run.record);
  }

  /**
   * Records a build's end: saved, no longer live, its windows told (`tell`), announced, and what a
   * successful one made checked for foreign binaries.
   */
  async conclude(next: BuildRecord, tell: () => void): Promise<void> {
    await this.store.save(next).catch((error: unknown) => this.ctx.log(`build ${next.id}: record not saved: ${(error as Error).message}`));
    this.live.delete(next.id);
    tell();
    this.ctx.emit('builds.onEnded', next);
    try {
      this.onEnded?.(next);
    } catch (error) {
      this.ctx.log(`build ${next.id}: end hook failed: ${(error as Error).message}`);
    }
    if (next.status === 'succeeded' && this.afterSuccess && !this.disposed) {
      const work = this.afterSuccess(next)
        .catch((error: unknown) => this.ctx.log(`build ${next.id}: follow-up failed: ${(error as Error).message}`))
        .finally(() => this.followUps.delete(work));
      this.followUps.add(work);
    }
  }

  /** The finished build's timeline beside its record (a build is never failed for it: the log can make it again). */
  private async saveTimeline(live: LiveBuild, snap: BuildProgressSnapshot): Promise<void> {
    const timeline = timelineOf(snap, { run: live.describe, tailLines: TIMELINE_TAIL_LINES, ...live.plan.extras });
    await writeTimeline(this.store.dirOf(live.record.id), timeline).catch((error: unknown) =>
      this.ctx.log(`build ${live.record.id}: timeline not saved: ${(error as Error).message}`),
    );
  }

  /** Resolves when the follow-ups of ended builds (binary checks) are done. */
  async settled(): Promise<void> {
    await Promise.all([...this.followUps]);
  }

  /** A page of the history. */
  list(after: string | undefined, limit: number): Promise<BuildList> {
    return this.store.page(after, limit);
  }

  /** Processes the app's earlier builds left running (recent builds only: the newest 200). */
  async leftovers(): Promise<Leftovers> {
    const ids = (await this.store.ids().catch(() => [] as string[])).slice(0, 200);
    const builds = await findLeftovers(
      ids.map((id) => ({ id, dir: this.store.dirOf(id) })),
      (id) => this.live.has(id),
    );
    return { builds };
  }

  /** Looks for leftovers and tells the windows when there are some (at start, after the engine came back). */
  async announceLeftovers(): Promise<void> {
    const found = await this.leftovers();
    if (found.builds.length > 0) this.ctx.emit('builds.onLeftovers', found);
  }

  async stopLeftovers(id: string): Promise<{ stopped: number }> {
    return stopLeftovers({ id, dir: this.store.dirOf(id) }, (other) => this.live.has(other));
  }

  /** Follows a build (live, or replayed from disk when it has ended) until it ends. */
  async watch(id: string, send: (chunk: BuildChunk) => Promise<void>, signal: AbortSignal): Promise<BuildRecord> {
    const live = this.live.get(id);
    if (!live) return this.replay(id, send, signal);
    const watcher = new Watcher(send, { hold: true, logFile: live.record.logFile, platforms: live.record.platforms });
    return follow(live, watcher, signal, () => live.attach(watcher, signal));
  }

  /** Starts a build and follows it from its first byte. Ending the call only stops following. */
  async run(request: BuildRequest, send: (chunk: BuildChunk) => Promise<void>, signal: AbortSignal): Promise<BuildRecord> {
    const watcher = new Watcher(send, { platforms: request.platforms });
    const live = await this.start(request, watcher, signal);
    watcher.setLogFile(live.record.logFile);
    // The renderer learns the id (for Cancel) before any output.
    return follow(live, watcher, signal, () => watcher.push({ id: live.record.id, status: 'running' }));
  }

  private async replay(id: string, send: (chunk: BuildChunk) => Promise<void>, signal: AbortSignal): Promise<BuildRecord> {
    const record = await this.store.get(id);
    if (record.distributed && this.replayer) {
      await this.replayer(record, send, signal);
      return record;
    }
    await send({ id, status: record.status, replay: true, ...(record.placements ? { placements: record.placements } : {}) });
    // The lanes say how each step ran, as the build's stored timeline has it.
    const stored = await readTimeline(this.store.dirOf(id)).catch(() => undefined);
    const { pipeline, text } = await replayTail(record, { signal, ...(stored ? { describe: runsFromTimeline(stored) } : {}) }, (p) => {
      // A replay of an ended build ends its lanes the way the build ended.
      if (record.status !== 'running') p.end(record.exitCode ?? (record.status === 'succeeded' ? 0 : 1));
      if (record.note && record.status !== 'succeeded' && record.status !== 'failed') p.note(record.note);
    });
    const texts = drainText(text, record.logFile);
    const last = texts.pop();
    for (const terminal of texts) await send({ id, terminal, replay: true });
    await send({ id, ...(last ? { terminal: last } : {}), progress: pipeline.progress(), status: record.status, replay: true });
    return record;
  }

  cancel(id: string): boolean {
    const live = this.live.get(id);
    if (!live) return false;
    live.endReason ??= 'user';
    live.abort.abort();
    return true;
  }

  async remove(id: string): Promise<boolean> {
    if (this.live.has(id)) {
      throw new RpcError('BUILD_RUNNING', 'This build is still running; it cannot be deleted now.', { hint: 'Cancel it first, or wait for it to end.' });
    }
    return this.store.remove(id);
  }

  isLive(id: string): boolean {
    return this.live.has(id);
  }

  liveRecord(id: string): BuildRecord | undefined {
    return this.live.get(id)?.record;
  }

  /** A running build's parser and how its steps are described (for its timeline while it runs). */
  liveBuild(id: string): Pick<LiveBuild, 'pipeline' | 'describe' | 'plan' | 'record'> | undefined {
    const live = this.live.get(id);
    return live instanceof LiveBuild ? live : undefined;
  }

  /** Stops every running build (they are recorded as interrupted) and waits a little for them to end. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const running = [...this.live.values()];
    for (const live of running) {
      live.endReason = 'shutdown';
      live.abort.abort();
    }
    await Promise.race([Promise.all(running.map((l) => l.done)), new Promise((r) => setTimeout(r, 5000).unref())]);
  }
}

export function impossible(blocking: readonly BuildProblem[], problems: readonly BuildProblem[]): RpcError {
  return new RpcError('BUILD_IMPOSSIBLE', blocking.map((p) => p.message).join(' '), { hint: blocking.map((p) => p.fix).join(' '), data: { problems } });
}

/** The commands of RUN steps running at the moment (for leftovers, should the engine be gone). */
function runningStepCommands(snap: BuildProgressSnapshot): string[] {
  const names = [...snap.shared, ...snap.lanes.flatMap((l) => l.steps)].filter((st) => st.status === 'running').map((st) => st.name);
  return [...new Set(names.map(runStepCommand).filter((c): c is string => c !== undefined))];
}

/** The context folder and Dockerfile of a request, refused with the reason when unusable. */
export async function checkedContext(request: Pick<BuildRequest, 'context' | 'dockerfile'>, picked: PickedPaths): Promise<Awaited<ReturnType<typeof inspectContext>>> {
  const context = await inspectContext(request.context, request.dockerfile, picked);
  if (!context.ok) {
    const p = context.problems[0]!;
    throw new RpcError('BUILD_CONTEXT_INVALID', p.message, { hint: p.hint, data: { problems: context.problems } });
  }
  return context;
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

/**
 * After a cancel, makes sure nothing of the build is left: any process whose command line still
 * names this build's metadata file (the docker CLI or its buildx plugin, should one outlive the
 * group kill) is killed. Linux only (reads /proc); elsewhere the process-group kill has to do.
 */
export async function sweepLeftovers(marker: string): Promise<number> {
  if (process.platform !== 'linux') return 0;
  let killed = 0;
  const pids = await readdir('/proc').catch(() => [] as string[]);
  for (const pid of pids) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (!cmdline.includes(marker)) continue;
    // Only docker / buildx processes: the marker could appear in an unrelated command line.
    const exe = await readlink(`/proc/${pid}/exe`).catch(() => '');
    if (!/docker/.test(exe) && !/docker/.test(cmdline.split('\0')[0] ?? '')) continue;
    try {
      process.kill(Number(pid), 'SIGKILL');
      killed++;
    } catch {
      // gone already
    }
  }
  return killed;
}
