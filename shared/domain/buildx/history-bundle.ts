import { millisBetween, RECORD_ID, type RecordBasics } from './history';

/**
 * A BuildKit history record as `docker buildx history export` stores it in a `.dockerbuild` file: the JSON of
 * buildx's bundle record (BuildKit's BuildHistoryRecord, its default platform and buildx's local state of the build).
 */
export interface BundleRecord extends RecordBasics {
  platforms: string[];
  context?: string;
  dockerfile?: string;
  error?: { message: string };
}

type Json = Record<string, unknown>;

/** Go's protobuf structs print proto names (`Ref`, `numTotalSteps`, `error`): read keys whatever their case. */
function field(obj: unknown, name: string): unknown {
  if (!obj || typeof obj !== 'object') return undefined;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(obj as Json)) if (k.toLowerCase() === lower) return v;
  return undefined;
}
const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
const int = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : 0);

/** A protobuf Timestamp as Go's encoding/json prints it (`{"seconds":…,"nanos":…}`), or an RFC 3339 string. */
export function timestampOf(v: unknown): string | undefined {
  if (typeof v === 'string') return Number.isFinite(Date.parse(v)) ? v : undefined;
  const seconds = field(v, 'seconds');
  if (typeof seconds !== 'number' && typeof seconds !== 'string') return undefined;
  const ms = Number(seconds) * 1000 + Math.floor(int(field(v, 'nanos')) / 1e6);
  return Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : undefined;
}

const lastPart = (path: string) => path.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? '';

/** google.rpc.Code CANCELLED */
const CANCELLED = 1;

/** Reads one record's JSON; undefined when it is not a history record. */
export function bundleRecordOf(json: unknown): BundleRecord | undefined {
  const id = text(field(json, 'Ref'));
  if (!id || !RECORD_ID.test(id)) return undefined;
  const attrs = (field(json, 'FrontendAttrs') ?? {}) as Json;
  const attr = (k: string) => text(attrs[k]);
  const local = field(json, 'localState');
  const localPath = text(field(local, 'LocalPath'));
  const createdAt = timestampOf(field(json, 'CreatedAt')) ?? '';
  const completedAt = timestampOf(field(json, 'CompletedAt'));
  const error = field(json, 'error');
  const errorMessage = text(field(error, 'message'));
  // buildx names a build after BUILDKIT_BUILD_NAME, else its context folder
  const contextPath = localPath && localPath !== '-' ? localPath : (attr('context') ?? attr('vcs:localdir:context'));
  const name = attr('build-arg:BUILDKIT_BUILD_NAME') || (contextPath && contextPath !== '.' ? lastPart(contextPath) : '');
  const platforms = (attr('platform') ?? text(field(json, 'DefaultPlatform')) ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const record: BundleRecord = {
    id,
    name,
    status: error ? (int(field(error, 'code')) === CANCELLED ? 'canceled' : 'failed') : completedAt ? 'completed' : 'running',
    createdAt,
    steps: { total: int(field(json, 'numTotalSteps')), completed: int(field(json, 'numCompletedSteps')), cached: int(field(json, 'numCachedSteps')) },
    platforms,
  };
  if (completedAt) {
    record.completedAt = completedAt;
    const ms = millisBetween(createdAt, completedAt);
    if (ms !== undefined) record.durationMs = ms;
  }
  if (contextPath) record.context = contextPath;
  const dockerfile = text(field(local, 'DockerfilePath')) || attr('filename');
  if (dockerfile && dockerfile !== '-') record.dockerfile = dockerfile;
  if (error) record.error = { message: errorMessage ?? 'the build failed' };
  return record;
}
