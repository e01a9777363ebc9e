import { dirname, join } from 'node:path';
import { settingsPatch, settingsSchema, type Settings, type SettingsPatch } from '../../../shared/contract/settings';
import { RpcError } from '../../../shared/rpc/errors';
import { fsCause, fsHint, realWriteError } from './fs-problems';
import { readJsonFile, writeJsonAtomic } from './json-file';

/**
 * The user's settings in `<dataDir>/settings.json`, validated. Updates are serialised and each one
 * is applied in memory only once it is on disk: a failed write changes nothing and the next update
 * starts from what is really saved.
 */
export class SettingsStore {
  private value: Settings = settingsSchema.parse({});
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<(settings: Settings) => void>();
  /** What the user should know about the file found at start (set aside, unreadable, …). */
  notice: string | undefined;
  /** Set when the file exists but could not be read: writing would replace settings the app never saw. */
  private keepFile: string | undefined;

  private constructor(readonly path: string) {}

  static async open(dataDir: string, overrides: SettingsPatch = {}): Promise<SettingsStore> {
    const store = new SettingsStore(join(dataDir, 'settings.json'));
    const read = await readJsonFile(store.path, settingsSchema);
    switch (read.status) {
      case 'ok':
        store.value = read.value;
        break;
      case 'set-aside':
        store.notice = `The settings file was not valid (${read.reason}); it was moved to ${read.setAsidePath} and defaults are used.`;
        break;
      case 'corrupt':
        store.notice = `The settings file ${store.path} is not valid (${read.reason}) and could not be moved aside (${read.moveProblem}); defaults are used and it is left as it is.`;
        store.keepFile = read.moveProblem;
        break;
      case 'unreadable':
        store.notice = `The settings file ${store.path} cannot be read (${read.reason}); defaults are used and the file is left as it is. ${fsHint(read.error, store.path)}`;
        store.keepFile = read.reason;
        break;
      case 'missing':
        break;
    }
    if (Object.keys(overrides).length > 0) store.value = merge(store.value, settingsPatch.parse(overrides));
    return store;
  }

  get(): Settings {
    return this.value;
  }

  /** Called after every saved update (the desktop shell follows the theme choice with it). */
  onChanged(listener: (settings: Settings) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  update(patch: SettingsPatch): Promise<Settings> {
    const parsed = settingsPatch.parse(patch);
    const job = this.queue.then(async () => {
      if (this.keepFile) {
        throw new RpcError('SETTINGS_NOT_SAVED', `Settings were not changed: ${this.path} could not be read at start (${this.keepFile}), and saving would replace it.`, {
          hint: 'Fix or remove that file, then restart the app.',
        });
      }
      const next = merge(this.value, parsed);
      try {
        await writeJsonAtomic(this.path, next);
      } catch (error) {
        const real = await realWriteError(error, this.path);
        throw new RpcError('SETTINGS_NOT_SAVED', `Settings were not changed: ${this.path} could not be written (${fsCause(real)}).`, {
          hint: fsHint(real, dirname(this.path)),
        });
      }
      this.value = next;
      for (const listener of this.listeners) listener(next);
      return next;
    });
    // One failed write must not stop the ones queued after it.
    this.queue = job.catch(() => undefined);
    return job;
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
