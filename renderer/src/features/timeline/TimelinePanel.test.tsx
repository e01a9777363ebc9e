// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../../electron/core/composition';
import { writeTimeline } from '../../../../electron/core/builds/timeline-file';
import { CAPTURED_LOG, CAPTURED_PLATFORMS, capturedTimeline } from '../../../../electron/core/testing/captured-timeline';
import type { BuildRecord } from '../../../../shared/contract/builds';
import type { BuildTimeline } from '../../../../shared/domain/timeline';
import { connectCoreWithoutEngine } from '../../testing/connect-core';
import { TimeSummary } from './TimeSummary';
import { TimelinePanel } from './TimelinePanel';

let core: Core | undefined;
let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'mas-timeline-test-'));
});
afterEach(async () => {
  cleanup();
  await core?.dispose();
  core = undefined;
  await rm(dataDir, { recursive: true, force: true });
});

const ID = '20261127-234459-0000cafe';

/** The captured 3-platform build kept in History: its record, its log and the timeline stored beside them. */
async function keptBuild(id = ID, patch: Partial<BuildRecord> = {}): Promise<{ record: BuildRecord; timeline: BuildTimeline }> {
  const dir = join(dataDir, 'builds', id);
  await mkdir(dir, { recursive: true });
  const contextDir = join(dataDir, 'ctx');
  await mkdir(contextDir, { recursive: true });
  const timeline = await capturedTimeline(contextDir);
  await copyFile(CAPTURED_LOG, join(dir, 'build.log'));
  await writeTimeline(dir, timeline);
  const record: BuildRecord = {
    schema: 1,
    id,
    request: { context: contextDir, dockerfile: 'Dockerfile.ok', tags: [], platforms: CAPTURED_PLATFORMS, buildArgs: [], output: { type: 'cacheonly' }, provenance: false, sbom: false, noCache: false, pull: false, cacheFrom: [], cacheTo: [] },
    command: 'docker buildx build …',
    builder: { name: 'default', driver: 'docker' },
    platforms: CAPTURED_PLATFORMS,
    status: 'succeeded',
    startedAt: '2026-11-27T23:44:59.000Z',
    endedAt: '2026-11-27T23:45:03.400Z',
    durationMs: 3400,
    outcomes: [],
    imageNames: [],
    logFile: join(dir, 'build.log'),
    logBytes: 0,
    ...patch,
  };
  await writeFile(join(dir, 'build.json'), JSON.stringify(record));
  return { record, timeline };
}

describe('the timeline of a build kept in History (real core, captured build)', () => {
  it('draws one row per platform with a bar per step coloured by how it ran, and hovering shows the step, its time and log tail', async () => {
    const { record, timeline } = await keptBuild();
    core = await connectCoreWithoutEngine({ dataDir });
    render(<TimelinePanel view={{ id: ID, mode: 'replay', status: 'succeeded', platforms: CAPTURED_PLATFORMS, record }} />);
    await waitFor(() => expect(screen.getByTestId('timeline-panel').dataset.source).toBe('stored'));
    const total = Number(screen.getByTestId('waterfall').dataset.totalMs);
    expect(total).toBe(timeline.durationMs);

    const arm64 = screen.getByTestId('waterfall-linux/arm64');
    const kinds = within(arm64).getAllByTestId('waterfall-bar').map((b) => b.dataset.kind);
    expect(kinds).toContain('cross');
    expect(kinds).toContain('emulated');
    expect(within(screen.getByTestId('waterfall-linux/amd64')).getAllByTestId('waterfall-bar').every((b) => b.dataset.kind !== 'emulated')).toBe(true);

    const emulated = within(arm64).getAllByTestId('waterfall-bar').find((b) => b.dataset.kind === 'emulated')!;
    // The bar starts and ends where the step did in the build (0.60 s → 1.28 s of 3.36 s).
    expect(total).toBeGreaterThan(3300);
    // Bars sit in a span that the ended build's track stretches to its duration: their place on the track is the product.
    const span = parseFloat(within(arm64).getByTestId('waterfall-span').style.width) / 100;
    expect(parseFloat(emulated.style.left) * span).toBeCloseTo(((1563.440345 - 965.167483) / total) * 100, 1);
    expect(parseFloat(emulated.style.width) * span).toBeCloseTo(((1250.044971 - 563.440345) / total) * 100, 1);
    fireEvent.mouseEnter(emulated);
    const tip = within(arm64).getByTestId('waterfall-tip');
    expect(tip.textContent).toContain('RUN ["/bin/busybox"');
    expect(tip.textContent).toMatch(/\d+ ms · emulated — A RUN step for linux\/arm64 on node default \(linux\/amd64\): it ran under QEMU emulation\./);
    // its log tail: `seq 1 5` then nothing else
    expect(tip.querySelector('pre')?.textContent).toBe('1\n2\n3\n4\n5');
    fireEvent.mouseLeave(emulated);
    expect(within(arm64).queryByTestId('waterfall-tip')).toBeNull();

    const summary = screen.getByTestId('time-linux/arm64');
    expect(summary.textContent).toMatch(/^linux\/arm64: [\d.]+ s, of which \d+ ms in emulated RUN steps \(\d+ %\)/);
    expect(within(summary).getByTestId('emulated-top-step').dataset.line).toBe('10');
    expect(within(summary).getByTestId('emulated-top-step').textContent).toContain('Dockerfile.ok:10');
    expect(screen.getByTestId('time-linux/amd64').textContent).toContain('nothing emulated');
  });

  it('shows a record without a stored timeline with the timeline made again from its log', async () => {
    const { record } = await keptBuild();
    await rm(join(dataDir, 'builds', ID, 'timeline.json.gz'));
    core = await connectCoreWithoutEngine({ dataDir });
    render(<TimelinePanel view={{ id: ID, mode: 'replay', status: 'succeeded', platforms: CAPTURED_PLATFORMS, record }} />);
    await waitFor(() => expect(screen.getByTestId('timeline-panel').dataset.source).toBe('stored'));
    expect(within(screen.getByTestId('waterfall-linux/arm64')).getAllByTestId('waterfall-bar').length).toBeGreaterThan(2);
    expect(screen.getByTestId('timeline-panel').textContent).toMatch(/made from the build’s log/);
  });
});

describe('trend and compare', () => {
  it('charts the builds of the same context and Dockerfile and compares this build with another: changed inputs, per-platform time', async () => {
    const outcome = (platform: string, durationMs: number) => ({ platform, status: 'done' as const, steps: 4, cached: 1, durationMs });
    await keptBuild('20261127-230000-0000beef', {
      startedAt: '2026-11-27T23:00:00.000Z',
      dockerfileSha256: `sha256:${'a'.repeat(64)}`,
      outcomes: [outcome('linux/amd64', 900), outcome('linux/arm64', 5000)],
    });
    const { record } = await keptBuild(ID, { dockerfileSha256: `sha256:${'b'.repeat(64)}`, outcomes: [outcome('linux/amd64', 1000), outcome('linux/arm64', 1200)] });
    core = await connectCoreWithoutEngine({ dataDir });
    render(<TimelinePanel view={{ id: ID, mode: 'replay', status: 'succeeded', platforms: CAPTURED_PLATFORMS, record }} />);
    await waitFor(() => expect(screen.getByTestId('trend').dataset.points).toBe('2'));
    expect(screen.getByTestId('trend').querySelectorAll('polyline')).toHaveLength(2);

    fireEvent.change(await screen.findByTestId('compare-with'), { target: { value: '20261127-230000-0000beef' } });
    const inputs = await screen.findByTestId('compare-inputs');
    expect(inputs.querySelector('[data-what="Dockerfile content (SHA-256)"]')?.textContent).toContain(`sha256:${'b'.repeat(64)}`);
    const platforms = screen.getByTestId('compare-platforms');
    expect(platforms.querySelector('[data-platform="linux/arm64"]')?.getAttribute('data-delta-ms')).toBe('-3800');
    expect(platforms.querySelector('[data-platform="linux/arm64"]')?.textContent).toContain('−3.8 s');
    expect(platforms.querySelector('[data-platform="linux/amd64"]')?.getAttribute('data-delta-ms')).toBe('100');
  });
});

describe('the cross-compile estimate', () => {
  it('says what cross-compiling would save, on which basis, with the advice’s rewrite', () => {
    const form = { rule: 'compile-under-emulation', line: 4, stageIndex: 0, subject: 'go build', message: 'Stage build compiles (go build) under QEMU.', suggestion: 'FROM --platform=$BUILDPLATFORM golang AS build', rewrite: true };
    const step = (platform: string, kind: 'native' | 'emulated', durationMs: number) => ({ index: platform.length, name: 'RUN go build -o /out/app .', status: 'done' as const, kind, why: '', runs: true, start: 1000, end: 1000 + durationMs, durationMs, line: 4, stageIndex: 0 });
    const timeline: BuildTimeline = {
      schema: 1,
      durationMs: 200_000,
      lanes: [
        { platform: 'linux/amd64', status: 'done', durationMs: 13_000, steps: [step('linux/amd64', 'native', 12_000)] },
        { platform: 'linux/arm64', status: 'done', durationMs: 192_000, steps: [step('linux/arm64', 'emulated', 178_000)] },
      ],
      shared: [],
      lines: { '4': 'RUN go build -o /out/app .' },
      crossForms: [form],
      notes: [],
    };
    render(<TimeSummary timeline={timeline} />);
    expect(screen.getByTestId('time-linux/arm64').textContent).toContain('linux/arm64: 3 min 12 s, of which 2 min 58 s in emulated RUN steps (93 %)');
    const estimate = screen.getByTestId('cross-estimate');
    expect(estimate.dataset.savingMs).toBe('166000');
    expect(estimate.textContent).toContain('Cross-compiling would save about 2 min 46 s on linux/arm64 (estimate: the same step ran natively on linux/amd64 in this build; a cross build may first');
    expect(screen.getByTestId('cross-rewrite').textContent).toBe('FROM --platform=$BUILDPLATFORM golang AS build');
  });
});
