import type { BuildComparison, BuildTimeline, InputChange, PlatformDelta, PlatformSide, StepDelta, StepSide, TimelineStep } from './model';

/**
 * Two builds side by side: which inputs changed (platforms, build arguments, target, Dockerfile
 * and its content, builder, cache settings), and where the time moved, per platform and per step,
 * with the cache hits of each. Steps are matched by platform and name (`[build 2/3] RUN …`): a
 * step whose Dockerfile line changed is in one build only.
 */

/** What a comparison needs of a History record (structurally a subset of it). */
export interface ComparedBuild {
  id: string;
  startedAt: string;
  status: string;
  builder: string;
  request: {
    context: string;
    dockerfile?: string | undefined;
    platforms: string[];
    buildArgs: Array<{ key: string; value: string }>;
    target?: string | undefined;
    noCache: boolean;
    pull: boolean;
    cacheFrom: string[];
  };
  /** SHA-256 of the Dockerfile as the build read it. */
  dockerfileSha256?: string | undefined;
  outcomes: Array<{ platform: string; status: string; durationMs?: number | undefined; steps: number; cached: number }>;
  timeline?: BuildTimeline | undefined;
}

const list = (items: readonly string[]) => (items.length ? items.join(', ') : '(none)');
const args = (a: ComparedBuild['request']['buildArgs']) => list(a.map((x) => `${x.key}=${x.value}`).sort());

export function compareBuilds(a: ComparedBuild, b: ComparedBuild): BuildComparison {
  const inputs: InputChange[] = [];
  const diff = (what: string, x: string, y: string) => {
    if (x !== y) inputs.push({ what, a: x, b: y });
  };
  diff('platforms', list([...a.request.platforms].sort()), list([...b.request.platforms].sort()));
  diff('build arguments', args(a.request.buildArgs), args(b.request.buildArgs));
  diff('target stage', a.request.target ?? '(last stage)', b.request.target ?? '(last stage)');
  diff('context', a.request.context, b.request.context);
  diff('Dockerfile', a.request.dockerfile ?? 'Dockerfile', b.request.dockerfile ?? 'Dockerfile');
  if (a.dockerfileSha256 !== undefined || b.dockerfileSha256 !== undefined) {
    diff('Dockerfile content (SHA-256)', a.dockerfileSha256 ?? 'not recorded', b.dockerfileSha256 ?? 'not recorded');
  }
  diff('builder', a.builder, b.builder);
  diff('no cache', String(a.request.noCache), String(b.request.noCache));
  diff('pull', String(a.request.pull), String(b.request.pull));
  diff('cache from', list(a.request.cacheFrom), list(b.request.cacheFrom));

  const platforms: PlatformDelta[] = [];
  for (const platform of [...new Set([...a.outcomes, ...b.outcomes].map((o) => o.platform))]) {
    const pa = a.outcomes.find((o) => o.platform === platform);
    const pb = b.outcomes.find((o) => o.platform === platform);
    const d: PlatformDelta = { platform };
    if (pa) d.a = side(pa);
    if (pb) d.b = side(pb);
    if (pa?.durationMs !== undefined && pb?.durationMs !== undefined) d.deltaMs = Math.round(pb.durationMs - pa.durationMs);
    platforms.push(d);
  }

  const steps = stepDeltas(a.timeline, b.timeline);
  const cache = (x: ComparedBuild) => ({
    cached: x.outcomes.reduce((n, o) => n + o.cached, 0),
    steps: x.outcomes.reduce((n, o) => n + o.steps, 0),
  });
  return { inputs, platforms, steps, cache: { a: cache(a), b: cache(b) } };
}

function side(o: ComparedBuild['outcomes'][number]): PlatformSide {
  const s: PlatformSide = { status: o.status, steps: o.steps, cached: o.cached };
  if (o.durationMs !== undefined) s.durationMs = o.durationMs;
  return s;
}

function stepSide(s: TimelineStep): StepSide {
  const out: StepSide = { kind: s.kind, status: s.status };
  if (s.durationMs !== undefined) out.durationMs = s.durationMs;
  return out;
}

function stepDeltas(a: BuildTimeline | undefined, b: BuildTimeline | undefined): StepDelta[] {
  const key = (platform: string, s: TimelineStep) => `${platform}\u0000${s.label ?? ''}\u0000${s.name}`;
  const rows = new Map<string, StepDelta>();
  const add = (t: BuildTimeline | undefined, which: 'a' | 'b') => {
    for (const lane of t?.lanes ?? []) {
      for (const s of lane.steps) {
        const k = key(lane.platform, s);
        let row = rows.get(k);
        if (!row) {
          row = { platform: lane.platform, name: s.name };
          if (s.label !== undefined) row.label = s.label;
          rows.set(k, row);
        }
        // A name repeated in one lane (rare): the first one counts.
        row[which] ??= stepSide(s);
      }
    }
  };
  add(a, 'a');
  add(b, 'b');
  const out = [...rows.values()];
  for (const r of out) {
    if (r.a?.durationMs !== undefined && r.b?.durationMs !== undefined) r.deltaMs = Math.round(r.b.durationMs - r.a.durationMs);
  }
  const weight = (r: StepDelta) => (r.deltaMs !== undefined ? Math.abs(r.deltaMs) : -1);
  return out.sort((x, y) => weight(y) - weight(x) || x.platform.localeCompare(y.platform));
}
