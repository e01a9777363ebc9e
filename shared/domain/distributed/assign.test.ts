import { describe, expect, it } from 'vitest';
import type { BuilderNode, BuilderSummary } from '../../contract/builders';
import { checkBuild, type BuildFacts } from '../build-request/checks';
import { parseInspect } from '../buildx/inspect-text';
import { classify, classifyHost, usablePlatforms } from '../platform-support';
import { defaultTarget, targetOptions, withoutBuilderChecks } from './assign';
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
    const running = (status[n.name] ?? n.status) === 'running';
    const support = classify({ name: n.name, driver: parsed.driver, reported: n.platforms, preferred: n.preferredPlatforms, local, enginePlatform: 'linux/amd64', running }, undefined);
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
    const builders = [builderFrom(fixture(THREE), true, { n2: 'stopped' })];
    const n2 = targetOptions(builders, 'linux/arm64').find((o) => o.node === 'n2')!;
    expect(n2.running).toBe(false);
    expect(n2.label).toBe('mas-cap-dist › n2 — QEMU (stopped)');
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

  it('prefers a running node to a stopped one', () => {
    const stopped = builderFrom(fixture(THREE), true, { n1: 'stopped' });
    const container = builderFrom(fixture(CONTAINER), true);
    // Every node here runs amd64 natively (one machine); n1 is stopped, so the next running native node.
    expect(defaultTarget([stopped, container], 'linux/amd64')?.key).toBe('mas-cap-dist/n2');
    expect(defaultTarget([stopped, container], 'linux/amd64', 'mas-test-cap1')?.key).toBe('mas-test-cap1/mas-test-cap10');
    expect(defaultTarget([builderFrom(fixture(THREE), true), container], 'linux/amd64')?.key).toBe('mas-cap-dist/n1');
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
