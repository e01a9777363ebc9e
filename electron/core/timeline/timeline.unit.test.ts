import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BuildFactsData } from '../../../shared/contract/builds';
import { parseInspect } from '../../../shared/domain/buildx/inspect-text';
import { classifyPlatforms } from '../../../shared/domain/buildx/platform-support';
import { platformTimes, runsFromTimeline, stepRun, timelineOf, type BuildTimeline } from '../../../shared/domain/timeline';
import { LogPipeline } from '../builds/log-pipeline';
import { nodeForBuild, planTimeline } from '../builds/run-context';
import { readTimeline, TIMELINE_FILE, TIMELINE_TAIL_LINES, writeTimeline } from '../builds/timeline-file';

/**
 * The timeline of a real build: buildx 0.13.1's rawjson of a 3-platform build on the stack's
 * default (docker driver) builder, judged with the facts of that builder's captured `inspect`.
 */
const progressFixtures = resolve(__dirname, '../../../shared/domain/build-progress/fixtures');
const referenceCaptures = resolve(__dirname, '../../../../../shared/reference/captures');
const platforms = ['linux/amd64', 'linux/arm64', 'linux/arm/v7'];

/** The capture's Dockerfile.ok, as its step names show it (`[tools 2/2] RUN …`, `[linux/arm64 tools 1/2] COPY rootfs-amd64/ /`). */
const DOCKERFILE_OK = `FROM --platform=$BUILDPLATFORM scratch AS tools
ARG TARGETARCH
COPY rootfs-amd64/ /
RUN ["/bin/busybox","sh","-c","/bin/busybox --install -s /bin && echo cross-building for $TARGETARCH on $(uname -m) > /note"]

FROM scratch
ARG TARGETARCH TARGETVARIANT
COPY rootfs-\${TARGETARCH}\${TARGETVARIANT}/ /
COPY --from=tools /note /note
RUN ["/bin/busybox","sh","-c","/bin/busybox --install -s /bin && seq 1 5 && uname -m > /arch"]
`;

async function stackFacts(): Promise<BuildFactsData> {
  const inspect = await readFile(join(referenceCaptures, 'buildx-inspect-default.txt'), 'utf8').catch(() =>
    readFile(resolve(__dirname, '../../../shared/domain/buildx/fixtures/inspect-default-0.13.1.txt'), 'utf8'),
  );
  const builder = parseInspect(inspect);
  const node = builder!.nodes[0]!;
  // The stack registers QEMU for arm64 and arm (binfmt-misc-entries.txt).
  const classified = classifyPlatforms({
    driver: builder!.driver,
    reported: node.platforms,
    local: true,
    enginePlatform: 'linux/amd64',
    running: true,
    emulators: { 'linux/amd64': 'native', 'linux/arm64': 'emulated', 'linux/arm': 'emulated' },
  });
  return {
    nativePlatform: 'linux/amd64',
    containerdImageStore: true,
    builders: [{ name: builder!.name, driver: builder!.driver, status: 'running', current: true, platforms: node.platforms, local: true, support: classified.platforms }],
    currentBuilder: builder!.name,
    notes: [],
  };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mas-timeline-unit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function capturedTimeline(dockerfile: string | undefined): Promise<BuildTimeline> {
  if (dockerfile !== undefined) await writeFile(join(dir, 'Dockerfile.ok'), dockerfile);
  const plan = await planTimeline({ context: dir, dockerfile: 'Dockerfile.ok', platforms, builder: 'default' }, await stackFacts());
  const describe = (s: Parameters<typeof stepRun>[0]) => stepRun(s, plan.run);
  const pipeline = new LogPipeline(platforms, describe);
  pipeline.push(await readFile(join(progressFixtures, 'rawjson-3platforms-cross-ok.stderr')));
  pipeline.end(0);
  return timelineOf(pipeline.tracker.snapshot(), { run: describe, tailLines: TIMELINE_TAIL_LINES, ...plan.extras });
}

const kinds = (t: BuildTimeline, platform: string) =>
  Object.fromEntries(t.lanes.find((l) => l.platform === platform)!.steps.map((s) => [`${s.label ?? ''} ${s.name.split(' ')[0]}`.trim(), s.kind]));

describe('the node behind each platform (builder facts)', () => {
  it('runs amd64 natively and arm64, arm/v7 under QEMU on the stack’s default builder', async () => {
    const node = nodeForBuild(await stackFacts(), 'default')('linux/arm64')!;
    expect(node.node).toBe('default');
    expect(node.nativePlatform).toBe('linux/amd64');
    expect(['linux/amd64', 'linux/386', 'linux/arm64', 'linux/arm/v7'].map((p) => node.support(p))).toEqual(['native', 'native', 'emulated', 'emulated']);
  });
});

describe('timeline of a captured 3-platform build', () => {
  it('labels every step: the $BUILDPLATFORM stage cross, the final RUN emulated off amd64, COPY steps native or cached', async () => {
    const t = await capturedTimeline(DOCKERFILE_OK);
    expect(t.notes).toEqual([]);
    expect(t.dockerfile?.sha256).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(kinds(t, 'linux/amd64')).toEqual({
      'tools 2/2 RUN': 'native',
      'stage-1 1/3 COPY': 'cached',
      'stage-1 2/3 COPY': 'native',
      'stage-1 3/3 RUN': 'native',
    });
    for (const p of ['linux/arm64', 'linux/arm/v7']) {
      const lane = t.lanes.find((l) => l.platform === p)!;
      const tools = lane.steps.find((s) => s.label === 'tools 2/2')!;
      expect(tools, p).toMatchObject({ kind: 'cross', on: 'linux/amd64', runs: true, line: 4, stageIndex: 0 });
      expect(tools.tail?.length ?? 0).toBeLessThanOrEqual(TIMELINE_TAIL_LINES);
      expect(lane.steps.find((s) => s.label === 'stage-1 3/3'), p).toMatchObject({ kind: 'emulated', runs: true, line: 10, stageIndex: 1 });
      expect(t.lines['10']).toContain('uname -m > /arch');
    }
    // Every bar lies inside the build.
    for (const s of t.lanes.flatMap((l) => l.steps)) {
      expect(s.start!).toBeGreaterThanOrEqual(0);
      expect(s.end!).toBeGreaterThanOrEqual(s.start!);
      expect(s.end!).toBeLessThanOrEqual(t.durationMs!);
    }
    // arm64: the emulated RUN took 0.69 s of a lane that ran from 0.09 s to 1.25 s.
    const arm64 = platformTimes(t).find((p) => p.platform === 'linux/arm64')!;
    expect(arm64.top.map((s) => s.label)).toEqual(['stage-1 3/3']);
    // (bars are whole milliseconds from the build's start)
    expect(Math.abs(arm64.emulatedMs - (1250.044971 - 563.440345))).toBeLessThanOrEqual(1);
    expect(arm64.share).toBeGreaterThan(0.5);
    expect(platformTimes(t).find((p) => p.platform === 'linux/amd64')!.emulatedMs).toBe(0);
  });

  it('without the Dockerfile, steps still get kinds from their names and platforms, and a note says what is missing', async () => {
    const t = await capturedTimeline(undefined);
    expect(t.notes.join(' ')).toMatch(/Dockerfile could not be read/);
    expect(t.lanes.find((l) => l.platform === 'linux/arm64')!.steps.find((s) => s.label === 'stage-1 3/3')).toMatchObject({ kind: 'emulated' });
    expect(t.lanes.flatMap((l) => l.steps).every((s) => s.line === undefined)).toBe(true);
  });
});

describe('the stored timeline', () => {
  it('survives a round trip and gives a replay the same kinds by step number', async () => {
    const t = await capturedTimeline(DOCKERFILE_OK);
    await writeTimeline(dir, t);
    const back = await readTimeline(dir);
    expect(back).toEqual(t);
    const runs = runsFromTimeline(back!);
    const replay = new LogPipeline(platforms, runs);
    replay.push(await readFile(join(progressFixtures, 'rawjson-3platforms-cross-ok.stderr')));
    replay.end(0);
    const lanes = replay.progress().lanes;
    expect(lanes.flatMap((l) => l.steps.map((s) => `${l.platform} ${s.index} ${s.run?.kind}`)).sort()).toEqual(
      t.lanes.flatMap((l) => l.steps.map((s) => `${l.platform} ${s.index} ${s.kind}`)).sort(),
    );
  });

  it('is absent for a build without one, and a damaged file says which file and what to do', async () => {
    expect(await readTimeline(dir)).toBeUndefined();
    await writeFile(join(dir, TIMELINE_FILE), 'not gzip');
    await expect(readTimeline(dir)).rejects.toMatchObject({ code: 'TIMELINE_CORRUPT', message: expect.stringContaining(join(dir, TIMELINE_FILE)) });
  });
});
