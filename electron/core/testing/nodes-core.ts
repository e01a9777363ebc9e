import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { buildkitNodes, createPinnedBuilder } from './buildkit-nodes';
import type { BuildkitNode } from './stack';
import { startTestCore, waitForEngine, type TestCore } from './test-core';

const run = promisify(execFile);

export interface NodesCore {
  t: TestCore;
  nodes: BuildkitNode[];
  buildctl: string;
  /** Closes the core (its data folder goes with it) and removes the builder. */
  close(): Promise<void>;
}

/** A real core beside `builder`, a pinned builder over the stack's BuildKit nodes (see createPinnedBuilder). */
export async function startNodesCore(builder: string, env: NodeJS.ProcessEnv, names?: readonly string[]): Promise<NodesCore> {
  const removeBuilder = () => run('docker', ['buildx', 'rm', builder], { env }).then(() => undefined, () => undefined);
  const { nodes, buildctl } = await buildkitNodes();
  let t: TestCore | undefined;
  try {
    await createPinnedBuilder(builder, nodes, env, names);
    t = await startTestCore({ env });
    await waitForEngine(t.api, 'connected');
  } catch (error) {
    await t?.close();
    await removeBuilder();
    throw error;
  }
  const core = t;
  return {
    t: core,
    nodes,
    buildctl,
    async close() {
      await core.close();
      await removeBuilder();
    },
  };
}
