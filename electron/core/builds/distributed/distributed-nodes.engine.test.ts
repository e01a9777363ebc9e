import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildRecord, DistributeInput } from '../../../../shared/contract/builds';
import type { BuildProgressSnapshot } from '../../../../shared/domain/build-progress';
import { defaultCacheRef } from '../../../../shared/domain/distributed/plan';
import { expectedMachines } from '../../../../shared/domain/platform';
import { nodeBuilt } from '../../testing/buildkit-nodes';
import type { BuildkitNode } from '../../testing/stack';
import { stackEnv } from '../../testing/stack';
import { tempContexts } from '../../testing/temp-contexts';
import { startNodesCore, type NodesCore } from '../../testing/nodes-core';
import type { TestCore } from '../../testing/test-core';
import { deleteRegistryManifest, deleteRegistryTags, indexPlatforms, registryManifest, type RegistryJson } from '../../testing/test-images';

const run = promisify(execFile);
const stack = stackEnv();
const env = { ...process.env, DOCKER_HOST: stack.dockerHost };
const suffix = randomBytes(4).toString('hex');
const repo = `${stack.registry}/mas-test-nodes-${suffix}/app`;
const builder = `mas-test-nodes-${suffix}`;

type Entry = NonNullable<RegistryJson['manifests']>[number];
const REFERENCE_DIGEST = 'vnd.docker.reference.digest';
const platformOf = (m: Entry) => (m.platform ? `${m.platform.os}/${m.platform.architecture}${m.platform.variant ? `/${m.platform.variant}` : ''}` : 'unknown/unknown');

/**
 * Distributed builds over all three BuildKit nodes of the stack (one builder, each node pinned on
 * its designated platforms): the index and its attestations, the per-platform registry caches, and
 * a node that stops while its platform builds.
 */
describe('a build over the three BuildKit nodes of the stack, one platform on each', () => {
  let setup: NodesCore | undefined;
  let t: TestCore;
  let nodes: BuildkitNode[];
  let buildctl: string;
  /** Each node's first designated platform: amd64 on node-1, arm64 on node-2, riscv64 on node-3. */
  let platforms: string[] = [];
  const contexts = tempContexts();
  /** Every manifest the tests pushed (indexes, their entries), deleted afterwards with the cache tags. */
  const pushed = new Set<string>();

  beforeAll(async () => {
    setup = await startNodesCore(builder, env, stack.buildkitNodes.map((n) => n.name));
    ({ t, nodes, buildctl } = setup);
    platforms = nodes.map((n) => n.platforms[0]!);
  }, 120_000);

  afterAll(async () => {
    await setup?.close();
    for (const digest of pushed) await deleteRegistryManifest(repo, digest);
    // The merged tags and each platform's registry cache.
    await deleteRegistryTags([...['1', '2', '3'].map((tag) => `${repo}:${tag}`), ...platforms.map((p) => defaultCacheRef(repo, p))]);
    await contexts.removeAll();
  });

  /** Each platform on its designated node. */
  const designated = (): DistributeInput['lanes'] => platforms.map((platform, i) => ({ platform, builder, node: nodes[i]!.name }));

  /** A manifest of the test repository by digest, read straight from the registry; remembered for clean-up. */
  async function manifest(digest: string): Promise<RegistryJson> {
    const { json } = await registryManifest(`${repo}:any`, digest);
    pushed.add(digest);
    for (const m of json.manifests ?? []) pushed.add(m.digest);
    return json;
  }

  /** The platform's image manifest and its attestation manifest inside the index a lane pushed by digest. */
  async function lanePush(lane: { platform: string; digest?: string }): Promise<{ image: Entry; attestation?: Entry }> {
    const index = await manifest(lane.digest!);
    const image = (index.manifests ?? []).find((m) => platformOf(m) === lane.platform);
    expect(image, `${lane.platform}'s push ${lane.digest} holds its image`).toBeDefined();
    const attestation = (index.manifests ?? []).find((m) => m.annotations?.[REFERENCE_DIGEST] === image!.digest);
    return { image: image!, ...(attestation ? { attestation } : {}) };
  }

  /** The app's own step data of an ended build, as a window opening it gets it (each platform's sub-build log replayed). */
  async function steps(id: string): Promise<BuildProgressSnapshot> {
    let progress: BuildProgressSnapshot | undefined;
    await t.api.builds.watch({ id }, { onChunk: (c) => void (c.progress && (progress = c.progress)) }).result;
    return progress!;
  }

  const runStep = (snapshot: BuildProgressSnapshot, platform: string) => snapshot.lanes.find((l) => l.platform === platform)?.steps.find((s) => s.name.startsWith('RUN '));

  // Shared by the first two tests: the cold run pushes each platform's cache, the second reads them.
  const salt = `${suffix}-${Date.now()}`;
  const dockerfile = `FROM ${stack.baseImage}\nCOPY salt /salt\nRUN uname -m > /built && cat /salt >> /built\n`;
  let first: BuildRecord | undefined;

  it('pushes one digest per node with its provenance, and the merged index holds exactly those three images and their three attestations', async () => {
    const dir = await contexts.make({ Dockerfile: dockerfile, salt });
    const runId = `${suffix}-cold`;
    const tag = `${repo}:1`;
    const record = await t.api.builds.distribute({
      request: { context: dir, platforms, tags: [tag], output: { type: 'push' }, provenance: true, buildArgs: [{ key: 'RUN_ID', value: runId }] },
      lanes: designated(),
    }).result;
    first = record;
    const state = record.distributed!;
    expect(record.status, JSON.stringify(state, null, 1)).toBe('succeeded');
    expect(state.lanes.map((l) => [l.platform, l.node, l.status])).toEqual(platforms.map((p, i) => [p, nodes[i]!.name, 'succeeded']));

    // What the app sent: each platform alone, by digest, with provenance; the merge names exactly the three digests.
    for (const lane of state.lanes) {
      const build = lane.commands.find((c) => c.startsWith('docker buildx build'))!;
      expect(build).toContain(`--platform ${lane.platform}`);
      expect(build).toContain('--provenance=true');
      expect(build).toContain('push-by-digest=true');
    }
    const sources = state.merge.command!.split(' ').filter((w) => w.startsWith(`${repo}@`));
    expect(sources.sort()).toEqual(state.lanes.map((l) => `${repo}@${l.digest}`).sort());

    // What the registry holds: three images, each the one its node pushed, and one attestation manifest for each.
    const index = await registryManifest(tag);
    await manifest(index.digest);
    const entries = index.json.manifests ?? [];
    expect(indexPlatforms(index.json)).toEqual([...platforms].sort());
    expect(entries).toHaveLength(6);
    for (const lane of state.lanes) {
      const own = await lanePush(lane);
      expect(own.attestation, `${lane.platform} pushed its provenance`).toBeDefined();
      expect(entries.filter((m) => platformOf(m) === lane.platform).map((m) => m.digest)).toEqual([own.image.digest]);
      const attestations = entries.filter((m) => m.annotations?.[REFERENCE_DIGEST] === own.image.digest);
      expect(attestations.map((m) => [platformOf(m), m.digest, m.annotations?.['vnd.docker.reference.type']])).toEqual([['unknown/unknown', own.attestation!.digest, 'attestation-manifest']]);
    }
    expect(state.merge).toMatchObject({ status: 'succeeded', digest: index.digest });
    expect(state.merge.verification).toMatchObject({ ok: true, missing: [], unexpected: [], attestations: 3 });

    // Each node recorded building its own platform and nothing else of this build.
    for (const [i, node] of nodes.entries()) expect(await nodeBuilt(buildctl, node.address, runId), node.name).toEqual([platforms[i]]);
  }, 300_000);

  it('a second run on nodes that emptied their cache reuses each platform\'s own registry cache, none overwritten by another platform\'s', async () => {
    expect(first?.status, 'needs the first test\'s cold run').toBe('succeeded');
    // Each platform exported its own cache ref, and the registry holds three different caches.
    const refs = platforms.map((p) => defaultCacheRef(repo, p));
    expect(first!.distributed!.lanes.map((l) => l.cacheTo)).toEqual(refs.map((ref) => [`type=registry,ref=${ref},mode=max`]));
    expect(first!.distributed!.lanes.map((l) => l.cacheFrom)).toEqual(refs.map((ref) => [`type=registry,ref=${ref}`]));
    const caches = await Promise.all(refs.map((ref) => registryManifest(ref)));
    expect(new Set(caches.map((c) => c.digest)).size).toBe(3);
    const coldSteps = await steps(first!.id);
    for (const p of platforms) expect(runStep(coldSteps, p), `${p} cold`).toMatchObject({ cached: false, status: 'done' });
    // Importing a cache not pushed yet is no failed step: BuildKit builds on without it.
    expect(coldSteps.lanes.flatMap((l) => l.steps.filter((s) => s.status === 'error').map((s) => `${l.platform} ${s.name}`))).toEqual([]);

    // The nodes forget what they built (their BuildKit cache is emptied), so in the same build
    // again only each platform's registry cache can answer.
    for (const node of nodes) await run(buildctl, ['--addr', node.address, 'prune', '--all'], { timeout: 120_000 });
    const dir = await contexts.make({ Dockerfile: dockerfile, salt });
    const runId = `${suffix}-warm`;
    const record = await t.api.builds.distribute({
      request: { context: dir, platforms, tags: [`${repo}:2`], output: { type: 'push' }, provenance: true, buildArgs: [{ key: 'RUN_ID', value: runId }] },
      lanes: designated(),
    }).result;
    const state = record.distributed!;
    expect(record.status, JSON.stringify(state, null, 1)).toBe('succeeded');
    for (const [i, node] of nodes.entries()) expect(await nodeBuilt(buildctl, node.address, runId), node.name).toEqual([platforms[i]]);

    const warmSteps = await steps(record.id);
    for (const [i, lane] of state.lanes.entries()) {
      expect(runStep(warmSteps, lane.platform), `${lane.platform} warm`).toMatchObject({ cached: true });
      expect(lane.cached, `${lane.platform} cached steps`).toBeGreaterThan(0);
      expect(record.outcomes.find((o) => o.platform === lane.platform)?.cached).toBe(lane.cached);
      // Reused from its own cache: the same layers as its cold image, which differ from every other platform's.
      const warm = await manifest((await lanePush(lane)).image.digest);
      const cold = await manifest((await lanePush(first!.distributed!.lanes[i]!)).image.digest);
      expect(warm.layers?.map((l) => l.digest)).toEqual(cold.layers?.map((l) => l.digest));
    }
    const lastLayers = await Promise.all(first!.distributed!.lanes.map(async (l) => (await manifest((await lanePush(l)).image.digest)).layers?.at(-1)?.digest));
    expect(new Set(lastLayers).size).toBe(3);
  }, 300_000);

  it('a node stopped while its platform builds fails that platform by the node\'s name; the others finish; retried once the node is back, the merge holds all three', async () => {
    const stopped = nodes[1]!;
    const platform = platforms[1]!;
    // Each platform's RUN step asks this server with its `uname -m`; the stopped node's platform's
    // first request is held, so that step is surely running on the node when the node is stopped.
    const machine = (p: string) => expectedMachines(p)[0]!;
    const asked: string[] = [];
    const held: ServerResponse[] = [];
    let holding = true;
    let waiting!: () => void;
    const stepWaits = new Promise<void>((resolve) => (waiting = resolve));
    const server = createServer((req, res) => {
      const asker = (req.url ?? '/').slice(1);
      asked.push(asker);
      if (asker === machine(platform) && holding) {
        held.push(res);
        waiting();
      } else res.end('go\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const gate = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dir = await contexts.make({ Dockerfile: `FROM ${stack.baseImage}\nARG GATE\nRUN wget -q -O /gate "$GATE/$(uname -m)" && uname -m > /built\n` });
    const tag = `${repo}:3`;
    try {
      const build = t.api.builds.distribute({
        request: { context: dir, platforms, tags: [tag], output: { type: 'push' }, noCache: true, buildArgs: [{ key: 'GATE', value: gate }] },
        lanes: designated(),
      });
      // Fails at once, rather than at the time limit, when the build ends before the step asks.
      await new Promise<void>((resolve, reject) => {
        void stepWaits.then(resolve);
        build.result.then((r) => reject(new Error(`the build ended (${r.status}) before ${platform}'s step asked: ${JSON.stringify(r.distributed?.lanes.map((l) => l.error))}`)), reject);
      });
      await run(stack.buildkitNodesCtl, ['stop', stopped.name], { timeout: 60_000 });
      holding = false;
      for (const res of held) res.destroy();
      const failed = await build.result;

      const state = failed.distributed!;
      expect(failed.status).toBe('failed');
      expect(state.lanes.map((l) => [l.platform, l.status])).toEqual(platforms.map((p) => [p, p === platform ? 'failed' : 'succeeded']));
      const lane = state.lanes[1]!;
      expect(lane.error?.message).toContain(`${platform} failed on node "${stopped.name}" (${stopped.address}) of builder "${builder}"`);
      expect(lane.error?.hint).toBe(`The node stopped answering. Check that its BuildKit daemon at ${stopped.address} is running, then retry ${platform}.`);
      expect(failed.outcomes.find((o) => o.platform === platform)?.failedStep?.name).toBe(`on node ${stopped.name}`);
      // The cause is the node going away, not a step of the build (nor the cache it had not pushed yet).
      expect(failed.failure).toMatchObject({ platforms: [platform], steps: [], cause: { kind: 'builder-lost' } });
      expect(state.merge.status).toBe('waiting');
      await expect(registryManifest(tag)).rejects.toThrow(/404/);

      // The node is back: retrying the platform alone builds it there and merges all three.
      await run(stack.buildkitNodesCtl, ['start', stopped.name], { timeout: 60_000 });
      await t.api.builds.retryPlatform({ id: failed.id, platform });
      const done = await t.api.builds.watch({ id: failed.id }, { onChunk: () => undefined }).result;
      const after = done.distributed!;
      expect(done.status, JSON.stringify(after, null, 1)).toBe('succeeded');
      expect(after.lanes.map((l) => [l.platform, l.status, l.attempts.length])).toEqual(platforms.map((p) => [p, 'succeeded', p === platform ? 2 : 1]));
      for (const [i, l] of after.lanes.entries()) if (l.platform !== platform) expect(l.digest).toBe(state.lanes[i]!.digest);
      const index = await registryManifest(tag);
      await manifest(index.digest);
      for (const l of after.lanes) await manifest(l.digest!);
      expect(indexPlatforms(index.json)).toEqual([...platforms].sort());
      expect(after.merge).toMatchObject({ status: 'succeeded', digest: index.digest, leftOut: [] });
      // Each RUN step really ran: the stopped node's platform twice (the held one, the retry).
      expect([...asked].sort()).toEqual([...platforms, platform].map(machine).sort());
    } finally {
      for (const res of held) res.destroy();
      server.close();
      // Leave the shared stack as found, whatever happened above.
      await run(stack.buildkitNodesCtl, ['start', stopped.name], { timeout: 60_000 });
    }
  }, 300_000);
});
