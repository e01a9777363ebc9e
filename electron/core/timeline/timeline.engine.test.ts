import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildRecord } from '../../../shared/contract/builds';
import type { PlatformLane } from '../../../shared/domain/build-progress';
import { bestNode } from '../../../shared/domain/platform-support';
import { crossEstimates, platformTimes, type BuildTimeline } from '../../../shared/domain/timeline';
import { TIMELINE_FILE } from '../builds/timeline-file';
import { stackEnv } from '../testing/stack';
import { tempContexts } from '../testing/temp-contexts';
import { startTestCore, waitForEngine, type TestCore } from '../testing/test-core';

const stack = stackEnv();
const env = { ...process.env, DOCKER_HOST: stack.dockerHost };
/** The stack's Go toolchain image (Debian bookworm's golang-go, linux/amd64 and linux/arm64). */
const golang = process.env.MAS_TEST_GOLANG_IMAGE ?? `${stack.registry}/stack/golang:bookworm`;

const MAIN_GO = `package main

import (
	"fmt"
	"runtime"
)

func main() { fmt.Printf("hello from %s/%s\\n", runtime.GOOS, runtime.GOARCH) }
`;

/**
 * A Go program compiled for each platform in its own image (under QEMU off amd64), next to a
 * stage on $BUILDPLATFORM that only writes a note (cross: it runs natively for every platform).
 */
const DOCKERFILE = `FROM ${golang} AS build
WORKDIR /src
COPY go.mod main.go ./
RUN go build -o /out/hello . && /out/hello

FROM --platform=$BUILDPLATFORM ${stack.baseImage} AS notes
ARG TARGETPLATFORM
RUN echo "note for $TARGETPLATFORM written on $(uname -m)" > /note

FROM ${stack.baseImage}
COPY --from=notes /note /note
COPY --from=build /out/hello /hello
`;

describe('where the time goes, on the real engine, buildx and QEMU', () => {
  let t: TestCore;
  let dataDir: string;
  let context: string;
  const contexts = tempContexts();
  let record: BuildRecord;
  let timeline: BuildTimeline;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mas-test-timeline-'));
    context = await contexts.make({ 'main.go': MAIN_GO, 'go.mod': 'module example.com/hello\n\ngo 1.19\n', Dockerfile: DOCKERFILE });
    t = await startTestCore({ env, dataDir });
    await waitForEngine(t.api, 'connected');
  });

  afterAll(async () => {
    await t?.close();
    await contexts.removeAll();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('labels every step of a 2-platform build (amd64 native, arm64 under QEMU) and stores the timeline with the record', async () => {
    const facts = await t.api.builds.facts({});
    expect(facts.nativePlatform).toBe('linux/amd64');
    const builder = facts.builders.find((b) => b.name === facts.currentBuilder)!;
    expect(bestNode(builder.nodes, 'linux/arm64')?.verdict.support).toBe('emulated');
    expect(bestNode(builder.nodes, 'linux/amd64')?.verdict.support).toBe('native');

    let lastLanes: PlatformLane[] | undefined;
    record = await t.api.builds.run(
      { context, platforms: ['linux/amd64', 'linux/arm64'], output: { type: 'cacheonly' }, noCache: true },
      { onChunk: (c) => c.progress && (lastLanes = c.progress.lanes) },
    ).result;
    expect(record.status).toBe('succeeded');
    expect(record.dockerfileSha256).toMatch(/^sha256:[0-9a-f]{64}$/);
    await stat(join(dataDir, 'builds', record.id, TIMELINE_FILE));

    // The lanes sent while it ran already carried each step's kind.
    const sentArm = lastLanes?.find((l) => l.platform === 'linux/arm64');
    expect(sentArm?.steps.find((s) => s.name.startsWith('RUN go build'))?.run?.kind).toBe('emulated');

    timeline = await t.api.timeline.get({ id: record.id });
    expect(timeline.dockerfile?.sha256).toBe(record.dockerfileSha256);
    // The timeline spans the build: no longer than the buildx command ran.
    expect(timeline.durationMs).toBeGreaterThan(0);
    expect(timeline.durationMs!).toBeLessThanOrEqual(record.durationMs!);
    const lane = (p: string) => timeline.lanes.find((l) => l.platform === p)!;
    const step = (p: string, prefix: string) => lane(p).steps.find((s) => s.name.startsWith(prefix))!;

    // Against the Dockerfile: the compile runs on each platform's own CPU (arm64: QEMU on the amd64 node),
    // the $BUILDPLATFORM stage runs on amd64 for both, the rest is BuildKit's own work.
    expect(step('linux/amd64', 'RUN go build')).toMatchObject({ kind: 'native', runs: true, line: 4, stageIndex: 0 });
    expect(step('linux/arm64', 'RUN go build')).toMatchObject({ kind: 'emulated', runs: true, line: 4, stageIndex: 0 });
    expect(step('linux/amd64', 'RUN echo')).toMatchObject({ kind: 'native', line: 8, stageIndex: 1 });
    expect(step('linux/arm64', 'RUN echo')).toMatchObject({ kind: 'cross', on: 'linux/amd64', line: 8, stageIndex: 1 });
    for (const s of lane('linux/amd64').steps) expect(s.kind, s.name).not.toBe('emulated');
    for (const s of lane('linux/arm64').steps.filter((x) => !x.runs)) expect(['native', 'cross', 'cached'], s.name).toContain(s.kind);
    // The compile's own output is its log tail: the program ran on each platform.
    expect(step('linux/arm64', 'RUN go build').tail?.join('\n')).toContain('hello from linux/arm64');

    // Emulated time dominates arm64; nothing of amd64 was emulated.
    const times = platformTimes(timeline);
    const arm64 = times.find((p) => p.platform === 'linux/arm64')!;
    expect(arm64.share).toBeGreaterThan(0.5);
    expect(arm64.top[0]).toMatchObject({ name: expect.stringMatching(/^RUN go build/), line: 4 });
    expect(times.find((p) => p.platform === 'linux/amd64')!.emulatedMs).toBe(0);
    expect(step('linux/arm64', 'RUN go build').durationMs!).toBeGreaterThan(step('linux/amd64', 'RUN go build').durationMs!);

    // The advice flags the compile stage; the estimate rests on the same step's native run in this build.
    const estimate = crossEstimates(timeline).find((e) => e.platform === 'linux/arm64');
    expect(estimate?.form).toMatchObject({ line: 4, stageIndex: 0, subject: 'go build' });
    expect(estimate?.basis).toContain('ran natively on linux/amd64');
    expect(estimate?.savingMs).toBeGreaterThan(0);
  }, 300_000);

  it('keeps the timeline across a restart, and the History replay shows the same kinds', async () => {
    await t.close();
    t = await startTestCore({ env, dataDir });
    await waitForEngine(t.api, 'connected');
    expect(await t.api.timeline.get({ id: record.id })).toEqual(timeline);
    let replayed: PlatformLane[] | undefined;
    await t.api.builds.watch({ id: record.id }, { onChunk: (c) => c.progress && (replayed = c.progress.lanes) }).result;
    const kindsOf = (lanes: Array<{ platform: string; steps: Array<{ index: number; kind?: string; run?: { kind: string } | undefined }> }>) =>
      lanes.flatMap((l) => l.steps.map((s) => `${l.platform} #${s.index} ${s.run?.kind ?? s.kind}`)).sort();
    expect(kindsOf(replayed!)).toEqual(kindsOf(timeline.lanes));
  });
});
