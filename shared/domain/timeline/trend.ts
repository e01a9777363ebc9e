import { resolveDockerfile } from '../build-request/argv';
import type { Trend, TrendPoint } from './model';

/**
 * Per-platform build time over time, for the builds of one context and Dockerfile (whatever
 * their platforms, arguments or Dockerfile content: each point says its Dockerfile's hash).
 */

/** What a trend needs of a History record (structurally a subset of it). */
export interface TrendRecord {
  id: string;
  startedAt: string;
  status: string;
  request: { context: string; dockerfile?: string | undefined };
  dockerfileSha256?: string | undefined;
  outcomes: Array<{ platform: string; status: string; durationMs?: number | undefined }>;
}

export const buildInputsKey = (r: Pick<TrendRecord, 'request'>): string => `${r.request.context}\u0000${resolveDockerfile(r.request)}`;

/** The trend of `of`'s context and Dockerfile among `records` (the most recent `limit` builds that ran). */
export function trendOf(records: readonly TrendRecord[], of: TrendRecord, limit = 30): Trend {
  const key = buildInputsKey(of);
  const points = records
    .filter((r) => buildInputsKey(r) === key && r.status !== 'running' && r.outcomes.some((o) => o.status === 'done' && o.durationMs !== undefined))
    .sort((x, y) => x.startedAt.localeCompare(y.startedAt) || x.id.localeCompare(y.id))
    .slice(-limit)
    .map((r): TrendPoint => {
      const durations: Record<string, number> = {};
      for (const o of r.outcomes) if (o.status === 'done' && o.durationMs !== undefined) durations[o.platform] = Math.round(o.durationMs);
      const p: TrendPoint = { id: r.id, startedAt: r.startedAt, status: r.status, durations };
      if (r.dockerfileSha256 !== undefined) p.dockerfileSha256 = r.dockerfileSha256;
      return p;
    });
  const platforms = [...new Set(points.flatMap((p) => Object.keys(p.durations)))];
  return { context: of.request.context, dockerfile: resolveDockerfile(of.request), points, platforms };
}
