import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { platformTimes, runsFromTimeline, stepRun, timelineOf, type BuildTimeline } from '../../../shared/domain/timeline';
import { LogPipeline } from '../builds/log-pipeline';
import { nodeForBuild } from '../builds/run-context';
import { readTimeline, TIMELINE_FILE, TIMELINE_TAIL_LINES, writeTimeline } from '../builds/timeline-file';
import { CAPTURED_LOG, CAPTURED_PLATFORMS, capturedFacts, capturedTimeline } from '../testing/captured-timeline';

/** Timelines of a real captured build (see testing/captured-timeline.ts). */
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mas-timeline-unit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const kinds = (t: BuildTimeline, platform: string) =>
  Object.fromEntries(t.lanes.find((l) => l.platform === platform)!.steps.map((s) => [`${s.label ?? ''} ${s.name.split(' ')[0]}`.trim(), s.kind]));

describe('the node behind each platform (builder facts)', () => {
  it('runs amd64 natively and arm64, arm/v7 under QEMU on the stack’s default builder', async () => {
    const node = nodeForBuild(await capturedFacts(), 'default')('linux/arm64')!;
    expect(node.node).toBe('default');
    expect(node.nativePlatform).toBe('linux/amd64');
    expect(['linux/amd64', 'linux/386', 'linux/arm64', 'linux/arm/v7'].map((p) => node.support(p))).toEqual(['native', 'native', 'emulated', 'emulated']);
  });
});

describe('timeline of a captured 3-platform build', () => {
  it('labels every step: the $BUILDPLATFORM stage cross, the final RUN emulated off amd64, COPY steps native or cached', async () => {
    const t = await capturedTimeline(dir);
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
    const t = await capturedTimeline(dir, null);
    expect(t.notes.join(' ')).toMatch(/Dockerfile could not be read/);
    expect(t.lanes.find((l) => l.platform === 'linux/arm64')!.steps.find((s) => s.label === 'stage-1 3/3')).toMatchObject({ kind: 'emulated' });
    expect(t.lanes.flatMap((l) => l.steps).every((s) => s.line === undefined)).toBe(true);
  });
});

describe('timeline of a captured buildx 0.29.1 build', () => {
  it('tells cross steps by the `linux/amd64->arm64` BuildKit writes in their names, without the Dockerfile', async () => {
    const facts = await capturedFacts();
    const describe = (s: Parameters<typeof stepRun>[0]) => stepRun(s, { nodeFor: nodeForBuild(facts, 'default') });
    const pipeline = new LogPipeline(CAPTURED_PLATFORMS, describe);
    pipeline.push(await readFile(join(dirname(CAPTURED_LOG), 'rawjson-3platforms-cross-ok-0.29.1.stderr')));
    pipeline.end(0);
    const t = timelineOf(pipeline.tracker.snapshot(), { run: describe });
    const byLabel = (p: string, label: string) => t.lanes.find((l) => l.platform === p)!.steps.find((s) => s.label === label)!;
    expect(byLabel('linux/amd64', 'build 2/2')).toMatchObject({ kind: 'native', runs: true });
    expect(byLabel('linux/amd64', 'stage-1 3/3')).toMatchObject({ kind: 'native', runs: true });
    for (const p of ['linux/arm64', 'linux/arm/v7']) {
      expect(byLabel(p, 'build 2/2'), p).toMatchObject({ kind: 'cross', on: 'linux/amd64', runs: true });
      expect(byLabel(p, 'stage-1 3/3'), p).toMatchObject({ kind: 'emulated', runs: true });
      expect(byLabel(p, 'stage-1 3/3').why, p).toContain('QEMU');
    }
  });
});

describe('the stored timeline', () => {
  it('survives a round trip and gives a replay the same kinds by step number', async () => {
    const t = await capturedTimeline(dir);
    await writeTimeline(dir, t);
    const back = await readTimeline(dir);
    expect(back).toEqual(t);
    const runs = runsFromTimeline(back!);
    const replay = new LogPipeline(CAPTURED_PLATFORMS, runs);
    replay.push(await readFile(CAPTURED_LOG));
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
