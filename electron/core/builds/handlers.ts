import type { Handlers } from '../../../shared/contract';
import type { CoreContext } from '../context';
import type { BuildService } from './build-service';
import { browseFolders, inspectContext } from './context-folder';
import type { DistributedBuilds } from './distributed/distributed-builds';

export function createBuildsHandlers(builds: BuildService, distributed: DistributedBuilds, ctx: Pick<CoreContext, 'picked'>): Handlers['builds'] {
  return {
    facts: (_input, { signal }) => builds.facts(signal),
    inspectContext: ({ context, dockerfile }) => inspectContext(context, dockerfile, ctx.picked),
    browse: ({ path }) => browseFolders(path),
    run: (request, { emit, signal }) => builds.run(request, emit, signal),
    distribute: (spec, { emit, signal }) => distributed.run(spec, emit, signal),
    retryPlatform: ({ id, platform }) => distributed.retry(id, platform),
    merge: ({ id, leaveOut }) => distributed.merge(id, leaveOut),
    watch: ({ id }, { emit, signal }) => builds.watch(id, emit, signal),
    cancel: ({ id }) => ({ cancelled: builds.cancel(id) }),
    list: ({ after, limit }) => builds.list(after, limit),
    get: async ({ id }) => builds.liveRecord(id) ?? builds.store.get(id),
    remove: async ({ id }) => ({ removed: await builds.remove(id) }),
    leftovers: () => builds.leftovers(),
    stopLeftovers: ({ id }) => builds.stopLeftovers(id),
  };
}
