// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../electron/core/composition';
import { connectCoreWithoutEngine } from '../testing/connect-core';
import { StorageBanner } from './StorageBanner';

let core: Core | undefined;
let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'mas-storage-banner-'));
});
afterEach(async () => {
  cleanup();
  await core?.dispose();
  core = undefined;
  await rm(dataDir, { recursive: true, force: true });
});

describe('storage banner (real core, no engine needed)', () => {
  it('keeps saying, on every page, that the settings file could not be read and why', async () => {
    await mkdir(join(dataDir, 'settings.json', 'oops'), { recursive: true });
    core = await connectCoreWithoutEngine({ dataDir });
    render(<StorageBanner />);
    const banner = await screen.findByTestId('storage-banner');
    expect(banner.getAttribute('data-state')).toBe('notice');
    expect(banner.textContent).toMatch(/settings\.json cannot be read \(a folder is where the file should be\); defaults are used/);
  });
});
