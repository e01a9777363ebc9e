import { describe, expect, it } from 'vitest';
import { parseBuildProgress } from '../build-progress';
import { crossOk029 } from '../build-progress/fixtures/captures';
import { timelineOf } from './timeline';

const platforms = ['linux/amd64', 'linux/arm64', 'linux/arm/v7'];

describe('timelineOf on buildx 0.29.1’s rawjson of a 3-platform build', () => {
  it('starts at the first step, not at an older status BuildKit shares between builds', () => {
    const plain = timelineOf(parseBuildProgress(crossOk029, { platforms }));
    // An image resolved 4 minutes earlier by another build: its status keeps that start.
    const firstVertex = /"digest":"(sha256:[0-9a-f]{64})"/.exec(crossOk029)![1]!;
    const old = JSON.stringify({ statuses: [{ id: 'resolve image', vertex: firstVertex, current: 0, started: '2026-12-06T14:11:50.000000000Z', timestamp: '2026-12-06T14:11:50.000000000Z' }] });
    const shared = timelineOf(parseBuildProgress(`${old}\n${crossOk029}`, { platforms }));

    expect(shared.startedAt).toBe(plain.startedAt);
    expect(shared.durationMs).toBe(plain.durationMs);
    expect(shared.lanes).toEqual(plain.lanes);
    // The build took about 1.4 s from its first step to its last timestamp; every bar lies inside.
    expect(plain.durationMs).toBeGreaterThan(1000);
    expect(plain.durationMs).toBeLessThan(2000);
    for (const s of plain.lanes.flatMap((l) => l.steps)) {
      if (s.start === undefined) continue;
      expect(s.end ?? s.start).toBeLessThanOrEqual(plain.durationMs!);
    }
  });
});
