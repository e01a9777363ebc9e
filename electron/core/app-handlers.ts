import type { Handlers } from '../../shared/contract';
import type { CoreContext } from './context';

export function createAppHandlers(
  context: CoreContext,
  facts: { mode: 'desktop' | 'headless'; version: string },
): Handlers['app'] {
  return {
    about: () => ({
      name: 'Multiarch Studio',
      version: facts.version,
      mode: facts.mode,
      hostPlatform: `${process.platform}/${process.arch}`,
      dataDir: context.dataDir,
    }),
    settings: () => context.settings.get(),
    updateSettings: (patch) => context.settings.update(patch),
  };
}
