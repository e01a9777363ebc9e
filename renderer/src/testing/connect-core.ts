import { createCore, type Core, type CoreOptions } from '../../../electron/core/composition';
import { createMemoryPair } from '../../../shared/rpc/memory-transport';
import { attachTransport } from '../api';

/**
 * For renderer tests: a real core whose engine socket does not exist, reached by the real client
 * over the in-memory pair and attached as the app's `api()`. Pages then show real answers
 * (including the real "no engine" errors) without a Docker engine.
 */
export async function connectCoreWithoutEngine(options: Partial<CoreOptions> & { dataDir: string }): Promise<Core> {
  const core = await createCore({
    mode: 'headless',
    version: 'test',
    env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock', PATH: process.env.PATH },
    validateOutputs: true,
    log: () => undefined,
    ...options,
  });
  const pair = createMemoryPair();
  core.server.connect(pair.server);
  attachTransport(pair.client);
  return core;
}
