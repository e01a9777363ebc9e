import type { Handlers } from '../../shared/contract';
import type { PickPathInput } from '../../shared/contract/app';
import { RpcError } from '../../shared/rpc/errors';
import type { CoreContext } from './context';

/** The desktop shell's native open dialog; undefined when the user cancels. */
export type PathPicker = (input: PickPathInput) => Promise<string | undefined>;

export function createAppHandlers(
  context: CoreContext,
  facts: { mode: 'desktop' | 'headless'; version: string; pickPath?: PathPicker },
): Handlers['app'] {
  return {
    about: async () => {
      await context.dataFolder.recheck();
      const problem = context.dataFolder.readOnlyProblem;
      return {
        name: 'Multiarch Studio',
        version: facts.version,
        mode: facts.mode,
        hostPlatform: `${process.platform}/${process.arch}`,
        dataDir: context.dataDir,
        storage: { writable: !problem, ...(problem ? { problem } : {}), notices: [...context.dataFolder.notices] },
      };
    },
    settings: () => context.settings.get(),
    updateSettings: (patch) => context.settings.update(patch),
    pickPath: async (input) => {
      if (!facts.pickPath) {
        throw new RpcError('NOT_AVAILABLE', 'There is no native file dialog in headless mode.', { hint: 'Type the path, or use the folder browser of the page.' });
      }
      const path = await facts.pickPath(input);
      return path === undefined ? {} : { path };
    },
  };
}
