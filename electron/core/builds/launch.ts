import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildFactsData, BuildRecord } from '../../../shared/contract/builds';
import { classifyFailure, parseBuildMetadata, type BuildProgressSnapshot } from '../../../shared/domain/build-progress';
import { buildArgv } from '../../../shared/domain/build-request/argv';
import type { BuildRequest } from '../../../shared/domain/build-request/request';
import { timelineOf } from '../../../shared/domain/timeline';
import { RpcError } from '../../../shared/rpc/errors';
import type { CoreContext } from '../context';
import type { ExportPlan } from './destinations';
import { LOG_FILE, METADATA_FILE, type HistoryStore } from './history-store';
import { noteRunningSteps, noteSpawn, runningStepCommands, sweepLeftovers } from './leftovers';
import { LiveBuild, type LiveRun } from './live-build';
import { whatWasLost } from './lost-connection';
import { addMetadata, endedRecord, newBuildId, startedRecord, type ProcessOutcome } from './record';
import { planTimeline } from './run-context';
import { TIMELINE_TAIL_LINES, writeTimeline } from './timeline-file';

/** What a build's process needs from the service that runs it. */
export interface LaunchHost {
  readonly ctx: CoreContext;
  readonly store: HistoryStore;
  readonly batchMs: number;
  readonly progressMs: number;
  /** The build joins the live builds (watch, cancel and shutdown reach it). */
  adopt(run: LiveRun): void;
  /** Records its end (see BuildService.conclude). */
  conclude(next: BuildRecord, tell: () => void): Promise<void>;
}

/**
 * Records a checked build and starts `docker buildx build` (argv array, own process group); when
 * the process ends, the build's log, lanes, timeline and record are finished and it is concluded.
 */
export async function launchBuild(host: LaunchHost, request: BuildRequest, facts: BuildFactsData, cwd: string, exports: ExportPlan): Promise<LiveBuild> {
  const plan = await planTimeline(request, facts);
  const id = newBuildId();
  const dir = await host.store.createFolder(id);
  const metadataFile = join(dir, METADATA_FILE);
  const record = startedRecord(id, request, facts, join(dir, LOG_FILE), plan.dockerfileSha256);
  await host.store.save(record);
  const live = new LiveBuild(record, host.batchMs, host.progressMs, plan);
  host.adopt(live);

  const argv = buildArgv(request, { progress: 'rawjson', metadataFile, ...(exports.outputDest ? { outputDest: exports.outputDest } : {}) });
  const started = Date.now();
  void host.ctx.cli
    .run(argv, {
      build: true,
      signal: live.abort.signal,
      cwd,
      onStderr: (chunk) => live.onStderr(chunk),
      onSpawn: (pid) => void noteSpawn(dir, pid),
      maxCaptureBytes: 64 * 1024,
    })
    .then(
      (result) => finish(host, live, { code: result.code }, metadataFile, started, exports),
      (error: unknown) => finish(host, live, { error: RpcError.from(error) }, metadataFile, started, exports),
    )
    .catch((error: unknown) => host.ctx.log(`build ${id}: could not be finished: ${(error as Error).stack ?? String(error)}`));
  return live;
}

async function finish(host: LaunchHost, live: LiveBuild, outcome: ProcessOutcome, metadataFile: string, started: number, exports: ExportPlan): Promise<void> {
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
  await saveTimeline(host, live, snap);
  const next = endedRecord(record, outcome, snap, { shutdown: live.endReason === 'shutdown', startedMs: started, endedAt: new Date(), logBytes: live.sink.bytes });
  if (next.status === 'succeeded') {
    const moved = await exports.complete(true);
    if (moved) next.note = moved;
    addMetadata(next, parseBuildMetadata(await readFile(metadataFile, 'utf8').catch(() => '')));
  } else if (next.failure?.cause.kind === 'builder-lost') {
    // gRPC says only "Unavailable … EOF": find out what went away, and name it.
    const lost = await whatWasLost(host.ctx, record.builder).catch(() => undefined);
    next.failure.cause = classifyFailure([next.failure.message ?? '', ...next.failure.steps.map((st) => st.error)].join('\n'), {
      platforms: next.failure.platforms,
      ...(lost ? { lost } : {}),
    });
    if (lost && 'engine' in lost) await noteRunningSteps(host.store.dirOf(record.id), runningSteps);
  }
  if (next.status !== 'succeeded') await exports.complete(false);
  live.record = next;
  await host.conclude(next, () => {
    live.flush(true);
    live.resolveDone(next);
  });
}

/** The finished build's timeline beside its record (a build is never failed for it: the log can make it again). */
async function saveTimeline(host: LaunchHost, live: LiveBuild, snap: BuildProgressSnapshot): Promise<void> {
  const timeline = timelineOf(snap, { run: live.describe, tailLines: TIMELINE_TAIL_LINES, ...live.plan.extras });
  await writeTimeline(host.store.dirOf(live.record.id), timeline).catch((error: unknown) =>
    host.ctx.log(`build ${live.record.id}: timeline not saved: ${(error as Error).message}`),
  );
}
