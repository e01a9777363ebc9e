/** A build's History record: its id, the request as kept, and the outcome from what its log said. */
import { randomBytes } from 'node:crypto';
import type { BuildFactsData, BuildFailure, BuildRecord, PlatformOutcome } from '../../../shared/contract/builds';
import { classifyFailure, type BuildMetadata, type BuildProgressSnapshot } from '../../../shared/domain/build-progress';
import { displayCommand } from '../../../shared/domain/build-request/argv';
import { selectedBuilder } from '../../../shared/domain/build-request/checks';
import type { BuildRequest } from '../../../shared/domain/build-request/request';
import type { RpcError } from '../../../shared/rpc/errors';

export function newBuildId(): string {
  const t = new Date().toISOString().replace(/[-:T]/g, '').replace(/\..*$/, '');
  return `${t.slice(0, 8)}-${t.slice(8)}-${randomBytes(4).toString('hex')}`;
}

export function toData(request: BuildRequest): BuildRecord['request'] {
  const data: BuildRecord['request'] = {
    context: request.context,
    tags: [...request.tags],
    platforms: [...request.platforms],
    buildArgs: request.buildArgs.map((a) => ({ key: a.key, value: a.value })),
    output: { ...request.output },
    provenance: request.provenance,
    sbom: request.sbom,
    noCache: request.noCache,
    pull: request.pull,
    cacheFrom: [...request.cacheFrom],
    cacheTo: [...request.cacheTo],
  };
  if (request.dockerfile) data.dockerfile = request.dockerfile;
  if (request.target) data.target = request.target;
  if (request.builder) data.builder = request.builder;
  return data;
}

export function outcomesOf(snap: BuildProgressSnapshot, platforms: readonly string[], override?: 'interrupted'): PlatformOutcome[] {
  const lanes = new Map(snap.lanes.map((l) => [l.platform, l]));
  const order = [...platforms, ...snap.lanes.map((l) => l.platform).filter((p) => !platforms.includes(p))];
  return order.map((platform) => {
    const lane = lanes.get(platform);
    if (!lane) return { platform, status: override ?? 'waiting', steps: 0, cached: 0 };
    const outcome: PlatformOutcome = {
      platform,
      status: override && lane.status !== 'done' && lane.status !== 'error' ? override : lane.status,
      steps: lane.counts.total,
      cached: lane.counts.cached,
    };
    if (lane.durationMs !== undefined) outcome.durationMs = lane.durationMs;
    const failed = lane.steps.find((s) => s.status === 'error');
    if (failed) outcome.failedStep = { name: failed.name, error: failed.error ?? '' };
    return outcome;
  });
}

export function failureOf(snap: BuildProgressSnapshot): BuildFailure {
  const f = snap.failure;
  if (!f) {
    const text = snap.textLines.join('\n');
    return { platforms: [], steps: [], ...(text ? { message: text } : {}), cause: classifyFailure(text) };
  }
  const failure: BuildFailure = {
    platforms: [...f.platforms],
    steps: f.steps.map((s) => ({
      ...(s.platform !== undefined ? { platform: s.platform } : {}),
      name: s.name,
      ...(s.stepLabel !== undefined ? { stepLabel: s.stepLabel } : {}),
      error: s.error,
      lastLogLines: s.lastLogLines.slice(-20),
    })),
    cause: f.cause,
  };
  if (f.message !== undefined) failure.message = f.message;
  return failure;
}

/** The record of a build about to start: running, every platform waiting, its log not yet written. */
export function startedRecord(id: string, request: BuildRequest, facts: BuildFactsData, logFile: string, dockerfileSha256: string | undefined): BuildRecord {
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
  if (dockerfileSha256) record.dockerfileSha256 = dockerfileSha256;
  return record;
}

/** How the buildx process ended: its exit code, or the error that kept it from running (CANCELLED when stopped). */
export interface ProcessOutcome {
  code?: number;
  error?: RpcError;
}

/**
 * An ended build's record from how its process ended and what its log said. What it made (the
 * metadata file, `withMetadata`) and what a lost connection lost are read by the caller.
 */
export function endedRecord(
  record: BuildRecord,
  outcome: ProcessOutcome,
  snap: BuildProgressSnapshot,
  end: { shutdown: boolean; startedMs: number; endedAt: Date; logBytes: number },
): BuildRecord {
  const cancelled = outcome.error?.code === 'CANCELLED';
  const next: BuildRecord = {
    ...record,
    endedAt: end.endedAt.toISOString(),
    durationMs: end.endedAt.getTime() - end.startedMs,
    outcomes: outcomesOf(snap, record.platforms, cancelled && end.shutdown ? 'interrupted' : undefined),
    logBytes: end.logBytes,
  };
  if (outcome.code !== undefined) next.exitCode = outcome.code;
  if (cancelled) {
    next.status = end.shutdown ? 'interrupted' : 'cancelled';
    next.note = end.shutdown ? 'The app closed while this build ran; it was stopped.' : 'Cancelled by the user.';
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
  } else {
    next.status = 'failed';
    next.failure = failureOf(snap);
  }
  return next;
}

/** What a successful build's metadata file says it made (the requested tags when it names no image). */
export function addMetadata(next: BuildRecord, metadata: BuildMetadata | undefined): void {
  if (metadata?.imageDigest) next.digest = metadata.imageDigest;
  if (metadata?.descriptor) next.mediaType = metadata.descriptor.mediaType;
  if (metadata?.buildRef) next.buildxRef = metadata.buildRef;
  next.imageNames = metadata?.imageNames.length ? metadata.imageNames : [...next.request.tags];
}
