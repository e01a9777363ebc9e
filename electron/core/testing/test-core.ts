import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Api } from '../../../shared/contract';
import type { EngineState } from '../../../shared/contract/engine';
import { createClient } from '../../../shared/rpc/client';
import { createMemoryPair } from '../../../shared/rpc/memory-transport';
import { contract } from '../../../shared/contract';
import { createCore, type Core, type CoreOptions } from '../composition';

export interface TestCore {
  core: Core;
  api: Api;
  dataDir: string;
  close(): Promise<void>;
}

/** A real core (real engine, real CLI) reached through the real client over the in-memory pair. */
export async function startTestCore(options: Partial<CoreOptions> = {}): Promise<TestCore> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'mas-test-')));
  const core = await createCore({
    mode: 'headless',
    version: '0.0.0-test',
    validateOutputs: true,
    log: () => undefined,
    ...options,
    dataDir,
  });
  const pair = createMemoryPair();
  core.server.connect(pair.server);
  const api = createClient(contract, pair.client);
  return {
    core,
    api,
    dataDir,
    async close() {
      pair.close();
      await core.dispose();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Resolves when the engine reaches `status` (waits on the state events, never on sleeps). */
export function waitForEngine(api: Api, status: EngineState['status'], timeoutMs = 10_000): Promise<EngineState> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`engine did not become ${status} within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = (state: EngineState) => {
      if (state.status !== status) return;
      clearTimeout(timer);
      off();
      resolve(state);
    };
    const off = api.engine.onStateChanged(done);
    void api.engine.state({}).then(done);
  });
}
