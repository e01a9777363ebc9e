// @vitest-environment jsdom
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../electron/core/composition';
import { api } from '../api';
import { connectCoreWithoutEngine } from '../testing/connect-core';
import { resolveTheme, useThemeStore } from './theme-store';

/** The operating system's preference, switchable by the test (jsdom has no matchMedia). */
function systemPreference(dark: boolean) {
  const listeners = new Set<() => void>();
  const query = {
    matches: dark,
    addEventListener: (_: string, l: () => void) => listeners.add(l),
    removeEventListener: (_: string, l: () => void) => listeners.delete(l),
  };
  window.matchMedia = ((q: string) => {
    expect(q).toBe('(prefers-color-scheme: dark)');
    return query;
  }) as unknown as typeof window.matchMedia;
  return {
    set(next: boolean) {
      query.matches = next;
      for (const l of listeners) l();
    },
    listeners,
  };
}

let core: Core | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await core?.dispose();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  core = undefined;
  dataDir = undefined;
  useThemeStore.setState({ choice: 'system', systemDark: false, resolved: 'light', problem: undefined });
  delete document.documentElement.dataset.theme;
});

describe('the theme', () => {
  it('follows the system unless the user chose one', () => {
    expect(resolveTheme('system', true)).toBe('dark');
    expect(resolveTheme('system', false)).toBe('light');
    expect(resolveTheme('light', true)).toBe('light');
    expect(resolveTheme('dark', false)).toBe('dark');
  });

  it('sets data-theme on <html> from the system preference, live, and a manual choice wins over it', () => {
    const system = systemPreference(true);
    const stop = useThemeStore.getState().follow(window);
    expect(document.documentElement.dataset.theme).toBe('dark');
    system.set(false);
    expect(document.documentElement.dataset.theme).toBe('light');
    useThemeStore.getState().restore('dark');
    expect(document.documentElement.dataset.theme).toBe('dark');
    system.set(true);
    system.set(false);
    expect(document.documentElement.dataset.theme).toBe('dark');
    useThemeStore.getState().restore('system');
    expect(document.documentElement.dataset.theme).toBe('light');
    stop();
    expect(system.listeners.size).toBe(0);
    useThemeStore.getState().restore('dark');
    expect(document.documentElement.dataset.theme).toBe('light'); // no longer following
  });

  it('saves the choice in the settings of the core', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mas-theme-'));
    core = await connectCoreWithoutEngine({ dataDir });
    systemPreference(false);
    const stop = useThemeStore.getState().follow(window);
    await useThemeStore.getState().choose(api(), 'dark');
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect((await api().app.settings({})).ui.theme).toBe('dark');
    expect(useThemeStore.getState().problem).toBeUndefined();
    stop();
  });
});
