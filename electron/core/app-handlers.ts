import type { Handlers } from '../../shared/contract';
import type { PickFileInput } from '../../shared/contract/app';
import { RpcError } from '../../shared/rpc/errors';
import type { CoreContext } from './context';

/** The desktop shell's native file dialog: resolves with the chosen path, or undefined when cancelled. */
export type FilePicker = (request: PickFileInput & { title: string }) => Promise<string | undefined>;

export function createAppHandlers(
  context: CoreContext,
  facts: { mode: 'desktop' | 'headless'; version: string; pickFile?: FilePicker },
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
        canPickFiles: facts.pickFile !== undefined,
      };
    },
    settings: () => context.settings.get(),
    updateSettings: (patch) => context.settings.update(patch),
    pickFile: async (input) => {
      if (!facts.pickFile) {
        throw new RpcError('NOT_AVAILABLE', 'There is no native file dialog here (headless mode).', {
          hint: 'Type the path instead; a Dockerfile must then be inside the build context.',
        });
      }
      const path = await facts.pickFile({ ...input, title: 'Choose the Dockerfile' });
      if (path === undefined) return {};
      context.picked.grant(path);
      return { path };
    },
  };
}
