import { describe, expect, it } from 'vitest';
import { expectedMachines } from '../platform';
import { b64, crossOk, randomChunks, riscv64Fails, toOneObjectPerLine, utf8 } from './fixtures/captures';
import type { BuildProgressSnapshot, LogLine, ProgressEvent, StepSnapshot } from './model';
import { BuildProgressTracker, parseBuildProgress } from './tracker';

function track(chunks: Array<string | Uint8Array>, exitCode?: number, platforms?: string[]) {
  const tracker = new BuildProgressTracker(platforms ? { platforms } : {});
  const events: ProgressEvent[] = [];
  for (const c of chunks) events.push(...tracker.push(c));
  events.push(...tracker.end(exitCode));
  return { tracker, events, snap: tracker.snapshot() };
}

const lane = (snap: BuildProgressSnapshot, platform: string) => {
  const l = snap.lanes.find((x) => x.platform === platform);
  if (!l) throw new Error(`no lane ${platform}`);
  return l;
};
const logLines = (events: ProgressEvent[]): LogLine[] => events.flatMap((e) => (e.kind === 'log' ? [e.line] : []));
const digest = (n: number) => `sha256:${String(n).padStart(64, '0')}`;
const T = (s: number) => new Date(Date.UTC(2026, 10, 27, 23, 0, 0) + s * 1000).toISOString();

describe('real capture: riscv64 fails', () => {
  const { tracker, events, snap } = track([riscv64Fails], 1);

  it('parses cleanly into three platform lanes plus shared internal steps', () => {
    expect(tracker.malformed).toBe(0);
    expect(snap.lanes.map((l) => l.platform)).toEqual(['linux/amd64', 'linux/arm64', 'linux/riscv64']);
    for (const l of snap.lanes) expect(l.steps.map((s) => s.stepLabel)).toEqual(['1/2', '2/2', '1/2', '2/2']);
    expect(snap.shared.every((s) => s.internal)).toBe(true);
    expect(snap.shared.map((s) => s.name)).toEqual([
      'load build definition from Dockerfile',
      'load .dockerignore',
      'load build context',
      'load build context',
      'load build context',
    ]);
  });

  it('attributes the unprefixed RUN steps to platforms through their inputs', () => {
    for (const l of snap.lanes) {
      const [copy, ...runs] = l.steps;
      expect(copy!.platformSource).toBe('name');
      expect(copy!.name).toMatch(/^COPY rootfs-/);
      expect(copy!.stage).toBe('base');
      for (const run of runs) {
        expect(run.name).toMatch(/^RUN /);
        expect(run.fullName.startsWith('[linux/')).toBe(false);
        expect(run.platformSource).toBe('inputs');
      }
    }
    // The proof: what `uname -m` printed inside each step matches the lane it was put in.
    for (const l of snap.lanes) {
      const machine = expectedMachines(l.platform)[0]!;
      const printed = l.steps.flatMap((s) => s.lastLogLines).filter((x) => x.startsWith('building on'));
      expect(printed).toEqual([`building on ${machine}`]);
    }
  });

  it('puts the failure on linux/riscv64 and its last RUN step, with its log and the final ERROR', () => {
    expect(snap.status).toBe('error');
    expect(lane(snap, 'linux/amd64').status).toBe('done');
    expect(lane(snap, 'linux/arm64').status).toBe('done');
    expect(lane(snap, 'linux/riscv64').status).toBe('error');
    const failure = snap.failure!;
    expect(failure.platforms).toEqual(['linux/riscv64']);
    expect(failure.steps).toHaveLength(1);
    const step = failure.steps[0]!;
    expect(step.platform).toBe('linux/riscv64');
    expect(step.stepLabel).toBe('2/2');
    expect(step.fullName).toBe(
      '[stage-1 2/2] RUN if [ "$(uname -m)" = riscv64 ]; then echo "this step fails on riscv64" >&2; exit 3; fi',
    );
    expect(step.error).toMatch(/did not complete successfully: exit code: 3$/);
    expect(step.lastLogLines).toEqual(['this step fails on riscv64']);
    expect(failure.message).toBe(
      'failed to solve: process "/bin/sh -c if [ \\"$(uname -m)\\" = riscv64 ]; then echo \\"this step fails on riscv64\\" >&2; exit 3; fi" did not complete successfully: exit code: 3',
    );
    expect(failure.textLines[0]).toBe('Dockerfile:9');
    expect(failure.textLines).toContain('   9 | >>> RUN if [ "$(uname -m)" = riscv64 ]; then echo "this step fails on riscv64" >&2; exit 3; fi');
    expect(failure.exitCode).toBe(1);
    expect(failure.cause.kind).toBe('command-failed');
    expect(failure.cause.explanation).toContain('linux/riscv64');
    expect(failure.cause.explanation).toContain('exit code 3');
  });

  it('streams log lines tagged with platform, vertex and stream', () => {
    const lines = logLines(events);
    expect(lines.map((l) => `${l.platform} ${l.stream} ${l.text}`)).toEqual([
      'linux/arm64 1 building on aarch64',
      'linux/arm64 1 line 1 from aarch64',
      'linux/arm64 1 line 2 from aarch64',
      'linux/arm64 1 line 3 from aarch64',
      'linux/amd64 1 building on x86_64',
      'linux/amd64 1 line 1 from x86_64',
      'linux/amd64 1 line 2 from x86_64',
      'linux/amd64 1 line 3 from x86_64',
      'linux/riscv64 1 building on riscv64',
      'linux/riscv64 1 line 1 from riscv64',
      'linux/riscv64 1 line 2 from riscv64',
      'linux/riscv64 1 line 3 from riscv64',
      'linux/riscv64 2 this step fails on riscv64',
    ]);
    const failing = lines.at(-1)!;
    expect(failing.digest).toBe(snap.failure!.steps[0]!.digest);
    expect(failing.timestamp).toBe(Date.UTC(2026, 10, 27, 23, 44, 38) + 567.233);
  });

  it('reports steps and the build status as events', () => {
    const build = events.flatMap((e) => (e.kind === 'build' ? [e.status] : []));
    expect(build).toEqual(['running', 'error']);
    const errors = events.flatMap((e) => (e.kind === 'step' && e.change === 'error' ? [e.step] : []));
    expect(errors.map((s) => s.platform)).toEqual(['linux/riscv64']);
    const texts = events.flatMap((e) => (e.kind === 'text' ? [e.line] : []));
    expect(texts.at(-1)).toMatch(/^ERROR: failed to solve/);
  });
});

describe('real capture: cross build succeeds', () => {
  const { tracker, snap } = track([crossOk], 0);

  it('yields three platform lanes, all done, and a successful build', () => {
    expect(tracker.malformed).toBe(0);
    expect(snap.status).toBe('done');
    expect(snap.failure).toBeUndefined();
    expect(snap.lanes.map((l) => [l.platform, l.status])).toEqual([
      ['linux/arm/v7', 'done'],
      ['linux/amd64', 'done'],
      ['linux/arm64', 'done'],
    ]);
    for (const l of snap.lanes) {
      expect(l.durationMs).toBeGreaterThan(0);
      expect(l.completedAt! - l.startedAt!).toBeCloseTo(l.durationMs!, 3);
      expect(l.counts.error).toBe(0);
      expect(l.counts.done + l.counts.cached).toBe(l.counts.total);
      // Every lane ends with its own `[stage-1 3/3] RUN` that printed 1..5.
      const last = l.steps.at(-1)!;
      expect(last.fullName).toMatch(/^\[stage-1 3\/3\] RUN /);
      expect(last.platform).toBe(l.platform);
      expect(last.lastLogLines).toEqual(['1', '2', '3', '4', '5']);
    }
    expect(snap.durationMs).toBeGreaterThan(3000);
  });

  it('follows the graph across stages: the tools RUN inherits through its prefixed COPY', () => {
    const armv7 = lane(snap, 'linux/arm/v7');
    const tools = armv7.steps.find((s) => s.stage === 'tools' && s.stepLabel === '2/2')!;
    expect(tools.fullName).toContain('cross-building for arm on');
    expect(tools.platformSource).toBe('inputs');
    // Steps come in dependency order: inputs first.
    const order = armv7.steps.map((s) => `${s.stage} ${s.stepLabel}`);
    expect(order.indexOf('tools 1/2')).toBeLessThan(order.indexOf('tools 2/2'));
    expect(order.indexOf('tools 2/2')).toBeLessThan(order.indexOf('stage-1 2/3'));
    expect(order.indexOf('stage-1 2/3')).toBeLessThan(order.indexOf('stage-1 3/3'));
  });

  it('marks cached steps and keeps exporter steps shared with their progress', () => {
    const cached = snap.lanes.flatMap((l) => l.steps.filter((s) => s.status === 'cached'));
    expect(cached.map((s) => `${s.platform} ${s.name}`).sort()).toEqual([
      'linux/amd64 COPY rootfs-amd64/ /',
      'linux/arm/v7 COPY rootfs-amd64/ /',
      'linux/arm64 COPY rootfs-amd64/ /',
      'linux/arm64 COPY rootfs-arm64/ /',
    ]);
    expect(cached.every((s) => s.cached)).toBe(true);
    const exporting = snap.shared.find((s) => s.name === 'exporting to image')!;
    expect(exporting.status).toBe('done');
    expect(exporting.progress.map((p) => p.id)).toContain('pushing layers');
    expect(exporting.progress.every((p) => p.completed)).toBe(true);
    const context = snap.shared.find((s) => s.name === 'load build context')!;
    expect(context.progress[0]).toMatchObject({ id: 'transferring context:', completed: true });
    expect(context.progress[0]!.current).toBeGreaterThan(1_000_000);
  });
});

describe('chunking and serialisation do not change the result', () => {
  for (const [name, capture, exit] of [
    ['riscv64-fails', riscv64Fails, 1],
    ['cross-ok', crossOk, 0],
  ] as const) {
    it(`${name}: bytes one at a time, random chunks and one-object-per-line give the same snapshot`, () => {
      const whole = track([capture], exit);
      const bytes = utf8(capture);
      const oneByOne = track(
        Array.from(bytes, (b) => Uint8Array.of(b)),
        exit,
      );
      expect(oneByOne.snap).toEqual(whole.snap);
      expect(oneByOne.events).toEqual(whole.events);
      for (const seed of [7, 8, 9]) {
        expect(track(randomChunks(bytes, seed, 300), exit).snap).toEqual(whole.snap);
        expect(track(randomChunks(capture, seed, 5), exit).snap).toEqual(whole.snap);
      }
      const compact = toOneObjectPerLine(capture);
      expect(compact.split('\n').length).toBeLessThan(capture.split('\n').length / 5);
      const lines = track([compact], exit);
      expect(lines.tracker.malformed).toBe(0);
      expect(lines.snap).toEqual(whole.snap);
      expect(lines.events).toEqual(whole.events);
      expect(track(randomChunks(utf8(compact), 3, 64), exit).snap).toEqual(whole.snap);
    });
  }
});

describe('vertex records', () => {
  it('merges by digest: later fields override, timing survives bare updates, reruns count', () => {
    const t = new BuildProgressTracker();
    const d = digest(1);
    const v = (o: object) => JSON.stringify({ vertexes: [{ digest: d, ...o }] }) + '\n';
    t.push(v({ name: '[linux/arm64 2/3] RUN make' }));
    expect(t.step(d)).toMatchObject({ status: 'waiting', platform: 'linux/arm64', stepLabel: '2/3', name: 'RUN make' });
    t.push(v({ name: '[linux/arm64 2/3] RUN make', started: T(0) }));
    expect(t.step(d)!.status).toBe('running');
    t.push(v({ name: '[linux/arm64 2/3] RUN make', started: T(0), completed: T(2) }));
    expect(t.step(d)).toMatchObject({ status: 'done', durationMs: 2000, startedAt: Date.parse(T(0)) });
    // A bare re-announcement keeps what is known.
    t.push(v({ name: '[linux/arm64 2/3] RUN make' }));
    expect(t.step(d)).toMatchObject({ status: 'done', durationMs: 2000, completedAt: Date.parse(T(2)) });
    // Started again (BuildKit does this after a cache check): running, then done; time is the union.
    t.push(v({ started: T(1) }));
    expect(t.step(d)!.status).toBe('running');
    t.push(v({ started: T(1), completed: T(5) }));
    expect(t.step(d)).toMatchObject({ status: 'done', durationMs: 5000, startedAt: Date.parse(T(0)) });
    t.push(v({ started: T(6), completed: T(7), error: 'process "/bin/sh -c make" did not complete successfully: exit code: 2' }));
    expect(t.step(d)).toMatchObject({ status: 'error', durationMs: 6000 });
    expect(t.snapshot().lanes).toHaveLength(1);
    expect(t.snapshot().lanes[0]!.steps).toHaveLength(1);
  });

  it('tells cancellations from failures', () => {
    const t = new BuildProgressTracker({ platforms: ['linux/amd64', 'linux/arm64'] });
    t.push(
      JSON.stringify({
        vertexes: [
          { digest: digest(1), name: '[linux/amd64 1/1] RUN a', started: T(0), completed: T(1), error: 'context canceled' },
          { digest: digest(2), name: '[linux/arm64 1/1] RUN a', started: T(0), completed: T(1), error: 'exit code: 1' },
        ],
      }),
    );
    t.end(1);
    const snap = t.snapshot();
    expect(snap.lanes.map((l) => l.status)).toEqual(['canceled', 'error']);
    expect(snap.failure!.platforms).toEqual(['linux/arm64']);
  });

  it('resolves the platform when inputs arrive after the vertex, and says so', () => {
    const t = new BuildProgressTracker();
    const [copy, run, run2] = [digest(1), digest(2), digest(3)];
    const first = t.push(
      JSON.stringify({ vertexes: [{ digest: run2, inputs: [run], name: '[2/2] RUN b' }] }) +
        JSON.stringify({ vertexes: [{ digest: run, inputs: [copy], name: '[2/2] RUN a', started: T(0) }] }) +
        '\n' +
        JSON.stringify({ logs: [{ vertex: run, stream: 1, data: b64('early\n'), timestamp: T(0) }] }) +
        '\n',
    );
    expect(logLines(first)[0]!.platform).toBeUndefined();
    expect(t.snapshot().shared).toHaveLength(2);
    const later = t.push(
      JSON.stringify({ vertexes: [{ digest: copy, name: '[linux/s390x 1/2] COPY . /', started: T(0), completed: T(0) }] }) +
        '\n' +
        JSON.stringify({ logs: [{ vertex: run, stream: 1, data: b64('late\n'), timestamp: T(1) }] }) +
        '\n',
    );
    const platformEvents = later.filter((e) => e.kind === 'platform');
    expect(platformEvents).toEqual([
      { kind: 'platform', digest: run, index: 2, platform: 'linux/s390x', previous: undefined },
      { kind: 'platform', digest: run2, index: 1, platform: 'linux/s390x', previous: undefined },
    ]);
    expect(logLines(later)[0]).toMatchObject({ platform: 'linux/s390x', text: 'late' });
    const snap = t.snapshot();
    expect(snap.shared).toHaveLength(0);
    expect(lane(snap, 'linux/s390x').steps.map((s) => s.name)).toEqual(['COPY . /', 'RUN a', 'RUN b']);
  });

  it('keeps steps whose inputs span platforms shared, and ignores shared inputs', () => {
    const t = new BuildProgressTracker();
    const ctx = digest(9);
    t.push(
      JSON.stringify({
        vertexes: [
          { digest: ctx, name: '[internal] load build context' },
          { digest: digest(1), name: '[linux/amd64 1/2] FROM x' },
          { digest: digest(2), name: '[linux/arm64 1/2] FROM x' },
          { digest: digest(3), inputs: [digest(1), ctx], name: '[2/2] RUN --mount=type=bind,target=/src make' },
          { digest: digest(4), inputs: [digest(1), digest(2)], name: 'merging platforms' },
        ],
      }),
    );
    expect(t.platformOf(digest(3))).toBe('linux/amd64');
    expect(t.platformOf(digest(4))).toBeUndefined();
    expect(t.snapshot().shared.map((s) => s.name)).toEqual(['load build context', 'merging platforms']);
  });

  it('with one requested platform (no prefixes at all), Dockerfile steps go to it', () => {
    const t = new BuildProgressTracker({ platforms: ['linux/arm64/v8'] });
    expect(t.snapshot().lanes).toEqual([
      expect.objectContaining({ platform: 'linux/arm64', status: 'waiting', steps: [] }),
    ]);
    t.push(
      JSON.stringify({
        vertexes: [
          { digest: digest(1), name: '[internal] load build definition from Dockerfile' },
          { digest: digest(2), name: '[1/2] FROM docker.io/library/alpine' },
          { digest: digest(3), inputs: [digest(2)], name: '[2/2] RUN apk add curl', started: T(0) },
          { digest: digest(4), name: 'exporting to image' },
        ],
      }),
    );
    const snap = t.snapshot();
    expect(snap.lanes[0]!.steps.map((s) => [s.name, s.platformSource])).toEqual([
      ['FROM docker.io/library/alpine', 'requested'],
      ['RUN apk add curl', 'inputs'],
    ]);
    expect(snap.lanes[0]!.status).toBe('running');
    expect(snap.shared.map((s) => s.name)).toEqual(['load build definition from Dockerfile', 'exporting to image']);
  });
});

describe('logs', () => {
  const vertex = digest(1);
  const vertexRecord = JSON.stringify({ vertexes: [{ digest: vertex, name: '[linux/arm64 1/1] RUN x', started: T(0) }] });
  const logRecord = (data: Uint8Array | string, stream = 1) =>
    JSON.stringify({ logs: [{ vertex, stream, data: b64(data), timestamp: T(1) }] });

  it('decodes base64 UTF-8 with characters split across log entries at any byte', () => {
    const text = 'héllo wörld € 😀 ✓\n';
    const bytes = utf8(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      for (const cut2 of [cut + 1, bytes.length]) {
        const t = new BuildProgressTracker();
        const events = [
          ...t.push(vertexRecord + '\n'),
          ...t.push(logRecord(bytes.subarray(0, cut)) + '\n'),
          ...t.push(logRecord(bytes.subarray(cut, cut2)) + '\n' + logRecord(bytes.subarray(cut2)) + '\n'),
        ];
        expect(logLines(events).map((l) => l.text)).toEqual(['héllo wörld € 😀 ✓']);
      }
    }
  });

  it('joins partial lines per stream, keeps what CR redraws leave, and flushes at completion', () => {
    const t = new BuildProgressTracker();
    const events = [
      ...t.push(vertexRecord + '\n'),
      ...t.push(logRecord('out-a') + '\n'),
      ...t.push(logRecord('err-a', 2) + '\n'),
      ...t.push(logRecord('out-b\nnext') + '\n'),
      ...t.push(logRecord('err-b\r\n', 2) + '\n'),
      ...t.push(logRecord('  10%\r  55%\r 100%\n') + '\n'),
      ...t.push(logRecord('no newline at the end') + '\n'),
      ...t.push(JSON.stringify({ vertexes: [{ digest: vertex, started: T(0), completed: T(2) }] }) + '\n'),
    ];
    expect(logLines(events).map((l) => [l.stream, l.text])).toEqual([
      [1, 'out-aout-b'],
      [2, 'err-aerr-b'],
      [1, ' 100%'],
      [1, 'no newline at the end'],
    ]);
  });

  it('keeps a bounded ring of the last lines per step and counts them all', () => {
    const t = new BuildProgressTracker({ maxLogLinesPerStep: 50 });
    t.push(vertexRecord + '\n');
    let all = '';
    for (let i = 0; i < 200; i++) all += `line ${i}\n`;
    t.push(logRecord(all) + '\n');
    const step = t.step(vertex)!;
    expect(step.logLineCount).toBe(200);
    expect(step.lastLogLines).toHaveLength(50);
    expect(step.lastLogLines[0]).toBe('line 150');
    expect(step.lastLogLines.at(-1)).toBe('line 199');
  });

  it('takes the escaped-JSON path and the fast path to the same lines', () => {
    const t = new BuildProgressTracker();
    t.push(vertexRecord + '\n');
    // Escaped slash in the base64 (valid JSON, not the fast shape) and a two-entry log object.
    const data = b64('???\n');
    expect(data).toContain('/');
    const escaped = `{"logs":[{"vertex":"${vertex}","stream":1,"data":"${data.replace('/', '\\/')}","timestamp":"${T(1)}"}]}\n`;
    const two = JSON.stringify({
      logs: [
        { vertex, stream: 1, data: b64('one\n'), timestamp: T(1) },
        { vertex, stream: 2, data: b64('two\n'), timestamp: T(1) },
      ],
    });
    const events = [...t.push(escaped), ...t.push(two + '\n')];
    expect(logLines(events).map((l) => l.text)).toEqual(['???', 'one', 'two']);
    expect(t.malformed).toBe(0);
  });

  it('decodes warnings', () => {
    const t = new BuildProgressTracker();
    t.push(vertexRecord + '\n');
    const events = t.push(
      JSON.stringify({
        warnings: [{ vertex, level: 1, short: b64('FromAsCasing: mismatch'), detail: [b64('détail')], url: 'https://x' }],
      }) + '\n',
    );
    expect(events).toContainEqual({
      kind: 'warning',
      warning: { digest: vertex, platform: 'linux/arm64', level: 1, short: 'FromAsCasing: mismatch', detail: ['détail'], url: 'https://x' },
    });
    expect(t.snapshot().warnings).toHaveLength(1);
  });
});

describe('build outcome', () => {
  it('classifies a failure that has no JSON at all (docker driver refusing several platforms)', () => {
    const snap = parseBuildProgress(
      'ERROR: Multi-platform build is not supported for the docker driver.\nSwitch to a different driver, or turn on the containerd image store, and try again.\n',
      { exitCode: 1, platforms: ['linux/amd64', 'linux/arm64'] },
    );
    expect(snap.status).toBe('error');
    // Nothing was built; the lanes did not get to run.
    expect(snap.lanes.map((l) => [l.status, l.steps.length])).toEqual([
      ['canceled', 0],
      ['canceled', 0],
    ]);
    expect(snap.failure).toMatchObject({ platforms: [], steps: [], cause: { kind: 'docker-driver-multiplatform' } });
    expect(snap.failure!.message).toBe(
      'Multi-platform build is not supported for the docker driver.\nSwitch to a different driver, or turn on the containerd image store, and try again.',
    );
  });

  it('ends steps still running: canceled when the build failed', () => {
    const t = new BuildProgressTracker();
    t.push(JSON.stringify({ vertexes: [{ digest: digest(1), name: '[linux/arm64 1/1] RUN sleep', started: T(0) }] }));
    t.push(JSON.stringify({ logs: [{ vertex: digest(1), stream: 1, data: b64('half a line'), timestamp: T(3) }] }));
    expect(t.buildStatus).toBe('running');
    const events = t.end(137);
    expect(logLines(events).map((l) => l.text)).toEqual(['half a line']);
    const snap = t.snapshot();
    expect(snap.status).toBe('error');
    expect(snap.lanes[0]!.steps[0]).toMatchObject({ status: 'canceled', durationMs: 3000 });
    expect(snap.failure).toMatchObject({ exitCode: 137, steps: [], cause: { kind: 'unknown' } });
  });

  it('returns the same snapshot object until something changes', () => {
    const t = new BuildProgressTracker();
    t.push(crossOk.slice(0, 5000));
    const a = t.snapshot();
    expect(t.snapshot()).toBe(a);
    t.push(crossOk.slice(5000));
    const b = t.snapshot();
    expect(b).not.toBe(a);
    // Finished steps keep their identity between snapshots (cheap re-renders).
    const doneA = a.shared.find((s: StepSnapshot) => s.status === 'done')!;
    expect(b.shared.find((s) => s.digest === doneA.digest)).toBe(doneA);
  });

  it('never throws on malformed input', () => {
    const t = new BuildProgressTracker();
    const junk = [
      '{"vertexes":"nope"}',
      '{"vertexes":[null,1,"x",{"digest":5},{"digest":"d","inputs":[1,null,"d"],"name":7,"started":"garbage"}]}',
      '{"statuses":[{"id":1},{"id":"x","vertex":"v","current":"a","total":null,"completed":"0001-01-01T00:00:00Z"}]}',
      '{"logs":[{"vertex":"v","data":12},{"vertex":"v","data":"!!!not base64!!!","stream":"2"},null]}',
      '{"logs":[{"vertex":"v","stream":1,"data":"Zm9v","timestamp":"x"}',
      '{"warnings":[{"short":5,"detail":"x"}]}',
      '[1,2,3]',
      '"just a string"',
      `{"deep":${'['.repeat(5000)}${']'.repeat(5000)}}`,
      '\u0000\u0001\uffff{{{{',
    ];
    for (const j of junk) expect(() => t.push(j + '\n')).not.toThrow();
    expect(() => t.end()).not.toThrow();
    expect(() => t.snapshot()).not.toThrow();
    expect(t.step('d')!.inputs).toEqual([]);
  });
});
