import type { AppEvents } from '../../shared/contract';
import type { DockerCli } from './docker-cli';
import type { EngineService } from './engine/engine-service';
import type { SettingsStore } from './store/settings-store';

/** What every domain service gets from the composition root. */
export interface CoreContext {
  readonly engine: EngineService;
  readonly cli: DockerCli;
  readonly settings: SettingsStore;
  /** Where the app keeps its files (settings, history, logs). */
  readonly dataDir: string;
  /** Where the core runs (for host-local facts such as binfmt_misc on Linux). */
  readonly hostPlatform: NodeJS.Platform;
  emit<N extends keyof AppEvents & string>(name: N, payload: AppEvents[N]): void;
  log(message: string): void;
}
