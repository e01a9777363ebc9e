import type { AppEvents } from '../../shared/contract';
import type { DockerCli } from './docker-cli';
import type { EngineService } from './engine/engine-service';
import type { PickedPaths } from './picked-paths';
import type { DataFolder } from './store/data-folder';
import type { SettingsStore } from './store/settings-store';

/** What every domain service gets from the composition root. */
export interface CoreContext {
  readonly engine: EngineService;
  readonly cli: DockerCli;
  readonly settings: SettingsStore;
  /** Where the app keeps its files (settings, history, logs). */
  readonly dataDir: string;
  /** Whether that folder can be written (the app works read-only when not). */
  readonly dataFolder: DataFolder;
  /** Files the user picked in the desktop shell's native dialog. */
  readonly picked: PickedPaths;
  /** Where the core runs (for host-local facts such as binfmt_misc on Linux). */
  readonly hostPlatform: NodeJS.Platform;
  emit<N extends keyof AppEvents & string>(name: N, payload: AppEvents[N]): void;
  log(message: string): void;
}
