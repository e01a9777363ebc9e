// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../../electron/core/composition';
import type { BuildRecord } from '../../../../shared/contract/builds';
import { connectCoreWithoutEngine } from '../../testing/connect-core';
import { useHistoryStore } from '../../stores/history-store';
import { useNav } from '../../stores/nav-store';
import { HistoryPage } from './HistoryPage';

let core: Core | undefined;
let dataDir: string;

const record = (id: string, patch: Partial<BuildRecord>): BuildRecord => ({
  schema: 1,
  id,
  request: {
    context: '/work/app',
    tags: ['127.0.0.1:5000/team/app:1'],
    platforms: ['linux/amd64', 'linux/arm64'],
    buildArgs: [],
    output: { type: 'push' },
    provenance: false,
    sbom: false,
    noCache: false,
    pull: false,
    cacheFrom: [],
    cacheTo: [],
  },
  command: 'docker buildx build --platform linux/amd64,linux/arm64 -t 127.0.0.1:5000/team/app:1 --output type=registry /work/app',
  builder: { name: 'default', driver: 'docker' },
  platforms: ['linux/amd64', 'linux/arm64'],
  status: 'succeeded',
  startedAt: '2026-11-27T23:00:00.000Z',
  endedAt: '2026-11-27T23:00:03.000Z',
  durationMs: 3000,
  outcomes: [
    { platform: 'linux/amd64', status: 'done', steps: 3, cached: 1, durationMs: 400 },
    { platform: 'linux/arm64', status: 'done', steps: 3, cached: 1, durationMs: 900 },
  ],
  imageNames: ['127.0.0.1:5000/team/app:1'],
  logFile: join(dataDir, 'builds', id, 'build.log'),
  logBytes: 0,
  ...patch,
});

async function put(r: BuildRecord | string, id: string) {
  await mkdir(join(dataDir, 'builds', id), { recursive: true });
  await writeFile(join(dataDir, 'builds', id, 'build.json'), typeof r === 'string' ? r : JSON.stringify(r));
}

beforeEach(async () => {
  // the store outlives a page: each test starts with nothing shown
  useHistoryStore.setState({ builds: [], unreadable: [], next: undefined, total: 0, loaded: false });
  dataDir = await mkdtemp(join(tmpdir(), 'mas-history-test-'));
});

afterEach(async () => {
  cleanup();
  await core?.dispose();
  core = undefined;
  await rm(dataDir, { recursive: true, force: true });
});

describe('History page (real core, no engine needed)', () => {
  it('lists kept builds with their outcome, reports a corrupt record, and deletes', async () => {
    const ok = record('20261127-230000-aaaaaaaa', {});
    const failed = record('20261127-231000-bbbbbbbb', {
      status: 'failed',
      startedAt: '2026-11-27T23:10:00.000Z',
      exitCode: 1,
      outcomes: [
        { platform: 'linux/amd64', status: 'canceled', steps: 2, cached: 0 },
        { platform: 'linux/arm64', status: 'error', steps: 2, cached: 0, failedStep: { name: 'RUN make', error: 'exit code: 2' } },
      ],
      failure: {
        platforms: ['linux/arm64'],
        steps: [{ platform: 'linux/arm64', name: 'RUN make', error: 'exit code: 2', lastLogLines: ['make: *** [all] Error 2'] }],
        cause: { kind: 'command-failed', explanation: 'A RUN command failed on linux/arm64 with exit code 2.', fix: 'Read the log.' },
      },
    });
    await put(ok, ok.id);
    await put(failed, failed.id);
    await put('{"schema":1,"id":"20261127-232000-cccccccc","req', '20261127-232000-cccccccc');

    core = await connectCoreWithoutEngine({ dataDir });
    render(<HistoryPage />);

    const page = await screen.findByTestId('history-page');
    await waitFor(() => expect(page.getAttribute('data-state')).toBe('loaded'));
    const rows = await screen.findAllByTestId(/^history-row-/);
    // newest first
    expect(rows.map((r) => r.getAttribute('data-state'))).toEqual(['failed', 'succeeded']);
    expect(rows[0]!.textContent).toContain('on linux/arm64');
    expect(rows[1]!.textContent).toContain('3.0 s');

    const aside = screen.getByTestId('history-unreadable');
    expect(aside.getAttribute('data-build-id')).toBe('20261127-232000-cccccccc');
    expect(aside.getAttribute('data-kind')).toBe('set-aside');
    expect(aside.parentElement!.textContent).toContain('The history record of build 20261127-232000-cccccccc could not be read');

    act(() => screen.getByTestId(`history-delete-${ok.id}`).click());
    act(() => screen.getByTestId(`history-confirm-delete-${ok.id}`).click());
    await waitFor(() => expect(screen.queryByTestId(`history-row-${ok.id}`)).toBeNull());
    expect(existsSync(join(dataDir, 'builds', ok.id))).toBe(false);
    expect(screen.getByTestId(`history-row-${failed.id}`)).toBeTruthy();

    // the set-aside folder can go too
    fireEvent.click(screen.getByText('Delete this build’s folder'));
    await waitFor(() => expect(screen.queryByTestId('history-unreadable')).toBeNull());
  });

  it('reads the history a page at a time and shows a record it cannot read with the reason', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => `20261127-23${String(i).padStart(2, '0')}00-aaaaaaaa`);
    for (const [i, id] of ids.entries()) await put(record(id, { startedAt: `2026-11-27T23:${String(i).padStart(2, '0')}:00.000Z` }), id);
    // a folder where the newest record should be: not content, so it is left as it is
    await mkdir(join(dataDir, 'builds', '20261128-000000-bbbbbbbb', 'build.json'), { recursive: true });

    core = await connectCoreWithoutEngine({ dataDir });
    render(<HistoryPage />);

    const paging = await screen.findByTestId('history-paging');
    // the first page: 50 folders, newest first, one of them unreadable
    await waitFor(() => expect(paging.getAttribute('data-shown')).toBe('50'));
    expect(paging.getAttribute('data-total')).toBe('61');
    expect(screen.getAllByTestId(/^history-row-/)).toHaveLength(49);
    expect(screen.getAllByTestId(/^history-row-/)[0]!.getAttribute('data-testid')).toBe(`history-row-${ids[59]}`);
    const unreadable = screen.getByTestId('history-unreadable');
    expect(unreadable.getAttribute('data-kind')).toBe('unreadable');
    expect(unreadable.parentElement!.textContent).toMatch(/cannot be read \(a folder is where the file should be\)/);

    fireEvent.click(screen.getByTestId('history-more'));
    await waitFor(() => expect(paging.getAttribute('data-shown')).toBe('61'));
    expect(screen.getAllByTestId(/^history-row-/)).toHaveLength(60);
    expect(screen.queryByTestId('history-more')).toBeNull();
  });

  it('shows the binary check of each build and opens the checked image on the Results page', async () => {
    const checked = record('20261127-230000-dddddddd', {
      integrity: {
        status: 'mismatch',
        reference: '127.0.0.1:5000/team/app:1@sha256:' + 'a'.repeat(64),
        source: 'registry',
        checkedAt: '2026-11-27T23:00:05.000Z',
        message: 'linux/arm64: /usr/local/bin/tool is x86-64, 64-bit LSB',
        mismatchPlatforms: ['linux/arm64'],
      },
    });
    const unchecked = record('20261127-225000-eeeeeeee', { startedAt: '2026-11-27T22:50:00.000Z' });
    await put(checked, checked.id);
    await put(unchecked, unchecked.id);
    core = await connectCoreWithoutEngine({ dataDir });
    render(<HistoryPage />);

    const cell = await screen.findByTestId(`history-integrity-${checked.id}`);
    expect(cell.getAttribute('data-state')).toBe('mismatch');
    expect(cell.textContent).toBe('foreign binarieson linux/arm64');
    expect(cell.querySelector('button')!.getAttribute('title')).toBe('linux/arm64: /usr/local/bin/tool is x86-64, 64-bit LSB');
    expect(screen.queryByTestId(`history-integrity-${unchecked.id}`)).toBeNull();
    // a verdict reached after the list was read shows on its line as it arrives
    act(() => core!.context.emit('integrity.onBuildChecked', { buildId: unchecked.id, integrity: { ...checked.integrity!, status: 'clean', message: 'No foreign binaries.', mismatchPlatforms: [] } }));
    expect((await screen.findByTestId(`history-integrity-${unchecked.id}`)).getAttribute('data-state')).toBe('clean');

    act(() => cell.querySelector('button')!.click());
    expect(useNav.getState().page).toBe('results');
    expect(JSON.parse(useNav.getState().param ?? '{}')).toEqual({ reference: checked.integrity!.reference, platforms: ['linux/amd64', 'linux/arm64'] });
  });
});
