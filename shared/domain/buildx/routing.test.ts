import { describe, expect, it } from 'vitest';
import { fixture } from './fixtures/load';
import { parseInspect } from './inspect-text';
import { routeBuild, type RoutingNode } from './routing';

// What the stack's three BuildKit nodes report: their own platforms first, then everything QEMU runs.
const EVERYTHING = ['linux/amd64', 'linux/amd64/v2', 'linux/arm64', 'linux/riscv64', 'linux/ppc64le', 'linux/s390x', 'linux/386', 'linux/arm/v7', 'linux/arm/v6'];
const reports = (own: string[]) => [...own, ...EVERYTHING.filter((p) => !own.includes(p))];
const node = (name: string, own: string[], pinned: string[] = []): RoutingNode => ({ name, pinned, reported: reports(own) });

const nodeOf = (routing: ReturnType<typeof routeBuild>) => Object.fromEntries(routing.routes.map((r) => [r.platform, r.node]));

describe('routeBuild: which node buildx sends each platform to', () => {
  it('sends every platform to the first node that lists it when nothing is pinned, whatever runs it natively', () => {
    const nodes = [node('n1', ['linux/amd64']), node('n2', ['linux/arm64']), node('n3', ['linux/riscv64'])];
    const routing = routeBuild(nodes, ['linux/amd64', 'linux/arm64', 'linux/riscv64']);
    expect(nodeOf(routing)).toEqual({ 'linux/amd64': 'n1', 'linux/arm64': 'n1', 'linux/riscv64': 'n1' });
    expect(routing.routes.every((r) => r.pass === 'listed')).toBe(true);
    expect(routing.startsAllNodes).toBe(true);
  });

  it('follows the pins when every platform of the build is pinned somewhere, and starts only those nodes', () => {
    const nodes = [
      node('n1', ['linux/amd64', 'linux/386'], ['linux/amd64', 'linux/386']),
      node('n2', ['linux/arm64', 'linux/arm/v7'], ['linux/arm64', 'linux/arm/v7']),
      node('n3', ['linux/riscv64'], ['linux/riscv64', 'linux/ppc64le', 'linux/s390x']),
    ];
    const routing = routeBuild(nodes, ['linux/386', 'linux/arm/v7', 'linux/s390x', 'linux/arm64']);
    expect(nodeOf(routing)).toEqual({ 'linux/386': 'n1', 'linux/arm/v7': 'n2', 'linux/s390x': 'n3', 'linux/arm64': 'n2' });
    expect(routing.routes.map((r) => r.pass)).toEqual(['pinned', 'pinned', 'pinned', 'pinned']);
    expect(routing.startsAllNodes).toBe(false);
  });

  it('falls back to the lists for every platform when one platform is not pinned anywhere', () => {
    // arm64 is pinned on n2, but amd64 is pinned nowhere: the whole build takes the second pass, and n1 lists arm64 first.
    const nodes = [node('n1', ['linux/amd64']), node('n2', ['linux/arm64'], ['linux/arm64'])];
    expect(nodeOf(routeBuild(nodes, ['linux/arm64']))).toEqual({ 'linux/arm64': 'n2' });
    const both = routeBuild(nodes, ['linux/amd64', 'linux/arm64']);
    expect(nodeOf(both)).toEqual({ 'linux/amd64': 'n1', 'linux/arm64': 'n1' });
    expect(both.routes.find((r) => r.platform === 'linux/arm64')!.pass).toBe('listed');
  });

  it('pins are strict: an amd64 pin does not take a 386 build, and arm/v7 pins do not take arm/v6', () => {
    const nodes = [node('n1', ['linux/amd64'], ['linux/amd64']), node('n2', ['linux/arm/v7'], ['linux/arm/v7'])];
    const routing = routeBuild(nodes, ['linux/386', 'linux/arm/v6']);
    expect(routing.routes.map((r) => r.pass)).toEqual(['listed', 'listed']);
  });

  it('in the second pass a compatible platform serves, and an exact one on a later node wins over it', () => {
    const amd64Only = { name: 'x86', pinned: [], reported: ['linux/amd64'] };
    const i386 = { name: 'old', pinned: [], reported: ['linux/386'] };
    expect(routeBuild([amd64Only], ['linux/386']).routes[0]).toMatchObject({ node: 'x86', pass: 'listed', matched: 'linux/amd64' });
    expect(routeBuild([amd64Only, i386], ['linux/386']).routes[0]).toMatchObject({ node: 'old', matched: 'linux/386' });
    expect(routeBuild([i386, amd64Only], ['linux/386']).routes[0]).toMatchObject({ node: 'old' });
    const arm64 = { name: 'a64', pinned: [], reported: ['linux/arm64'] };
    expect(routeBuild([arm64], ['linux/arm/v7', 'linux/arm/v5']).routes.map((r) => r.matched)).toEqual(['linux/arm64', 'linux/arm64']);
    const v3 = { name: 'v3', pinned: [], reported: ['linux/amd64/v3'] };
    expect(routeBuild([v3], ['linux/amd64/v2', 'linux/amd64', 'linux/386']).routes.every((r) => r.node === 'v3' && r.pass === 'listed')).toBe(true);
    expect(routeBuild([amd64Only], ['linux/amd64/v2']).routes[0]!.pass).toBe('first-node');
  });

  it('sends a platform nobody lists to the first node', () => {
    const routing = routeBuild([{ name: 'first', pinned: [], reported: ['linux/amd64'] }, { name: 'second', pinned: [], reported: ['linux/arm64'] }], ['linux/mips64']);
    expect(routing.routes[0]).toEqual({ platform: 'linux/mips64', node: 'first', pass: 'first-node' });
  });

  it('names nodes that have not reported: buildx asks them at build time, so the routes may change', () => {
    const routing = routeBuild([{ name: 'cold', pinned: [], reported: [] }, node('warm', ['linux/arm64'])], ['linux/arm64']);
    expect(routing.unknown).toEqual(['cold']);
    expect(nodeOf(routing)).toEqual({ 'linux/arm64': 'warm' });
  });

  it('reads spellings the way containerd normalises them (arm is arm/v7, arm64/v8 is arm64)', () => {
    const nodes = [{ name: 'a', pinned: ['linux/arm'], reported: [] }, { name: 'b', pinned: ['linux/arm64/v8'], reported: [] }];
    const routing = routeBuild(nodes, ['linux/arm/v7', 'linux/arm64']);
    expect(nodeOf(routing)).toEqual({ 'linux/arm/v7': 'a', 'linux/arm64': 'b' });
    expect(routing.routes.every((r) => r.pass === 'pinned')).toBe(true);
  });

  it('routes nothing for a builder without nodes, and keeps each platform once', () => {
    expect(routeBuild([], ['linux/amd64']).routes).toEqual([]);
    expect(routeBuild([node('n1', ['linux/amd64'])], ['linux/amd64', 'linux/amd64']).routes).toHaveLength(1);
  });
});

describe('routeBuild: a node that is down (the stack\'s node-3 stopped, captured with buildx 0.29.1 and 0.13.1)', () => {
  it.each(['0.29.1', '0.13.1'])('buildx %s keeps the node: a build that must reach it fails, one pinned on running nodes builds', (version) => {
    const builder = parseInspect(fixture(`inspect-remote-node-down-${version}.txt`))!;
    const nodes: RoutingNode[] = builder.nodes.map((n) => ({ name: n.name, pinned: n.preferredPlatforms, reported: n.platforms, down: n.status === 'inactive' }));
    expect(nodes.map((n) => [n.name, n.down])).toEqual([['node-1', false], ['node-2', false], ['node-3', true]]);
    const failed = (platform: string) => /ERROR: (failed to build: )?context deadline exceeded/.test(fixture(`build-node-down-${platform}-${version}.txt`));

    // riscv64 is pinned on node-3: buildx sends it there although it is down, and the build failed.
    const riscv = routeBuild(nodes, ['linux/riscv64']);
    expect(riscv.routes[0]).toMatchObject({ node: 'node-3', pass: 'pinned' });
    expect(riscv.failsOn).toEqual(['node-3']);
    expect(failed('riscv64')).toBe(true);

    // amd64 is pinned on the running node-1: only that node is started, and the build worked.
    const amd = routeBuild(nodes, ['linux/amd64']);
    expect(amd.routes[0]).toMatchObject({ node: 'node-1', pass: 'pinned' });
    expect(amd.failsOn).toEqual([]);
    expect(amd.unpinned).toEqual([]);
    expect(failed('amd64')).toBe(false);

    // arm/v6 is pinned nowhere: buildx starts every node, node-3 among them, and the build failed.
    const v6 = routeBuild(nodes, ['linux/arm/v6']);
    expect(v6.startsAllNodes).toBe(true);
    expect(v6.unpinned).toEqual(['linux/arm/v6']);
    expect(v6.failsOn).toEqual(['node-3']);
    expect(failed('armv6')).toBe(true);
  });
});
