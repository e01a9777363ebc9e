/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';
import { analyzeDockerfile, planPreflight, preflightEntry, preflightFindings, targetStages } from './index';
import preflightDockerfile from './corpus/preflight.Dockerfile?raw';

const analysis = analyzeDockerfile(preflightDockerfile);
const amdArm = { targetPlatforms: ['linux/amd64', 'linux/arm64'], buildPlatform: 'linux/amd64' };

describe('planPreflight', () => {
  it('resolves global ARG defaults, skips scratch and stage references, and needs only the build platform on $BUILDPLATFORM', () => {
    const plan = planPreflight(analysis, amdArm);
    for (const e of plan) expect(preflightEntry.parse(e)).toEqual(e);
    expect(plan).toEqual([
      { stageIndex: 0, stageName: 'build', line: 6, source: 'from', image: 'golang:1.22-alpine', platformsNeeded: ['linux/amd64'] },
      { stageIndex: 0, stageName: 'build', line: 8, source: 'mount-from', image: 'busybox:1.36', platformsNeeded: ['linux/amd64'] },
      {
        stageIndex: 1,
        stageName: 'base',
        line: 11,
        source: 'from',
        image: 'docker.io/library/alpine:3.20',
        platformsNeeded: ['linux/amd64', 'linux/arm64'],
      },
      {
        stageIndex: 6,
        line: 23,
        source: 'copy-from',
        image: 'quay.example.com/example/helper:2',
        platformsNeeded: ['linux/amd64', 'linux/arm64'],
      },
    ]);
  });

  it('gives a stage built FROM another stage that stage\'s platform, ignoring its own --platform (BuildKit)', () => {
    const a = analyzeDockerfile(
      ['FROM --platform=$BUILDPLATFORM golang:1.22 AS build', 'FROM --platform=linux/s390x build AS more', 'COPY --from=busybox:1 /bin/sh /sh', 'FROM alpine:3', 'COPY --from=more /x /x'].join('\n'),
    );
    const plan = planPreflight(a, amdArm);
    expect(plan.find((e) => e.image === 'busybox:1')?.platformsNeeded).toEqual(['linux/amd64']);
  });

  it('matches FROM to a stage name exactly and never by index, as BuildKit does', () => {
    const a = analyzeDockerfile(['FROM golang:1.22 AS build', 'FROM 0', 'FROM Build'].join('\n'), { platforms: ['linux/amd64'] });
    expect(a.stages.map((s) => s.parentStage)).toEqual([undefined, undefined, undefined]);
    expect(planPreflight(a, { ...amdArm, target: undefined }).map((e) => e.image)).toEqual(['Build']);
  });

  it('uses the build platform for $BUILDPLATFORM stages whatever the builder is', () => {
    const plan = planPreflight(analysis, { targetPlatforms: ['linux/amd64', 'linux/arm64'], buildPlatform: 'linux/arm64' });
    expect(plan.find((e) => e.image === 'golang:1.22-alpine')?.platformsNeeded).toEqual(['linux/arm64']);
    expect(plan.find((e) => e.image === 'docker.io/library/alpine:3.20')?.platformsNeeded).toEqual(['linux/amd64', 'linux/arm64']);
  });

  it('treats a per-platform FROM that names no stage as an image, as BuildKit does', () => {
    // `FROM runtime-${TARGETARCH}` has no `runtime-arm` stage: linux/arm/v7 would pull an image of that name.
    const plan = planPreflight(analysis, { targetPlatforms: ['linux/amd64', 'linux/arm/v7'], buildPlatform: 'linux/amd64' });
    expect(plan.find((e) => e.image === 'runtime-arm')).toEqual({
      stageIndex: 4,
      stageName: 'runtime',
      line: 16,
      source: 'from',
      image: 'runtime-arm',
      platformsNeeded: ['linux/arm/v7'],
    });
    expect(plan.find((e) => e.image === 'docker.io/library/alpine:3.20')?.platformsNeeded).toEqual(['linux/amd64']);
  });

  it('lets build args override defaults and fill args without one', () => {
    const plan = planPreflight(analysis, { ...amdArm, buildArgs: { ALPINE_TAG: '3.19', GO_VERSION: '1.23', REGISTRY: 'mirror.example.com' } });
    expect(plan.map((e) => e.image)).toEqual([
      'golang:1.23-alpine',
      'busybox:1.36',
      'mirror.example.com/library/alpine:3.19',
      'quay.example.com/example/helper:2',
    ]);
  });

  it('plans only the stages the chosen target needs', () => {
    const plan = planPreflight(analysis, { ...amdArm, target: 'unused-tools' });
    expect(plan).toEqual([
      { stageIndex: 5, stageName: 'unused-tools', line: 19, source: 'copy-from', image: 'nginx:1.27', platformsNeeded: ['linux/amd64', 'linux/arm64'] },
    ]);
    expect(planPreflight(analysis, { ...amdArm, target: 'base' }).map((e) => e.image)).toEqual(['docker.io/library/alpine:3.20']);
  });

  it('follows a FROM that picks a stage per platform', () => {
    const text = [
      'FROM alpine:3.20 AS base-amd64',
      'FROM debian:bookworm-slim AS base-arm64',
      'FROM base-${TARGETARCH}',
      'RUN true',
    ].join('\n');
    const plan = planPreflight(analyzeDockerfile(text), amdArm);
    expect(plan).toEqual([
      { stageIndex: 0, stageName: 'base-amd64', line: 1, source: 'from', image: 'alpine:3.20', platformsNeeded: ['linux/amd64'] },
      { stageIndex: 1, stageName: 'base-arm64', line: 2, source: 'from', image: 'debian:bookworm-slim', platformsNeeded: ['linux/arm64'] },
    ]);
  });

  it('uses a constant --platform as the platform needed', () => {
    const text = 'FROM --platform=linux/amd64 node:20 AS assets\nRUN true\nFROM nginx:1.27\nCOPY --from=assets /a /b\n';
    const plan = planPreflight(analyzeDockerfile(text), amdArm);
    expect(plan.map((e) => [e.image, e.platformsNeeded])).toEqual([
      ['node:20', ['linux/amd64']],
      ['nginx:1.27', ['linux/amd64', 'linux/arm64']],
    ]);
  });

  it('stages FROM an earlier stage inherit its platform for their COPY --from images', () => {
    const text = [
      'FROM --platform=$BUILDPLATFORM golang:1.22 AS tools',
      'FROM tools AS gen',
      'COPY --from=example/protoc:25 /protoc /usr/bin/protoc',
      'FROM alpine:3.20',
      'COPY --from=gen /out /out',
    ].join('\n');
    const plan = planPreflight(analyzeDockerfile(text), { targetPlatforms: ['linux/arm64'], buildPlatform: 'linux/amd64' });
    expect(plan.map((e) => [e.image, e.platformsNeeded])).toEqual([
      ['golang:1.22', ['linux/amd64']],
      ['example/protoc:25', ['linux/amd64']],
      ['alpine:3.20', ['linux/arm64']],
    ]);
  });

  it('expands COPY --from with the stage args and reports args that expand to nothing', () => {
    const text = ['ARG HELPER=example/helper:1', 'ARG TAG', 'FROM alpine:${TAG}', 'ARG HELPER', 'COPY --from=${HELPER} /h /h'].join('\n');
    const plan = planPreflight(analyzeDockerfile(text), amdArm);
    expect(plan).toEqual([
      { stageIndex: 0, line: 3, source: 'from', image: 'alpine:', platformsNeeded: ['linux/amd64', 'linux/arm64'], unresolvedArgs: ['TAG'] },
      { stageIndex: 0, line: 5, source: 'copy-from', image: 'example/helper:1', platformsNeeded: ['linux/amd64', 'linux/arm64'] },
    ]);
  });

  it('defaults to the build platform when nothing is ticked, and normalises platform spellings', () => {
    const plan = planPreflight(analyzeDockerfile('FROM alpine:3.20\n'), { targetPlatforms: [], buildPlatform: 'linux/aarch64' });
    expect(plan[0]?.platformsNeeded).toEqual(['linux/arm64']);
    const plan2 = planPreflight(analyzeDockerfile('FROM alpine:3.20\n'), { targetPlatforms: ['linux/arm64/v8', 'arm64', 'linux/arm/v7'], buildPlatform: 'linux/amd64' });
    expect(plan2[0]?.platformsNeeded).toEqual(['linux/arm64', 'linux/arm/v7']);
  });

  it('returns nothing for a file without stages', () => {
    expect(planPreflight(analyzeDockerfile(''), amdArm)).toEqual([]);
    expect(planPreflight(analyzeDockerfile('FROM scratch\nCOPY a /a\n'), amdArm)).toEqual([]);
  });
});

describe('preflightFindings', () => {
  const text = [
    'FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS build',
    'RUN --mount=type=bind,from=busybox:1.36,target=/bb true',
    'FROM docker.io/library/alpine:3.20 AS base',
    'COPY --from=build /out /out',
    'COPY --from=quay.example.com/example/helper:2 /helper /helper',
  ].join('\n');
  const plan = planPreflight(analyzeDockerfile(text), {
    targetPlatforms: ['linux/amd64', 'linux/arm64', 'linux/riscv64', 'linux/arm/v7'],
    buildPlatform: 'linux/amd64',
  });
  const available = new Map<string, string[]>([
    ['golang:1.22-alpine', ['linux/amd64', 'linux/arm64', 'linux/arm/v7']],
    ['busybox:1.36', ['linux/amd64', 'linux/arm64']],
    ['docker.io/library/alpine:3.20', ['linux/amd64', 'linux/arm64/v8', 'linux/arm/v6', 'unknown/unknown']],
    // quay.example.com/example/helper:2 was not checked: no finding for it.
  ]);

  it('warns per base image about the platforms it lacks, with stage and line', () => {
    const findings = preflightFindings(plan, available);
    expect(findings.map((f) => [f.rule, f.severity, f.line, f.subject, f.platforms])).toEqual([
      ['base-missing-platform', 'warning', 3, 'docker.io/library/alpine:3.20', ['linux/riscv64']],
      ['base-platform-fallback', 'info', 3, 'docker.io/library/alpine:3.20', ['linux/arm/v7']],
    ]);
    expect(findings[0]?.message).toBe(
      'base `docker.io/library/alpine:3.20` has no linux/riscv64: that platform will fail at FROM (stage `base`, line 3).',
    );
    expect(findings[0]?.why).toContain('linux/amd64, linux/arm64, linux/arm/v6');
  });

  it('names COPY --from and RUN --mount as the failing step, and lists several platforms', () => {
    const findings = preflightFindings(plan, new Map([['busybox:1.36', ['linux/s390x']], ['quay.example.com/example/helper:2', ['linux/amd64']]]));
    expect(findings.map((f) => f.message)).toEqual([
      'base `busybox:1.36` has no linux/amd64: that platform will fail at RUN --mount (stage `build`, line 2).',
      'base `quay.example.com/example/helper:2` has no linux/arm64, linux/riscv64, linux/arm/v7: those platforms will fail at COPY --from (stage `base`, line 5).',
    ]);
  });

  it('treats linux/arm without a variant as v7 and is quiet when everything is there', () => {
    const p = planPreflight(analyzeDockerfile('FROM example/app:1\n'), { targetPlatforms: ['linux/arm/v7', 'linux/arm64'], buildPlatform: 'linux/amd64' });
    expect(preflightFindings(p, new Map([['example/app:1', ['linux/arm', 'linux/arm64/v8']]]))).toEqual([]);
    expect(preflightFindings(p, new Map())).toEqual([]);
  });

  it('warns about an image reference built from an unset arg', () => {
    const p = planPreflight(analyzeDockerfile('ARG TAG\nFROM alpine:${TAG}\n'), amdArm);
    const f = preflightFindings(p, new Map());
    expect(f.map((x) => [x.rule, x.line, x.subject])).toEqual([['base-unresolved-arg', 2, 'alpine:']]);
  });
});

describe('targetStages', () => {
  it('lists the named stages in order for the --target choice', () => {
    expect(targetStages(analysis)).toEqual([
      { name: 'build', index: 0, line: 6 },
      { name: 'base', index: 1, line: 11 },
      { name: 'runtime-amd64', index: 2, line: 14 },
      { name: 'runtime-arm64', index: 3, line: 15 },
      { name: 'runtime', index: 4, line: 16 },
      { name: 'unused-tools', index: 5, line: 18 },
    ]);
  });
});
