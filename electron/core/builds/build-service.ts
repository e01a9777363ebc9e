import type { BuildChunk, BuildFactsData, BuildList, BuildRecord, Leftovers } from '../../../shared/contract/builds';
import { blockingProblems, checkBuild, type BuildProblem } from '../../../shared/domain/build-request/checks';
import type { BuildRequest } from '../../../shared/domain/build-request/request';
import { RpcError } from '../../../shared/rpc/errors';
import type { CoreContext } from '../context';
import { assertRequestSound, assertSlotFree, checkedContext, refuseBlocking } from './admission';
import { prepareExports } from './destinations';
import { RecentFacts, type FactsSources } from './facts';
import { HistoryStore } from './history-store';
import { launchBuild, type LaunchHost } from './launch';
import { findLeftovers, stopLeftovers } from './leftovers';
import { LiveBuild, type LiveRun } from './live-build';
import { replayEnded } from './replay-ended';
import { follow, Watcher } from './watcher';

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
 * The service admits builds and keeps the live ones; admission.ts holds the checks, launch.ts a
 * build's process from start to record, replay-ended.ts the reading back of an ended one.
 */
export class BuildService {
  readonly store: HistoryStore;
  private readonly live = new Map<string, LiveRun>();
  /** Replays distributed builds (set by their service). */
  replayer: Replayer | undefined;
  private readonly factsCache: RecentFacts;
  private readonly launchHost: LaunchHost;
  private readonly onEnded: ((record: BuildRecord) => void) | undefined;
  private readonly afterSuccess: ((record: BuildRecord) => Promise<unknown>) | undefined;
  private readonly followUps = new Set<Promise<unknown>>();
  private disposed = false;

  constructor(
    private readonly ctx: CoreContext,
    options: BuildServiceOptions = {},
  ) {
    this.store = new HistoryStore(ctx.dataDir);
    this.factsCache = new RecentFacts(ctx, options.sources ?? {}, options.factsTtlMs ?? 30_000);
    this.launchHost = {
      ctx,
      store: this.store,
      batchMs: options.batchMs ?? 10,
      progressMs: options.progressMs ?? 100,
      adopt: (run) => this.adopt(run),
      conclude: (next, tell) => this.conclude(next, tell),
    };
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

  /** Reads the build form's facts now. */
  facts(signal?: AbortSignal): Promise<BuildFactsData> {
    return this.factsCache.read(signal);
  }

  /** The facts for a build's checks: the last ones read, refreshed once builds have ended when old (facts.ts). */
  recentFacts(signal?: AbortSignal): Promise<BuildFactsData> {
    return this.factsCache.recent(signal);
  }

  /**
   * Refuses a build that `check` finds blocking problems in, judged on current facts: a cached copy
   * that would refuse it is read again first. Returns the facts the build was admitted on.
   */
  async admittedOnFacts(check: (facts: BuildFactsData) => BuildProblem[], signal?: AbortSignal): Promise<BuildFactsData> {
    const facts = await this.factsCache.recentUnlessRefused((f) => blockingProblems(check(f)).length > 0, signal);
    refuseBlocking(check(facts));
    return facts;
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
      const stages = context.stagesSource === 'none' ? {} : { stages: context.stages.map((s) => s.name) };
      const facts = await this.admittedOnFacts((f) => checkBuild(request, f, stages), signal);
      live = await launchBuild(this.launchHost, request, facts, context.context, exports);
    } catch (error) {
      await exports.complete(false);
      throw error;
    }
    if (first) live.watchers.add(first);
    return live;
  }

  /** Refuses new work while the app closes. */
  assertOpen(): void {
    if (this.disposed) throw new RpcError('CORE_STOPPING', 'The app is closing; the build was not started.');
  }

  /**
   * What any new build (one process or one per platform) passes before anything about it is read: the
   * app is open, the data folder writable, a build slot free (a build over nodes takes one; the process
   * runner bounds its processes), and the request's own fields make sense.
   */
  async admit(request: BuildRequest): Promise<void> {
    this.assertOpen();
    await this.ctx.dataFolder.assertWritable('The build was not started');
    await this.store.flushUnsaved();
    assertSlotFree(this.live.size, this.ctx.cli.builds.options.limit);
    assertRequestSound(request);
  }

  /** A build joins the live builds (one of ours, or one run elsewhere: a distributed one): watch, cancel and shutdown reach it. */
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
    // Old facts are read again now that no build is starting or streaming beside the reading.
    if (this.live.size === 0 && !this.disposed) this.factsCache.refreshIfOld();
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

  /** An ended build read back from disk (a distributed one by its service's replayer). */
  private async replay(id: string, send: (chunk: BuildChunk) => Promise<void>, signal: AbortSignal): Promise<BuildRecord> {
    const record = await this.store.get(id);
    if (record.distributed && this.replayer) await this.replayer(record, send, signal);
    else await replayEnded(record, this.store.dirOf(id), send, signal);
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
    await Promise.race([Promise.all([...running.map((l) => l.done), this.factsCache.settled()]), new Promise((r) => setTimeout(r, 5000).unref())]);
  }
}
