import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodesCore, type NodesCore } from '../testing/nodes-core';
import { stackEnv } from '../testing/stack';

const run = promisify(execFile);
const stack = stackEnv();
const env = { ...process.env, DOCKER_HOST: stack.dockerHost };
const builder = `mas-test-down-${randomBytes(4).toString('hex')}`;

/**
 * The stack's node-3 stopped under a remote builder over the three BuildKit nodes: the core's own
 * listing (buildx ls / inspect, then the one classify) must call every platform of that node
 * unavailable, naming it and its address, and the node comes back usable once its daemon is started.
 */
describe('a remote node that is down, as the core lists it', () => {
  let setup: NodesCore | undefined;

  beforeAll(async () => {
    setup = await startNodesCore(builder, env, stack.buildkitNodes.map((n) => n.name));
  }, 120_000);

  afterAll(async () => {
    await setup?.close();
  });

  const nodeOf = async (name: string) => {
    const list = await setup!.t.api.builders.list({});
    const b = list.builders.find((x) => x.name === builder);
    expect(b, `the core lists ${builder}`).toBeDefined();
    return b!.nodes.find((n) => n.name === name)!;
  };

  it('calls the stopped node\'s platforms unavailable with its name and address, and usable again once started', async () => {
    const node3 = stack.buildkitNodes[2]!;
    const platform = node3.platforms[0]!;
    expect((await nodeOf(node3.name)).support.platforms.find((v) => v.platform === platform)?.support).not.toBe('unavailable');
    try {
      await run(stack.buildkitNodesCtl, ['stop', node3.name], { timeout: 60_000 });
      const stopped = await nodeOf(node3.name);
      expect(stopped.status).toBe('inactive');
      expect(stopped.support.platforms.map((v) => v.platform)).toEqual(node3.platforms);
      for (const v of stopped.support.platforms) {
        expect(v).toMatchObject({ support: 'unavailable', reason: 'node-down' });
        expect(v.note).toBe(`Node "${node3.name}" is down (buildx reports it inactive) and buildx cannot start it: start its BuildKit daemon at ${node3.address}, or remove the node from the builder.`);
      }
      // The running nodes still emulate its platform, so the builder keeps offering it.
      const list = await setup!.t.api.builders.list({});
      expect(list.builders.find((b) => b.name === builder)!.platforms).toContain(platform);
    } finally {
      await run(stack.buildkitNodesCtl, ['start', node3.name], { timeout: 60_000 });
    }
    const back = await nodeOf(node3.name);
    expect(back.status).toBe('running');
    expect(back.support.platforms.find((v) => v.platform === platform)?.support).not.toBe('unavailable');
  }, 180_000);
});
