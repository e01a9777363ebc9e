import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildRecord } from '../../../../shared/contract/builds';
import { routeBuild } from '../../../../shared/domain/buildx/routing';
import { defaultCacheRef, NODE_BUILDER_PREFIX } from '../../../../shared/domain/distributed/plan';
import { nodeBuilt } from '../../testing/buildkit-nodes';
import type { BuildkitNode } from '../../testing/stack';
import { stackEnv } from '../../testing/stack';
import { tempContexts } from '../../testing/temp-contexts';
import { startNodesCore, type NodesCore } from '../../testing/nodes-core';
import type { TestCore } from '../../testing/test-core';
import { deleteRegistryManifest, deleteRegistryTags, indexPlatforms, registryManifest } from '../../testing/test-images';

const run = promisify(execFile);
const stack = stackEnv();
const env = { ...process.env, DOCKER_HOST: stack.dockerHost };
const suffix = randomBytes(4).toString('hex');
const repo = `mas-test-dist-${suffix}`;
const builder = `mas-test-dist-${suffix}`;

/** The registry's index under a tag (both list types asked for). */
describe('builds distributed over the stack\'s BuildKit nodes, merged in the real registry', () => {
  let setup: NodesCore | undefined;
  let t: TestCore;
  let nodes: BuildkitNode[];
  let buildctl: string;
  const contexts = tempContexts();
  /** Everything pushed: the indexes and each platform's digest. */
  const pushed: string[] = [];

  beforeAll(async () => {
    setup = await startNodesCore(builder, env);
    ({ t, nodes, buildctl } = setup);
  }, 120_000);

  afterAll(async () => {
    await setup?.close();
    for (const digest of pushed) await deleteRegistryManifest(`${stack.registry}/${repo}/app`, digest);
    // The registry cache each platform exported beside its image.
    await deleteRegistryTags(lanes.map((l) => defaultCacheRef(`${stack.registry}/${repo}/app`, l.platform)));
    await contexts.removeAll();
  });

  const lanes = [
    { platform: 'linux/amd64', builder, node: 'amd' },
    { platform: 'linux/arm64', builder, node: 'arm' },
  ];

  async function leftoverNodeBuilders(): Promise<string[]> {
    const { stdout } = await run('docker', ['buildx', 'ls'], { env });
    return stdout.split('\n').filter((l) => l.startsWith(NODE_BUILDER_PREFIX));
  }

  it('an ordinary build on the multi-node builder goes to the nodes the map predicts, as the nodes themselves record', async () => {
    const list = await t.api.builders.list({});
    const b = list.builders.find((x) => x.name === builder)!;
    expect(b.nodes.map((n) => [n.name, n.preferredPlatforms])).toEqual([
      ['amd', ['linux/amd64', 'linux/386']],
      ['arm', ['linux/arm64', 'linux/arm/v7']],
    ]);
    const routes = (platforms: string[]) => routeBuild(b.nodes.map((n) => ({ name: n.name, pinned: n.preferredPlatforms, reported: n.platforms })), platforms).routes.map((r) => [r.platform, r.node]);
    // Every platform pinned: the pins decide.
    expect(routes(['linux/amd64', 'linux/arm64'])).toEqual([
      ['linux/amd64', 'amd'],
      ['linux/arm64', 'arm'],
    ]);
    // riscv64 pinned nowhere: the first node that lists it, for every platform of that build.
    const predicted = routes(['linux/amd64', 'linux/arm64', 'linux/riscv64']);

    const dir = await contexts.make({ Dockerfile: `FROM ${stack.baseImage}\nARG RUN_ID\nRUN uname -m > /built\n` });
    for (const [platforms, runId, expected] of [
      [['linux/amd64', 'linux/arm64'], `${suffix}-routed-2`, routes(['linux/amd64', 'linux/arm64'])],
      [['linux/amd64', 'linux/arm64', 'linux/riscv64'], `${suffix}-routed-3`, predicted],
    ] as const) {
      const record = await t.api.builds.run({ context: dir, builder, platforms: [...platforms], output: { type: 'cacheonly' }, noCache: true, buildArgs: [{ key: 'RUN_ID', value: runId }] }).result;
      expect(record.status, record.failure?.message).toBe('succeeded');
      for (const [i, node] of nodes.slice(0, 2).entries()) {
        const name = i === 0 ? 'amd' : 'arm';
        expect((await nodeBuilt(buildctl, node.address, runId)).sort(), `${name} built`).toEqual(expected.filter(([, n]) => n === name).map(([p]) => p).sort());
      }
    }
  }, 600_000);

  it('builds amd64 on node-1 and arm64 on node-2, each by digest, and merges one index that lists both', async () => {
    const dir = await contexts.make({ Dockerfile: `FROM ${stack.baseImage}\nARG TARGETPLATFORM\nRUN echo "$TARGETPLATFORM on $(uname -m)" > /built\n` });
    const runId = `${suffix}-one`;
    const record = await t.api.builds.distribute({
      request: { context: dir, platforms: ['linux/amd64', 'linux/arm64'], tags: [`${stack.registry}/${repo}/app:1`], output: { type: 'push' }, noCache: true, buildArgs: [{ key: 'RUN_ID', value: runId }] },
      lanes,
    }).result;

    const state = record.distributed!;
    expect(record.status, JSON.stringify(state, null, 1)).toBe('succeeded');
    expect(state.lanes.map((l) => [l.platform, l.builder, l.node, l.status])).toEqual([
      ['linux/amd64', builder, 'amd', 'succeeded'],
      ['linux/arm64', builder, 'arm', 'succeeded'],
    ]);
    for (const lane of state.lanes) {
      expect(lane.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(lane.durationMs).toBeGreaterThan(0);
      expect(lane.attempts).toHaveLength(1);
    }
    expect(record.placements?.map((p) => [p.platform, p.node, p.source])).toEqual([
      ['linux/amd64', 'amd', 'chosen'],
      ['linux/arm64', 'arm', 'chosen'],
    ]);

    // The index in the registry lists exactly the two platforms, and is what the merge reported.
    const index = await registryManifest(`${stack.registry}/${repo}/app:1`);
    pushed.push(index.digest, ...state.lanes.map((l) => l.digest!));
    expect(indexPlatforms(index.json)).toEqual(['linux/amd64', 'linux/arm64']);
    expect(state.merge).toMatchObject({ status: 'succeeded', digest: index.digest, leftOut: [] });
    expect(state.merge.verification).toMatchObject({ ok: true, missing: [], unexpected: [] });
    expect([...state.merge.verification!.platforms].sort()).toEqual(['linux/amd64', 'linux/arm64']);

    // Each node itself recorded building its platform, and only that one.
    expect(await nodeBuilt(buildctl, nodes[0]!.address, runId)).toEqual(['linux/amd64']);
    expect(await nodeBuilt(buildctl, nodes[1]!.address, runId)).toEqual(['linux/arm64']);
    expect(await nodeBuilt(buildctl, nodes[2]!.address, runId)).toEqual([]);

    // One History record, with the sub-builds; the single-node builders are gone.
    const kept = await t.api.builds.get({ id: record.id });
    expect(kept.distributed?.lanes.map((l) => [l.platform, l.node, l.digest])).toEqual(state.lanes.map((l) => [l.platform, l.node, l.digest]));
    expect(await leftoverNodeBuilders()).toEqual([]);
  }, 600_000);

  it('a failing platform leaves the other built; merging without it needs the explicit choice; retrying it alone merges both', async () => {
    const dir = await contexts.make({
      Dockerfile: `FROM ${stack.baseImage}\nCOPY flag /flag\nRUN [ "$(uname -m)" != aarch64 ] || grep -qx ok /flag || { echo "arm64 refused: flag is $(cat /flag)" >&2; exit 3; }\n`,
      flag: 'no\n',
    });
    const tag = `${stack.registry}/${repo}/app:retry`;
    const runId = `${suffix}-retry`;
    const first = await t.api.builds.distribute({
      request: { context: dir, platforms: ['linux/amd64', 'linux/arm64'], tags: [tag], output: { type: 'push' }, noCache: true, buildArgs: [{ key: 'RUN_ID', value: runId }] },
      lanes,
    }).result;

    const state = first.distributed!;
    expect(first.status).toBe('failed');
    expect(state.lanes.map((l) => [l.platform, l.status])).toEqual([
      ['linux/amd64', 'succeeded'],
      ['linux/arm64', 'failed'],
    ]);
    expect(state.lanes[1]!.error?.message).toMatch(/arm|exit code: 3|refused/i);
    expect(state.merge.status).toBe('waiting');
    await expect(registryManifest(`${stack.registry}/${repo}/app:retry`)).rejects.toThrow(/404/);

    // Merging with arm64 missing is refused unless the user leaves it out by name.
    await expect(t.api.builds.merge({ id: first.id, leaveOut: [] })).rejects.toMatchObject({ code: 'DISTRIBUTE_MISSING_PLATFORMS' });

    // Fix the cause, retry arm64 alone: amd64 is not built again, and the merge follows.
    await writeFile(join(dir, 'flag'), 'ok\n');
    await t.api.builds.retryPlatform({ id: first.id, platform: 'linux/arm64' });
    const done: BuildRecord = await t.api.builds.watch({ id: first.id }, { onChunk: () => undefined }).result;

    const after = done.distributed!;
    expect(done.status, JSON.stringify(after, null, 1)).toBe('succeeded');
    expect(after.lanes.map((l) => [l.platform, l.status, l.attempts.length])).toEqual([
      ['linux/amd64', 'succeeded', 1],
      ['linux/arm64', 'succeeded', 2],
    ]);
    expect(after.lanes[0]!.digest).toBe(state.lanes[0]!.digest);
    expect(after.lanes[1]!.attempts.map((a) => a.status)).toEqual(['failed', 'succeeded']);
    const index = await registryManifest(`${stack.registry}/${repo}/app:retry`);
    pushed.push(index.digest, ...after.lanes.map((l) => l.digest!));
    expect(indexPlatforms(index.json)).toEqual(['linux/amd64', 'linux/arm64']);
    expect(after.merge).toMatchObject({ status: 'succeeded', digest: index.digest, leftOut: [] });
    // node-2 ran arm64 twice (the failure, the retry); node-1 built amd64 once.
    expect(await nodeBuilt(buildctl, nodes[1]!.address, runId)).toEqual(['linux/arm64', 'linux/arm64']);
    expect(await nodeBuilt(buildctl, nodes[0]!.address, runId)).toEqual(['linux/amd64']);
    expect(await leftoverNodeBuilders()).toEqual([]);
  }, 600_000);
});
