import { describe, expect, it } from 'vitest';
import { expectedMachines } from '../platform';
import { cacheImportMissingFails029, cacheImportMissingOk029, crossOk029, metadataCrossOk029, randomChunks, riscv64Fails029, utf8 } from './fixtures/captures';
import { parseBuildMetadata } from './metadata';
import type { ProgressEvent } from './model';
import { BuildProgressTracker, type BuildProgressOptions } from './tracker';

// buildx 0.29.1 against Docker 28.5 (BuildKit of the engine): one JSON object per line, platform-prefixed RUN
// steps, and "ERROR: failed to build: failed to solve: …" at the end of a failure.
function track(chunks: Array<string | Uint8Array>, exitCode: number, options: BuildProgressOptions = {}) {
  const tracker = new BuildProgressTracker(options);
  const events: ProgressEvent[] = [];
  for (const c of chunks) events.push(...tracker.push(c));
  events.push(...tracker.end(exitCode));
  return { tracker, events, snap: tracker.snapshot() };
}

describe('buildx 0.29.1 capture: riscv64 fails', () => {
  const { tracker, events, snap } = track([riscv64Fails029], 1);

  it('reads one object per line into three lanes, each step on the platform whose uname it printed', () => {
    expect(tracker.malformed).toBe(0);
    expect(snap.lanes.map((l) => l.platform).sort()).toEqual(['linux/amd64', 'linux/arm64', 'linux/riscv64']);
    for (const l of snap.lanes) {
      // BuildKit 0.25 resolves the base image per platform: "[linux/riscv64 internal] load metadata for …"
      expect(l.steps.map((s) => s.stepLabel)).toEqual(['internal', '1/3', '2/3', '3/3']);
      expect(l.steps[0]).toMatchObject({ internal: true, name: expect.stringMatching(/^load metadata for /) });
      const printed = l.steps.flatMap((s) => s.lastLogLines).filter((x) => x.startsWith('step one on'));
      expect(printed).toEqual([`step one on ${expectedMachines(l.platform)[0]!}`]);
    }
  });

  it('puts the failure on linux/riscv64 and its last step, with the message after both ERROR prefixes', () => {
    expect(snap.status).toBe('error');
    expect(snap.lanes.filter((l) => l.status === 'error').map((l) => l.platform)).toEqual(['linux/riscv64']);
    const failure = snap.failure!;
    expect(failure.platforms).toEqual(['linux/riscv64']);
    expect(failure.steps[0]).toMatchObject({ platform: 'linux/riscv64', stepLabel: '3/3', lastLogLines: ['no riscv64 here'] });
    expect(failure.steps[0]!.error).toMatch(/did not complete successfully: exit code: 3$/);
    expect(failure.message).toMatch(/^failed to solve: process "\/bin\/sh -c if \[/);
    expect(failure.textLines[0]).toBe('Dockerfile:3');
    expect(failure.cause.kind).toBe('command-failed');
    expect(failure.cause.explanation).toContain('linux/riscv64');
    const texts = events.flatMap((e) => (e.kind === 'text' ? [e.line] : []));
    expect(texts.at(-1)).toMatch(/^ERROR: failed to build: failed to solve: /);
  });

  it('gives the same snapshot whatever the chunking', () => {
    const bytes = utf8(riscv64Fails029);
    for (const seed of [3, 4]) expect(track(randomChunks(bytes, seed, 200), 1).snap).toEqual(snap);
  });
});

describe('buildx 0.29.1 capture: cross build succeeds', () => {
  const { tracker, snap } = track([crossOk029], 0);

  it('yields three done lanes; the $BUILDPLATFORM stage runs natively for every target', () => {
    expect(tracker.malformed).toBe(0);
    expect(snap.status).toBe('done');
    expect(snap.failure).toBeUndefined();
    expect(snap.lanes.map((l) => [l.platform, l.status]).sort()).toEqual([
      ['linux/amd64', 'done'],
      ['linux/arm/v7', 'done'],
      ['linux/arm64', 'done'],
    ]);
    for (const l of snap.lanes) {
      const last = l.steps.at(-1)!;
      expect(last.fullName).toMatch(/RUN uname -m > \/arch && cat \/out.txt$/);
      // "built for <TARGETARCH> on x86_64": the build stage ran on the amd64 host for each target
      expect(last.lastLogLines.join('\n')).toMatch(/^built for (amd64|arm64|arm) on x86_64$/);
    }
  });

  it('reads the metadata file: an index (attestations on by default) and the build record ref', () => {
    const meta = parseBuildMetadata(metadataCrossOk029)!;
    expect(meta.isIndex).toBe(true);
    expect(meta.imageDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(meta.imageNames).toEqual(['127.0.0.1:5000/capture/cross:029']);
    expect(meta.buildRef).toMatch(/^default\/default\/[a-z0-9]{25}$/);
  });
});

describe('buildx 0.29.1 captures: a registry cache that is not there yet', () => {
  const importStep = (snap: ReturnType<BuildProgressTracker['snapshot']>) => [...snap.shared, ...snap.lanes.flatMap((l) => l.steps)].find((s) => s.name.startsWith('importing cache manifest from '));

  it('fails nothing: BuildKit builds on without it, and the build that exited 0 is done', () => {
    const { snap, events } = track([cacheImportMissingOk029], 0, { platforms: ['linux/amd64'] });
    expect(importStep(snap)).toMatchObject({ status: 'done', error: expect.stringMatching(/^failed to configure registry cache importer: .*: not found$/) });
    expect(snap.status).toBe('done');
    expect(snap.failure).toBeUndefined();
    expect(snap.lanes.map((l) => [l.platform, l.status, l.counts.error])).toEqual([['linux/amd64', 'done', 0]]);
    expect(events.filter((e) => e.kind === 'build').map((e) => e.status)).not.toContain('error');
  });

  it('leaves the failure to the step that failed', () => {
    const { snap } = track([cacheImportMissingFails029], 1, { platforms: ['linux/amd64'] });
    expect(importStep(snap)?.status).toBe('done');
    expect(snap.status).toBe('error');
    expect(snap.failure!.steps.map((s) => [s.platform, s.name])).toEqual([['linux/amd64', 'RUN echo failing >&2; exit 3']]);
    expect(snap.failure!.steps[0]!.error).toMatch(/exit code: 3$/);
  });
});
