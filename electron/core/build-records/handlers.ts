import type { Handlers } from '../../../shared/contract';
import type { RecordsService } from './records-service';

export function createRecordsHandlers(records: RecordsService): Handlers['records'] {
  return {
    list: (input, { signal }) => records.list(input, signal),
    open: ({ key }, { emit, signal }) => records.open(key, emit, signal),
    export: (input, { signal }) => records.export(input, signal),
    import: async ({ file }) => ({ records: await records.imported.import(file) }),
  };
}
