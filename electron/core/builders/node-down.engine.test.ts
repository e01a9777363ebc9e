import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodesCore, type NodesCore } from '../testing/nodes-core';
import { stackEnv } from '../testing/stack';
import { tempContexts } from '../testing/temp-contexts';
import { COMMON_PLATFORMS } from '../../../shared/domain/arch';

const run = promisify(execFile);
const stack = stackEnv();
const env = { ...process.env, DOCKER_HOST: stack.dockerHost };
const builder = `mas-test-down-${randomBytes(4).toString('hex')}`;

/**
 * The stack's node-3 stopped under a remote builder over the three BuildKit nodes: the core's own
 * listing (buildx ls / inspect, then the one classify) must call every platform of that node
 * unavailable, naming it and its address, a build that would have to reach it is refused, and once
 * its daemon is started the node is usable and that build runs (on facts read again, not the cached ones).
 */
describe('a remote node that is down, as the core lists it', () => {
  let setup: NodesCore | undefined;
  const contexts = tempContexts();

  beforeAll(async () => {
    setup = await startNodesCore(builder, env, stack.buildkitNodes.map((n) => n.name));
  }, 120_000);

  afterAll(async () => {
    await setup?.close();
    await contexts.removeAll();
  });

  const nodeOf = async (name: string) => {
    const list = await setup!.t.api.builders.list({});
    const b = list.builders.find((x) => x.name === builder);
    expect(b, `the core lists ${builder}`).toBeDefined();
    return b!.nodes.find((n) => n.name === name)!;
  };

  it('calls the stopped node\'s platforms unavailable with its name and address, refuses a build that must reach it, and builds it again once started', async () => {
    const node3 = stack.buildkitNodes[2]!;
    const platform = node3.platforms[0]!;
    const unpinned = COMMON_PLATFORMS.find((p) => !stack.buildkitNodes.some((n) => n.platforms.includes(p)))!;
    let context = '';
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

      // A platform pinned on no node makes buildx start every node, the stopped one too, and fail
      // after 20 s: the core refuses that build before anything runs (on the facts the form read when shown, as here).
      await setup!.t.api.builds.facts({});
      context = await contexts.make({ Dockerfile: `FROM ${stack.baseImage}\n` });
      const before = (await setup!.t.api.builds.list({})).builds.length;
      await expect(setup!.t.api.builds.run({ context, builder, platforms: [unpinned], output: { type: 'cacheonly' } }).result).rejects.toMatchObject({
        code: 'BUILD_IMPOSSIBLE',
        data: { problems: expect.arrayContaining([expect.objectContaining({ code: 'BUILDER_NODE_DOWN', severity: 'error', platforms: [unpinned] })]) },
      });
      expect((await setup!.t.api.builds.list({})).builds.length).toBe(before);
    } finally {
      await run(stack.buildkitNodesCtl, ['start', node3.name], { timeout: 60_000 });
    }
    const back = await nodeOf(node3.name);
    expect(back.status).toBe('running');
    expect(back.support.platforms.find((v) => v.platform === platform)?.support).not.toBe('unavailable');

    // The core's build facts are still those read while node-3 was down, and they would refuse the
    // same build: it reads them again before refusing, finds node-3 running, and builds.
    const record = await setup!.t.api.builds.run({ context, builder, platforms: [unpinned], output: { type: 'cacheonly' } }).result;
    expect(record.status).toBe('succeeded');
  }, 180_000);
});
