import { describe, expect, it } from 'vitest';
import { BuildProgressTracker } from '../build-progress';
import { forEachRun } from '../terminal-batch';
import { combineLanes, retagBatch } from './progress';

/** A single-platform rawjson stream as buildx writes it: an internal step, a Dockerfile step, the export. */
function subBuild(platform: string, startSec: number, ok = true): string {
  const t = (s: number) => new Date(Date.UTC(2026, 11, 6, 12, 0, startSec + s)).toISOString();
  const v = (digest: string, name: string, started: number, completed?: number, error?: string) =>
    JSON.stringify({ vertexes: [{ digest, name, started: t(started), ...(completed !== undefined ? { completed: t(completed) } : {}), ...(error ? { error } : {}) }] });
  return [
    v(`sha256:${platform}-ctx`, '[internal] load build definition from Dockerfile', 0, 1),
    v(`sha256:${platform}-run`, '[2/2] RUN uname -m', 1, ok ? 4 : 3, ok ? undefined : 'process "/bin/sh -c uname -m" did not complete successfully: exit code: 1'),
    ...(ok ? [v(`sha256:${platform}-push`, 'exporting to image', 4, 5)] : []),
  ].join('\n');
}

const snapshotOf = (platform: string, text: string) => {
  const tracker = new BuildProgressTracker({ platforms: [platform] });
  tracker.push(`${text}\n`);
  tracker.end(0);
  return tracker.snapshot();
};

describe('a distributed build shown as one build', () => {
  it('takes each platform\'s lane from its own sub-build, with that sub-build\'s status and whole time', () => {
    const arm = snapshotOf('linux/arm64', subBuild('arm', 0));
    const riscv = snapshotOf('linux/riscv64', subBuild('riscv', 2, false));
    const combined = combineLanes([
      { platform: 'linux/arm64', snapshot: arm, status: 'succeeded', durationMs: 5200 },
      { platform: 'linux/riscv64', snapshot: riscv, status: 'failed', durationMs: 3100 },
      { platform: 'linux/s390x', status: 'waiting' },
    ]);
    expect(combined.lanes.map((l) => [l.platform, l.status, l.durationMs])).toEqual([
      ['linux/arm64', 'done', 5200],
      ['linux/riscv64', 'error', 3100],
      ['linux/s390x', 'waiting', undefined],
    ]);
    expect(combined.lanes[0]!.steps.map((s) => s.name)).toEqual(['RUN uname -m']);
    // Each sub-build's own context and export steps are listed, named with their platform.
    expect(combined.shared.map((s) => s.name)).toEqual(expect.arrayContaining(['[linux/arm64] exporting to image', '[linux/riscv64] load build definition from Dockerfile']));
    expect(combined.status).toBe('error');
    expect(combined.ended).toBe(false);
  });

  it('is done only when every platform is, and spans them all', () => {
    const a = snapshotOf('linux/amd64', subBuild('a', 0));
    const b = snapshotOf('linux/arm64', subBuild('b', 10));
    const combined = combineLanes([
      { platform: 'linux/amd64', snapshot: a, status: 'succeeded' },
      { platform: 'linux/arm64', snapshot: b, status: 'succeeded' },
    ]);
    expect(combined).toMatchObject({ status: 'done', ended: true, durationMs: 15_000 });
  });

  it('puts every line of a sub-build in its platform\'s view', () => {
    const retagged = retagBatch({ text: 'a\r\nb\r\nc\r\n', platforms: ['linux/arm64'], runs: [-1, 3, 1, 0, 3, 1, -1, 3, 1] }, 'linux/arm64');
    const views: Array<string | undefined> = [];
    forEachRun(retagged, (_text, platform) => views.push(platform));
    expect(views).toEqual(['linux/arm64', 'linux/arm64', 'linux/arm64']);
  });
});
