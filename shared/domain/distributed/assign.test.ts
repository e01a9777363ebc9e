import { describe, expect, it } from 'vitest';
import type { BuilderNode, BuilderSummary } from '../../contract/builders';
import { checkBuild, type BuildFacts } from '../build-request/checks';
import { parseInspect } from '../buildx/inspect-text';
import { routingNodeOf } from '../buildx/routing';
import { classify, classifyHost, usablePlatforms } from '../platform-support';
import { defaultTarget, noTargetReason, targetOptions, withoutBuilderChecks } from './assign';
import { buildRequestInput } from '../build-request/request';
import { laneCommands, nodeEndpoint } from './plan';

const fixtures = import.meta.glob<string>('../buildx/fixtures/*', { query: '?raw', import: 'default', eager: true });
const fixture = (name: string): string => {
  const text = fixtures[`../buildx/fixtures/${name}`];
  if (text === undefined) throw new Error(`missing fixture ${name}`);
  return text;
};

/**
 * A builder as the Builders listing gives it, from a real `buildx inspect`: each node classified
 * as the core does (on this engine's host: its native platform is the engine's; elsewhere: the
 * first platform BuildKit lists that the user did not pin).
 */
function builderFrom(text: string, local: boolean, status: Partial<Record<string, string>> = {}): BuilderSummary {
  const parsed = parseInspect(text)!;
  const nodes: BuilderNode[] = parsed.nodes.map((n) => {
    const nodeStatus = status[n.name] ?? n.status;
    const running = nodeStatus === 'running';
    const support = classify(
      { name: n.name, driver: parsed.driver, reported: n.platforms, preferred: n.preferredPlatforms, local, enginePlatform: 'linux/amd64', running, ...(nodeStatus ? { status: nodeStatus } : {}), endpoint: n.endpoint },
      undefined,
    );
    return {
      name: n.name,
      endpoint: n.endpoint,
      status: status[n.name] ?? n.status ?? 'unknown',
      platforms: n.platforms,
      preferredPlatforms: n.preferredPlatforms,
      support,
      driverOpts: n.driverOpts,
      buildkitdFlags: n.buildkitdFlags,
      local,
    };
  });
  return { name: parsed.name, driver: parsed.driver, current: false, status: 'running', healthy: true, nodes, platforms: usablePlatforms(nodes.map((n) => n.support)), restartSuggested: false };
}

/** Three buildkitd on this machine, pinned amd64+386 / arm64+arm/v7 / riscv64+ppc64le+s390x (buildx 0.29.1). */
const THREE = 'inspect-remote-three-nodes-pinned-0.29.1.txt';
/** One docker-container node on this engine (buildx 0.13.1). */
const CONTAINER = 'inspect-container-0.13.1.txt';

describe('where each platform can be built', () => {
  it('reads the pins of the real three-node builder', () => {
    const b = builderFrom(fixture(THREE), true);
    expect(b.nodes.map((n) => [n.name, n.endpoint, n.preferredPlatforms])).toEqual([
      ['n1', 'unix:///run/multiarch-studio-stack/buildkit/node-1.sock', ['linux/amd64', 'linux/386']],
      ['n2', 'unix:///run/multiarch-studio-stack/buildkit/node-2.sock', ['linux/arm64', 'linux/arm/v7']],
      ['n3', 'unix:///run/multiarch-studio-stack/buildkit/node-3.sock', ['linux/riscv64', 'linux/ppc64le', 'linux/s390x']],
    ]);
  });

  it('offers every node that runs a platform, and the builder as a whole with the node buildx picks', () => {
    const builders = [builderFrom(fixture(THREE), true), builderFrom(fixture(CONTAINER), true)];
    const arm = targetOptions(builders, 'linux/arm64');
    expect(arm.map((o) => [o.key, o.support, o.routedNode ?? ''])).toEqual([
      ['mas-cap-dist/n1', 'emulated', ''],
      ['mas-cap-dist/n2', 'emulated', ''],
      ['mas-cap-dist/n3', 'emulated', ''],
      // Every platform is pinned, so buildx routes by the pins alone: arm64 goes to n2.
      ['mas-cap-dist', 'emulated', 'n2'],
      ['mas-test-cap1/mas-test-cap10', 'emulated', ''],
    ]);
    expect(targetOptions(builders, 'linux/amd64').find((o) => o.key === 'mas-cap-dist')).toMatchObject({ routedNode: 'n1', support: 'native' });
    expect(targetOptions(builders, 'linux/s390x').find((o) => o.key === 'mas-cap-dist')).toMatchObject({ routedNode: 'n3' });
    // A platform no node lists is offered nowhere.
    expect(targetOptions(builders, 'windows/amd64')).toEqual([]);
  });

  it('labels each option with its node and how it runs the platform, and a stopped node as such', () => {
    // A stopped docker-container node stays an option: buildx starts its container.
    const stopped = targetOptions([builderFrom(fixture(CONTAINER), true, { 'mas-test-cap10': 'stopped' })], 'linux/arm64')[0]!;
    expect(stopped.running).toBe(false);
    expect(stopped.label).toBe('mas-test-cap1 — QEMU (stopped)');
    const builders = [builderFrom(fixture(THREE), true)];
    expect(targetOptions(builders, 'linux/arm64').find((o) => o.node === 'n1')!.label).toBe('mas-cap-dist › n1 — QEMU');
    expect(targetOptions(builders, 'linux/amd64').find((o) => o.node === 'n1')!.label).toBe('mas-cap-dist › n1 — native');
  });
});

describe('the default node of a platform', () => {
  it('on one machine: amd64 on a native node, arm64 on the node buildx routes it to (all emulate it)', () => {
    const builders = [builderFrom(fixture(THREE), true)];
    expect(defaultTarget(builders, 'linux/amd64', 'mas-cap-dist')?.key).toBe('mas-cap-dist/n1');
    expect(defaultTarget(builders, 'linux/arm64', 'mas-cap-dist')?.key).toBe('mas-cap-dist/n2');
    expect(defaultTarget(builders, 'linux/riscv64', 'mas-cap-dist')?.key).toBe('mas-cap-dist/n3');
  });

  it('nodes on other machines: the node whose own platform it is, even when another builder is preferred', () => {
    // The same nodes seen from an engine elsewhere: each node's native platform is the first it lists unpinned.
    const remote = builderFrom(fixture(THREE), false);
    const local = builderFrom(fixture(CONTAINER), true);
    const n2 = remote.nodes.find((n) => n.name === 'n2')!;
    n2.support = { ...n2.support, platforms: n2.support.platforms.map((s) => (s.platform === 'linux/arm64' ? { ...s, support: 'native' as const } : s)) };
    expect(defaultTarget([local, remote], 'linux/arm64', local.name)?.key).toBe('mas-cap-dist/n2');
    // Where no node runs it natively, the preferred builder's emulating node.
    expect(defaultTarget([local, remote], 'linux/riscv64', local.name)?.key).toBe('mas-test-cap1/mas-test-cap10');
  });

  it('prefers a running node to a stopped one, and never offers a remote node that is down', () => {
    const three = builderFrom(fixture(THREE), true);
    const stopped = builderFrom(fixture(CONTAINER), true, { 'mas-test-cap10': 'stopped' });
    // Every node here runs amd64 natively (one machine): the stopped docker-container node loses to a running one…
    expect(defaultTarget([stopped, three], 'linux/amd64')?.key).toBe('mas-cap-dist/n1');
    // …unless its builder is the form's.
    expect(defaultTarget([stopped, three], 'linux/amd64', 'mas-test-cap1')?.key).toBe('mas-test-cap1/mas-test-cap10');
    // A remote node that does not answer is no option at all: buildx cannot start it.
    const down = builderFrom(fixture(THREE), true, { n1: 'inactive' });
    expect(targetOptions([down], 'linux/amd64').map((o) => o.node)).not.toContain('n1');
    expect(defaultTarget([down, stopped], 'linux/amd64', 'mas-cap-dist')?.key).toBe('mas-cap-dist/n2');
  });
});

describe('a node of a multi-node builder reached on its own', () => {
  it('builds through a single-node remote builder on the node\'s address, removed afterwards', () => {
    const b = builderFrom(fixture(THREE), true);
    const n2 = b.nodes[1]!;
    const endpoint = nodeEndpoint(n2, b.driver)!;
    const request = buildRequestInput.parse({ context: '/work/app', tags: ['127.0.0.1:5000/team/app:1'], platforms: ['linux/arm64'], output: { type: 'push' } });
    const [create, build, remove] = laneCommands(request, 'linux/arm64', 'multiarch-node-abc-linux-arm64', false, { endpoint, driverOpts: n2.driverOpts });
    expect(create).toEqual(['buildx', 'create', '--name', 'multiarch-node-abc-linux-arm64', '--driver', 'remote', 'unix:///run/multiarch-studio-stack/buildkit/node-2.sock']);
    expect(build).toContain('--builder');
    expect(build![build!.indexOf('--builder') + 1]).toBe('multiarch-node-abc-linux-arm64');
    expect(remove).toEqual(['buildx', 'rm', 'multiarch-node-abc-linux-arm64']);
  });
});

describe('the form\'s checks for a distributed build', () => {
  it('drops those about the form\'s one builder (classic store: no multi-platform; a platform it lacks) and keeps the others', () => {
    const facts: BuildFacts = {
      nativePlatform: 'linux/amd64',
      containerdImageStore: false,
      currentBuilder: 'default',
      builders: [
        {
          name: 'default',
          driver: 'docker',
          status: 'running',
          current: true,
          nodes: [classify({ name: 'default', driver: 'docker', reported: ['linux/amd64'], local: true, enginePlatform: 'linux/amd64', running: true }, {})],
        },
      ],
      host: classifyHost('linux/amd64', {}),
    };
    const request = buildRequestInput.parse({ context: '/work/app', tags: ['docker.io/team/app:1'], platforms: ['linux/amd64', 'linux/s390x'], output: { type: 'push' } });
    const all = checkBuild(request, facts).map((p) => p.code);
    expect(all).toEqual(expect.arrayContaining(['MULTI_PLATFORM_UNSUPPORTED', 'PLATFORM_UNAVAILABLE', 'PUSH_TO_DOCKER_HUB']));
    expect(withoutBuilderChecks(checkBuild(request, facts)).map((p) => p.code)).toEqual(['PUSH_TO_DOCKER_HUB']);
  });
});

describe('a builder with a node that is down (the stack\'s node-3 stopped, buildx 0.29.1 and 0.13.1)', () => {
  const NODE3 = 'unix:///run/multiarch-studio-stack/buildkit/node-3.sock';
  // As the core serves them: with each node's pins (`routing`), or, as facts without pins, only their classification.
  const factsOf = (b: BuilderSummary, pins: 'with pins' | 'without pins' = 'with pins'): BuildFacts => ({
    nativePlatform: 'linux/amd64',
    containerdImageStore: true,
    currentBuilder: b.name,
    builders: [
      { name: b.name, driver: b.driver, status: b.status, current: true, nodes: b.nodes.map((n) => n.support), ...(pins === 'with pins' ? { routing: b.nodes.map(routingNodeOf) } : {}) },
    ],
    host: classifyHost('linux/amd64', {}),
  });
  const request = (platforms: string[]) => buildRequestInput.parse({ context: '/work/app', builder: 'mas-cap-down', tags: ['127.0.0.1:5000/app:1'], platforms, output: { type: 'push' } });

  it.each(['0.29.1', '0.13.1'])('buildx %s: Distribute never offers it, and defaults to a running node that emulates the platform', (version) => {
    const b = builderFrom(fixture(`inspect-remote-node-down-${version}.txt`), true);
    const riscv = targetOptions([b], 'linux/riscv64');
    expect(riscv.map((o) => o.key)).toEqual(['mas-cap-down/node-1', 'mas-cap-down/node-2']);
    expect(defaultTarget([b], 'linux/riscv64', b.name)).toMatchObject({ key: 'mas-cap-down/node-1', support: 'emulated', running: true });
    // The whole builder is not offered for a platform it would route through step 3: buildx starts node-3 too.
    expect(targetOptions([b], 'linux/arm/v6').map((o) => o.key)).toEqual(['mas-cap-down/node-1']);
    // Pinned on node-1 alone, the whole builder still builds amd64.
    expect(targetOptions([b], 'linux/amd64').map((o) => o.key)).toContain('mas-cap-down');
  });

  it('says why there is no node at all when only the down node would build the platform', () => {
    const b = builderFrom(fixture('inspect-remote-node-down-0.29.1.txt'), true);
    const onlyDown = { ...b, nodes: b.nodes.filter((n) => n.name === 'node-3') };
    expect(targetOptions([onlyDown], 'linux/s390x')).toEqual([]);
    expect(defaultTarget([onlyDown], 'linux/s390x', b.name)).toBeUndefined();
    expect(noTargetReason([onlyDown], 'linux/s390x')).toBe(
      `Only "node-3" of "mas-cap-down" (${NODE3}) would build it, and that node is down: start its BuildKit daemon, or install the emulator so another node can build it.`,
    );
  });

  it.each(['0.29.1', '0.13.1'])('buildx %s: the Build form refuses what must reach the down node and lets through what is pinned on running nodes', (version) => {
    // The captured builds with node-3 down (see routing.test.ts): riscv64 (pinned on node-3) and arm/v6 (pinned nowhere) failed, amd64 (pinned on node-1) built.
    const facts = factsOf(builderFrom(fixture(`inspect-remote-node-down-${version}.txt`), true));
    const downProblem = (platforms: string[]) => checkBuild(request(platforms), facts).find((p) => p.code === 'BUILDER_NODE_DOWN');
    const refused = downProblem(['linux/amd64', 'linux/riscv64']);
    expect(refused).toMatchObject({ severity: 'error', platforms: ['linux/riscv64'] });
    expect(refused!.message).toBe('linux/riscv64 is pinned on "node-3" of "mas-cap-down", which is down: buildx sends it there anyway and the build fails after waiting 20 s.');
    expect(refused!.fix).toContain(`start its BuildKit daemon at ${NODE3}, or remove the node`);
    const unpinned = downProblem(['linux/amd64', 'linux/arm/v6']);
    expect(unpinned).toMatchObject({ severity: 'error', platforms: ['linux/arm/v6'] });
    expect(unpinned!.message).toBe('linux/arm/v6 is pinned on no node of "mas-cap-down", so buildx starts every node, and "node-3" is down: the build fails after waiting 20 s.');
    expect(unpinned!.fix).toContain('Or pin linux/arm/v6 on a running node (Builders page), untick it, or distribute the build over running nodes.');
    expect(downProblem(['linux/amd64'])).toBeUndefined();
    // Never the docker-container wording: buildx cannot start a remote daemon.
    expect(checkBuild(request(['linux/amd64', 'linux/arm/v6']), facts).map((p) => p.message).join(' ')).not.toMatch(/buildx starts it first/);
    // A distributed build chooses running nodes per platform instead.
    expect(withoutBuilderChecks(checkBuild(request(['linux/riscv64']), facts)).map((p) => p.code)).not.toContain('BUILDER_NODE_DOWN');
  });

  it('without the nodes\' pins the Build form refuses only a platform the down node lists, and warns for the others', () => {
    const facts = factsOf(builderFrom(fixture('inspect-remote-node-down-0.29.1.txt'), true), 'without pins');
    expect(checkBuild(request(['linux/amd64', 'linux/riscv64']), facts).find((p) => p.code === 'BUILDER_NODE_DOWN')).toMatchObject({ severity: 'error', platforms: ['linux/riscv64'] });
    const warned = checkBuild(request(['linux/amd64']), facts).find((p) => p.code === 'BUILDER_NODE_DOWN');
    expect(warned).toMatchObject({ severity: 'warning' });
    expect(warned!.message).toMatch(/"node-3" of "mas-cap-down" is down.*every platform is pinned on a running node/);
  });

  it('the Build form says buildx starts a stopped docker-container builder, and only waits for a remote one', () => {
    const stopped = (driver: string): BuildFacts => ({
      nativePlatform: 'linux/amd64',
      containerdImageStore: true,
      currentBuilder: 'b',
      builders: [{ name: 'b', driver, status: 'inactive', current: true, nodes: [classify({ name: 'b0', driver, reported: [], local: true, enginePlatform: 'linux/amd64', running: false, status: 'unknown' }, {})] }],
      host: classifyHost('linux/amd64', {}),
    });
    const req = buildRequestInput.parse({ context: '/work/app', builder: 'b', platforms: ['linux/amd64'], output: { type: 'cacheonly' } });
    const note = (driver: string) => checkBuild(req, stopped(driver)).find((p) => p.code === 'BUILDER_NOT_RUNNING')?.message;
    expect(note('docker-container')).toBe('"b" is inactive; buildx starts it first, which adds a few seconds.');
    expect(note('remote')).toBe('"b" is inactive; buildx cannot start a remote daemon: it waits up to 20 s for it to answer, and the build fails if it does not.');
  });
});
