import { describe, expect, it } from 'vitest';
import { pinArgs } from './commands';
import { nodeMap, type MapNode, type Support } from './node-map';

/** A node that runs `native` itself and emulates the rest of what it lists. */
const node = (name: string, native: string[], reported: string[], pinned: string[] = []): MapNode => ({
  name,
  endpoint: `unix:///run/${name}.sock`,
  pinned,
  reported,
  verdict: (platform) => ({ support: (native.includes(platform) ? 'native' : reported.includes(platform) ? 'emulated' : 'unavailable') as Support }),
});

const ALL = ['linux/amd64', 'linux/arm64', 'linux/riscv64'];

describe('the node × platform map', () => {
  it('marks each cell and the node buildx routes each platform to', () => {
    const map = nodeMap([node('x86', ['linux/amd64'], ALL), node('arm', ['linux/arm64'], ['linux/arm64', 'linux/amd64'])], ['linux/amd64', 'linux/arm64', 'linux/riscv64']);
    expect(map.rows.map((r) => [r.platform, r.cells.map((c) => `${c.node}:${c.support}${c.routed ? '*' : ''}`).join(' ')])).toEqual([
      ['linux/amd64', 'x86:native* arm:emulated'],
      ['linux/arm64', 'x86:emulated* arm:native'],
      ['linux/riscv64', 'x86:emulated* arm:unavailable'],
    ]);
  });

  it('says where buildx picks an emulating node over a native one, and pins that fix it', () => {
    const nodes = [node('x86', ['linux/amd64'], ALL), node('arm', ['linux/arm64'], ['linux/arm64', 'linux/amd64'])];
    const map = nodeMap(nodes, ALL);
    expect(map.misroutes).toEqual([{ platform: 'linux/arm64', routed: { node: 'x86', support: 'emulated' }, better: { node: 'arm', support: 'native' } }]);
    // Every platform gets pinned on its best node, so buildx routes by pins alone.
    expect(map.fix?.pins).toEqual([
      { node: 'x86', platforms: ['linux/amd64', 'linux/riscv64'] },
      { node: 'arm', platforms: ['linux/arm64'] },
    ]);
    expect(map.fix?.after.map((r) => [r.platform, r.node, r.pass])).toEqual([
      ['linux/amd64', 'x86', 'pinned'],
      ['linux/arm64', 'arm', 'pinned'],
      ['linux/riscv64', 'x86', 'pinned'],
    ]);
  });

  it('needs no fix when the pins already route natively, and keeps a node\'s other pins in a fix', () => {
    const pinned = [node('x86', ['linux/amd64'], ALL, ['linux/amd64', 'linux/riscv64']), node('arm', ['linux/arm64'], ['linux/arm64'], ['linux/arm64'])];
    const map = nodeMap(pinned, ALL);
    expect(map.misroutes).toEqual([]);
    expect(map.fix).toBeUndefined();
    expect(map.rows.every((r) => r.cells.find((c) => c.routed)!.pinned)).toBe(true);

    // x86 pins arm64 (and s390x, not a row): the fix moves arm64 and leaves s390x alone.
    const stolen = nodeMap([node('x86', ['linux/amd64'], ALL, ['linux/arm64', 'linux/s390x']), node('arm', ['linux/arm64'], ['linux/arm64'])], ['linux/amd64', 'linux/arm64']);
    expect(stolen.fix?.pins).toEqual([
      { node: 'x86', platforms: ['linux/s390x', 'linux/amd64'] },
      { node: 'arm', platforms: ['linux/arm64'] },
    ]);
  });

  it('keeps the routed node as the best one on a tie (every node emulates it)', () => {
    const map = nodeMap([node('a', ['linux/amd64'], ALL), node('b', ['linux/amd64'], ALL)], ['linux/riscv64']);
    expect(map.rows[0]!.best).toEqual({ node: 'a', support: 'emulated' });
    expect(map.misroutes).toEqual([]);
  });
});

describe('the map of a builder with a node that is down', () => {
  it('marks the down node\'s cells unavailable, says buildx still sends its pinned platform there, and pins it on a running node', () => {
    const x86 = node('node-1', ['linux/amd64'], ALL, ['linux/amd64']);
    const arm = node('node-2', ['linux/arm64'], ALL, ['linux/arm64']);
    const down: MapNode = { ...node('node-3', [], [], ['linux/riscv64']), reported: ['linux/riscv64'], down: true };
    const map = nodeMap([x86, arm, down], ALL);
    const riscv = map.rows.find((r) => r.platform === 'linux/riscv64')!;
    expect(riscv.route).toMatchObject({ node: 'node-3', pass: 'pinned' });
    expect(riscv.cells.map((c) => `${c.node}:${c.support}${c.routed ? '*' : ''}`)).toEqual(['node-1:emulated', 'node-2:emulated', 'node-3:unavailable*']);
    expect(map.routing.failsOn).toEqual(['node-3']);
    expect(map.misroutes).toEqual([{ platform: 'linux/riscv64', routed: { node: 'node-3', support: 'unavailable' }, better: { node: 'node-1', support: 'emulated' } }]);
    // Pinned on node-1 (which takes it off node-3), the build no longer has to reach node-3.
    expect(map.fix?.pins).toEqual([{ node: 'node-1', platforms: ['linux/amd64', 'linux/riscv64'] }]);
    expect(map.fix?.after.map((r) => r.node)).toEqual(['node-1', 'node-2', 'node-1']);
  });
});

describe('pinning a node', () => {
  it('updates the node in place, repeating what buildx would otherwise rewrite', () => {
    expect(pinArgs('b', 'remote', { name: 'b1', endpoint: 'tcp://arm:1234', buildkitdFlags: [] }, ['linux/arm64', 'linux/arm/v7'])).toEqual([
      'buildx', 'create', '--append', '--name', 'b', '--node', 'b1', '--platform', 'linux/arm64,linux/arm/v7', 'tcp://arm:1234',
    ]);
    expect(pinArgs('b', 'docker-container', { name: 'b0', endpoint: 'default', buildkitdFlags: ['--allow-insecure-entitlement=network.host', '--debug'] }, ['linux/amd64'])).toEqual([
      'buildx', 'create', '--append', '--name', 'b', '--node', 'b0', '--platform', 'linux/amd64', '--buildkitd-flags', '--allow-insecure-entitlement=network.host --debug',
    ]);
  });
});
