import { describe, expect, it } from 'vitest';
import type { BuildTimeline, TimelineStep } from './model';
import { crossEstimates, platformTime, unionMs } from './summary';

const s = (index: number, over: Partial<TimelineStep>): TimelineStep => ({
  index,
  name: `step ${index}`,
  status: 'done',
  kind: 'native',
  why: '',
  runs: false,
  ...over,
});

const GO_FORM = { rule: 'compile-under-emulation', line: 4, stageIndex: 0, message: 'Stage build compiles (go build) under QEMU', rewrite: true };

function timeline(): BuildTimeline {
  return {
    schema: 1,
    startedAt: 1_000_000,
    durationMs: 192_000,
    lanes: [
      {
        platform: 'linux/amd64',
        status: 'done',
        durationMs: 20_000,
        steps: [
          s(1, { kind: 'native', start: 0, end: 1_000, durationMs: 1_000, line: 1, stageIndex: 0 }),
          s(2, { kind: 'native', runs: true, start: 1_000, end: 13_000, durationMs: 12_000, line: 4, stageIndex: 0, name: 'RUN go build' }),
        ],
      },
      {
        platform: 'linux/arm64',
        status: 'done',
        durationMs: 192_000,
        steps: [
          s(3, { kind: 'native', start: 0, end: 2_000, durationMs: 2_000, line: 1, stageIndex: 0 }),
          // two emulated RUN steps that overlap for 10 s: counted once
          s(4, { kind: 'emulated', runs: true, start: 2_000, end: 150_000, durationMs: 148_000, line: 4, stageIndex: 0, name: 'RUN go build' }),
          s(5, { kind: 'emulated', runs: true, start: 140_000, end: 180_000, durationMs: 40_000, line: 9, stageIndex: 1, name: 'RUN apt-get install' }),
          s(6, { kind: 'emulated', runs: true, start: 181_000, end: 182_000, durationMs: 1_000, line: 10, stageIndex: 1 }),
          s(7, { kind: 'emulated', runs: true, start: 182_000, end: 182_500, durationMs: 500, line: 11, stageIndex: 1 }),
          s(8, { kind: 'cached', runs: true, line: 12, stageIndex: 1 }),
        ],
      },
    ],
    shared: [],
    lines: {},
    crossForms: [GO_FORM],
    notes: [],
  };
}

describe('unionMs', () => {
  it('counts overlapping spans once and ignores empty ones', () => {
    expect(unionMs([])).toBe(0);
    expect(unionMs([[0, 10], [5, 15], [20, 25], [30, 30]])).toBe(20);
    expect(unionMs([[20, 25], [0, 10], [1, 2]])).toBe(15);
  });
});

describe('platformTime', () => {
  it('gives the share of the lane spent in emulated RUN steps and the three most expensive', () => {
    const arm = platformTime(timeline().lanes[1]!);
    // 2 s..180 s (overlap counted once) + 181..182.5 s
    expect(arm.emulatedMs).toBe(179_500);
    expect(arm.durationMs).toBe(192_000);
    expect(Math.round(arm.share * 100)).toBe(93);
    expect(arm.top.map((t) => t.index)).toEqual([4, 5, 6]);
    const amd = platformTime(timeline().lanes[0]!);
    expect(amd).toMatchObject({ emulatedMs: 0, share: 0, top: [] });
  });
});

describe('crossEstimates', () => {
  it('estimates the saving from the same step’s native run in this build, and says so', () => {
    const [estimate, ...rest] = crossEstimates(timeline());
    expect(rest).toEqual([]);
    expect(estimate).toMatchObject({ platform: 'linux/arm64', savingMs: 136_000 });
    expect(estimate!.steps).toEqual([expect.objectContaining({ emulatedMs: 148_000, native: { platform: 'linux/amd64', durationMs: 12_000 } })]);
    expect(estimate!.basis).toMatch(/ran natively on linux\/amd64 in this build/);
  });

  it('gives no number when the build has no native run of the step to go by', () => {
    const t = timeline();
    t.lanes[0]!.steps[1] = { ...t.lanes[0]!.steps[1]!, kind: 'cached', durationMs: undefined };
    const [estimate] = crossEstimates(t);
    expect(estimate!.savingMs).toBeUndefined();
    expect(estimate!.basis).toMatch(/measure it/);
  });

  it('says nothing when no flagged stage ran emulated', () => {
    const t = timeline();
    t.crossForms = [{ ...GO_FORM, stageIndex: 5 }];
    expect(crossEstimates(t)).toEqual([]);
  });
});
