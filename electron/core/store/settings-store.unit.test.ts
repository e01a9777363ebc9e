import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestCore, type TestCore } from '../testing/test-core';
import { SettingsStore } from './settings-store';

const noEngine = { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock', PATH: process.env.PATH } };
let t: TestCore | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('settings', () => {
  it('persist across a restart and merge one section field at a time', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'mas-settings-'));
    t = await startTestCore({ ...noEngine, dataDir });
    await t.api.app.updateSettings({ emulators: { autoRestore: true } });
    await t.api.app.updateSettings({ emulators: { testImage: 'registry.local:5000/busybox:1' } });
    await t.close();
    t = await startTestCore({ ...noEngine, dataDir });
    const settings = await t.api.app.settings({});
    expect(settings.emulators).toMatchObject({ autoRestore: true, testImage: 'registry.local:5000/busybox:1', installerImage: 'tonistiigi/binfmt:latest' });
  });

  it('refuse consent to the privileged installer and bad image names from the renderer', async () => {
    t = await startTestCore(noEngine);
    await expect(t.api.app.updateSettings({ emulators: { consentedImage: 'evil/img:1' } } as never)).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(t.api.app.updateSettings({ emulators: { installerImage: 'not an image' } })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    expect((await t.api.app.settings({})).emulators.consentedImage).toBeUndefined();
  });

  it('keep the theme choice and the last page across a restart, refuse unknown ones, and tell listeners of changes', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'mas-settings-'));
    // a file written before the ui section existed still loads, with its defaults
    await writeFile(join(dataDir, 'settings.json'), JSON.stringify({ emulators: { autoRestore: true } }));
    const store = await SettingsStore.open(dataDir);
    expect(store.get().ui).toEqual({ theme: 'system', lastPage: 'engine' });
    const seen: string[] = [];
    const off = store.onChanged((s) => seen.push(s.ui.theme));
    await store.update({ ui: { theme: 'dark' } });
    await store.update({ ui: { lastPage: 'history' } });
    off();
    await store.update({ ui: { theme: 'light' } });
    expect(seen).toEqual(['dark', 'dark']);
    const reopened = await SettingsStore.open(dataDir);
    expect(reopened.get().ui).toEqual({ theme: 'light', lastPage: 'history' });
    expect(reopened.get().emulators.autoRestore).toBe(true);
    t = await startTestCore({ ...noEngine, dataDir });
    await expect(t.api.app.updateSettings({ ui: { theme: 'sepia' } } as never)).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(t.api.app.updateSettings({ ui: { lastPage: 'settings' } } as never)).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await t.close();
    t = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });

  it('set a corrupt settings file aside with a clear notice and start from defaults', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'mas-settings-'));
    await writeFile(join(dataDir, 'settings.json'), '{"emulators": {"autoRestore": tr');
    const store = await SettingsStore.open(dataDir);
    expect(store.get().emulators.autoRestore).toBe(false);
    expect(store.notice).toMatch(/settings file was not valid .* moved to .*settings\.json\.corrupt-/);
    const files = await readdir(dataDir);
    const aside = files.find((f) => f.startsWith('settings.json.corrupt-'));
    expect(aside).toBeDefined();
    expect(await readFile(join(dataDir, aside!), 'utf8')).toContain('"autoRestore": tr');
  });
});
