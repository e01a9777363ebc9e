import { describe, expect, it } from 'vitest';
import { compareBuilds, type ComparedBuild } from './compare';
import type { BuildTimeline, TimelineStep } from './model';
import { trendOf } from './trend';

const step = (name: string, label: string, durationMs: number | undefined, kind: TimelineStep['kind'] = 'native'): TimelineStep => ({
  index: 1,
  name,
  label,
  status: kind === 'cached' ? 'cached' : 'done',
  kind,
  why: '',
  runs: name.startsWith('RUN'),
  ...(durationMs !== undefined ? { durationMs } : {}),
});

const tl = (arm: TimelineStep[], amd: TimelineStep[]): BuildTimeline => ({
  schema: 1,
  lanes: [
    { platform: 'linux/amd64', status: 'done', steps: amd },
    { platform: 'linux/arm64', status: 'done', steps: arm },
  ],
  shared: [],
  lines: {},
  crossForms: [],
  notes: [],
});

function build(id: string, over: Partial<ComparedBuild> = {}): ComparedBuild {
  return {
    id,
    startedAt: `2026-12-0${id.length}T10:00:00.000Z`,
    status: 'succeeded',
    builder: 'default',
    request: { context: '/src/app', platforms: ['linux/amd64', 'linux/arm64'], buildArgs: [{ key: 'V', value: '1' }], noCache: false, pull: false, cacheFrom: [] },
    dockerfileSha256: 'sha256:aaa',
    outcomes: [
      { platform: 'linux/amd64', status: 'done', durationMs: 10_000, steps: 4, cached: 0 },
      { platform: 'linux/arm64', status: 'done', durationMs: 100_000, steps: 4, cached: 0 },
    ],
    ...over,
  };
}

describe('compareBuilds', () => {
  it('lists the inputs that changed and the per-platform and per-step time differences', () => {
    const a = build('a', {
      timeline: tl([step('RUN go build', 'build 4/4', 90_000, 'emulated'), step('COPY . .', 'build 3/4', 100)], [step('RUN go build', 'build 4/4', 8_000)]),
    });
    const b = build('bb', {
      builder: 'multi',
      dockerfileSha256: 'sha256:bbb',
      request: { ...a.request, platforms: ['linux/arm64', 'linux/amd64', 'linux/riscv64'], buildArgs: [{ key: 'V', value: '2' }] },
      outcomes: [
        { platform: 'linux/amd64', status: 'done', durationMs: 9_000, steps: 4, cached: 3 },
        { platform: 'linux/arm64', status: 'done', durationMs: 12_000, steps: 4, cached: 1 },
        { platform: 'linux/riscv64', status: 'error', steps: 2, cached: 0 },
      ],
      timeline: tl([step('RUN GOARCH=arm64 go build', 'build 5/5', 7_000, 'cross'), step('COPY . .', 'build 3/4', 100, 'cached')], [step('RUN go build', 'build 4/4', 7_500)]),
    });
    const c = compareBuilds(a, b);
    expect(c.inputs).toEqual([
      { what: 'platforms', a: 'linux/amd64, linux/arm64', b: 'linux/amd64, linux/arm64, linux/riscv64' },
      { what: 'build arguments', a: 'V=1', b: 'V=2' },
      { what: 'Dockerfile content (SHA-256)', a: 'sha256:aaa', b: 'sha256:bbb' },
      { what: 'builder', a: 'default', b: 'multi' },
    ]);
    expect(c.platforms).toEqual([
      { platform: 'linux/amd64', a: { status: 'done', durationMs: 10_000, steps: 4, cached: 0 }, b: { status: 'done', durationMs: 9_000, steps: 4, cached: 3 }, deltaMs: -1_000 },
      { platform: 'linux/arm64', a: { status: 'done', durationMs: 100_000, steps: 4, cached: 0 }, b: { status: 'done', durationMs: 12_000, steps: 4, cached: 1 }, deltaMs: -88_000 },
      { platform: 'linux/riscv64', b: { status: 'error', steps: 2, cached: 0 } },
    ]);
    expect(c.cache).toEqual({ a: { cached: 0, steps: 8 }, b: { cached: 4, steps: 10 } });
    // the biggest change first; steps of one build only at the end
    expect(c.steps.map((r) => [r.platform, r.name, r.deltaMs])).toEqual([
      ['linux/amd64', 'RUN go build', -500],
      ['linux/arm64', 'COPY . .', 0],
      ['linux/arm64', 'RUN go build', undefined],
      ['linux/arm64', 'RUN GOARCH=arm64 go build', undefined],
    ]);
    expect(c.steps[1]).toMatchObject({ a: { kind: 'native' }, b: { kind: 'cached' } });
  });

  it('finds nothing changed in the same build run twice', () => {
    expect(compareBuilds(build('a'), build('bb')).inputs).toEqual([]);
  });
});

describe('trendOf', () => {
  it('keeps builds of the same context and Dockerfile, oldest first, with the times of platforms that finished', () => {
    const mk = (id: string, day: number, over: Partial<ComparedBuild> = {}) => build(id, { startedAt: `2026-12-0${day}T10:00:00.000Z`, ...over });
    const records = [
      mk('r3', 3),
      mk('r1', 1),
      mk('other', 2, { request: { ...build('x').request, context: '/src/other' } }),
      mk('r2', 2, { request: { ...build('x').request, dockerfile: 'Dockerfile' } }),
      mk('file', 2, { request: { ...build('x').request, dockerfile: 'Dockerfile.dev' } }),
      mk('nothing', 4, { status: 'failed', outcomes: [{ platform: 'linux/arm64', status: 'error', steps: 1, cached: 0 }] }),
    ];
    const trend = trendOf(records, records[0]!);
    expect(trend.points.map((p) => p.id)).toEqual(['r1', 'r2', 'r3']);
    expect(trend.points[0]!.durations).toEqual({ 'linux/amd64': 10_000, 'linux/arm64': 100_000 });
    expect(trend.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    expect(trend.dockerfile).toBe('/src/app/Dockerfile');
    expect(trendOf(records, records[0]!, 2).points.map((p) => p.id)).toEqual(['r2', 'r3']);
  });
});
