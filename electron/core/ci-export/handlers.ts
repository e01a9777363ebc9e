import type { Handlers } from '../../../shared/contract';
import type { CoreContext } from '../context';
import { readBake } from './bake-reader';
import { saveExport } from './export-files';

export function createCiExportHandlers(ctx: CoreContext): Handlers['ciExport'] {
  return {
    readBake: (input, { signal }) => readBake(ctx.cli, input, signal),
    save: (input) => saveExport(input),
  };
}
