/** A build's History record: its id, the request as kept, and the outcome from what its log said. */
import { randomBytes } from 'node:crypto';
import type { BuildFailure, BuildRecord, PlatformOutcome } from '../../../shared/contract/builds';
import { classifyFailure, type BuildProgressSnapshot } from '../../../shared/domain/build-progress';
import type { BuildRequest } from '../../../shared/domain/build-request/request';

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

