import { join } from 'node:path';
import { settingsPatch, settingsSchema, type Settings, type SettingsPatch } from '../../../shared/contract/settings';
import { readJsonFile, writeJsonAtomic } from './json-file';

/** The user's settings in `<dataDir>/settings.json`, validated; writes are atomic and serialised. */
export class SettingsStore {
  private value: Settings = settingsSchema.parse({});
  private writing: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<(settings: Settings) => void>();
  /** Set when the file on disk was corrupt and moved aside at load. */
  notice: string | undefined;

  private constructor(readonly path: string) {}

  static async open(dataDir: string, overrides: SettingsPatch = {}): Promise<SettingsStore> {
    const store = new SettingsStore(join(dataDir, 'settings.json'));
    const read = await readJsonFile(store.path, settingsSchema);
    if (read.status === 'ok') store.value = read.value;
    if (read.status === 'set-aside') {
      store.notice = `Settings file was unreadable (${read.reason}); it was moved to ${read.setAsidePath} and defaults are used.`;
    }
    if (Object.keys(overrides).length > 0) store.value = merge(store.value, settingsPatch.parse(overrides));
    return store;
  }

  get(): Settings {
    return this.value;
  }

  /** Called after every update (the desktop shell follows the theme choice with it). */
  onChanged(listener: (settings: Settings) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async update(patch: SettingsPatch): Promise<Settings> {
    this.value = merge(this.value, settingsPatch.parse(patch));
    const snapshot = this.value;
    for (const listener of this.listeners) listener(snapshot);
    this.writing = this.writing.then(() => writeJsonAtomic(this.path, snapshot));
    await this.writing;
    return this.value;
  }
}

function merge(base: Settings, patch: ReturnType<typeof settingsPatch.parse>): Settings {
  return settingsSchema.parse({
    emulators: { ...base.emulators, ...patch.emulators },
    builders: { ...base.builders, ...patch.builders },
    results: { ...base.results, ...patch.results },
    ui: { ...base.ui, ...patch.ui },
  });
}
