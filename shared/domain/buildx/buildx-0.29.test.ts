import { describe, expect, it } from 'vitest';
import { fixture } from './fixtures/load';
import { parseInspect } from './inspect-text';
import { parseLsJson } from './ls-json';
import { parseLsText } from './ls-text';
import { parsePlatformList } from './platform-list';

// The same parsers on buildx 0.29.1's outputs against Docker 28.5 (see fixtures/README.md), beside buildx.test.ts's
// 0.13.1 ones: what changed must be read right, not just not crash.

// Docker 28's docker driver lists arm/v7 and arm/v6 (26.1's did not); this CPU runs x86-64-v4. The order follows
// the host's binfmt registrations (an emulator registered again comes last), so lists are compared as sets.
const DEFAULT_PLATFORMS = [
  'linux/amd64',
  'linux/amd64/v2',
  'linux/amd64/v3',
  'linux/amd64/v4',
  'linux/arm64',
  'linux/riscv64',
  'linux/ppc64',
  'linux/ppc64le',
  'linux/s390x',
  'linux/mips64le',
  'linux/mips64',
  'linux/loong64',
  'linux/arm/v7',
  'linux/arm/v6',
];
const sameSet = (list: readonly string[]) => expect([...list].sort()).toEqual([...DEFAULT_PLATFORMS].sort());

describe('buildx 0.29.1 ls --format json', () => {
  it('reads one object per builder, with the current one marked', () => {
    const text = fixture('ls-builders-0.29.1.ndjson');
    const lines = text.trim().split('\n');
    const { builders, unreadable } = parseLsJson(text);
    expect(unreadable).toEqual([]);
    expect(builders).toHaveLength(lines.length);
    expect(builders.map((b) => [b.name, b.driver, b.current])).toEqual([
      ['mas-cap-dc', 'docker-container', false],
      ['mas-cap-gone', 'remote', false],
      ['mas-cap-remote', 'remote', false],
      ['default', 'docker', true],
      ['mas-cap-ctx', 'docker', false],
    ]);
    const def = builders.find((b) => b.name === 'default')!;
    expect(def.nodes[0]).toMatchObject({ name: 'default', status: 'running', buildkitVersion: 'v0.0.0+unknown' });
    sameSet(def.nodes[0]!.platforms);
    expect(def.lastActivity).toBe(new Date(JSON.parse(text.split('\n').find((l) => l.includes('"Name":"default"'))!).LastActivity).toISOString());
  });

  it('reads docker-container nodes (options, flags, a stopped node) and remote nodes (inactive, configured platforms first)', () => {
    const { builders } = parseLsJson(fixture('ls-builders-0.29.1.ndjson'));
    const dc = builders.find((b) => b.name === 'mas-cap-dc')!;
    expect(dc.nodes.map((n) => [n.name, n.endpoint, n.status])).toEqual([
      ['mas-cap-dc0', 'unix:///var/run/docker.sock', 'running'],
      ['mas-cap-dc1', 'mas-cap-ctx', expect.any(String)],
    ]);
    expect(dc.nodes[0]).toMatchObject({ driverOpts: { network: 'host' }, buildkitdFlags: ['--allow-insecure-entitlement=network.host'], buildkitVersion: 'v0.25.2+debian-src' });
    expect(dc.nodes[0]!.platforms).toEqual(expect.arrayContaining(['linux/386', 'linux/arm/v7', 'linux/arm/v6']));
    expect(dc.nodes[1]!.platforms.slice(0, 2)).toEqual(['linux/arm64', 'linux/riscv64']);

    const gone = builders.find((b) => b.name === 'mas-cap-gone')!;
    expect(gone.nodes[0]).toMatchObject({ status: 'inactive', platforms: [], endpoint: 'unix:///tmp/mas-cap-nowhere/buildkitd.sock' });
    expect(gone.nodes[0]!.buildkitVersion).toBeUndefined();

    const remote = builders.find((b) => b.name === 'mas-cap-remote')!;
    expect(remote.nodes.map((n) => n.platforms.slice(0, 3))).toEqual([
      ['linux/arm64', 'linux/arm/v7', 'linux/amd64'],
      ['linux/riscv64', 'linux/ppc64le', 'linux/s390x'],
    ]);
  });

  it('reads buildx 0.13.1 against Docker 28 the 0.13 way (a line per builder and node, no Current)', () => {
    const text = fixture('ls-default-0.13.1-docker-28.ndjson');
    expect(text.trim().split('\n')).toHaveLength(2);
    const { builders } = parseLsJson(text);
    expect(builders).toHaveLength(1);
    expect(builders[0]!.current).toBeUndefined();
    expect(builders[0]!.lastActivity).toBeUndefined(); // Go's zero time is "never", not year 1
    sameSet(builders[0]!.nodes[0]!.platforms);
  });
});

describe('buildx 0.29.1 ls table', () => {
  it('keeps the platforms it lists and marks a shortened list as truncated', () => {
    const { builders, current } = parseLsText(fixture('ls-default-0.29.1.txt'));
    expect(current).toBe('default');
    const node = builders[0]!.nodes[0]!;
    expect(node).toMatchObject({ name: 'default', status: 'running', buildkitVersion: 'v0.0.0+unknown', platformsTruncated: true });
    // "linux/amd64 (+4), linux/arm64, linux/arm (+2), linux/ppc64le, (6 more)": no group is guessed into platforms
    expect(node.platforms).toEqual(['linux/arm64', 'linux/ppc64le']);
  });

  it('reads every builder, node, status and configured platform; --no-trunc gives whole lists', () => {
    const short = parseLsText(fixture('ls-builders-0.29.1.txt'));
    const full = parseLsText(fixture('ls-builders-no-trunc-0.29.1.txt'));
    for (const { builders, current } of [short, full]) {
      expect(current).toBe('default');
      expect(builders.map((b) => [b.name, b.driver, b.nodes.map((n) => n.status)])).toEqual([
        ['mas-cap-dc', 'docker-container', ['running', expect.any(String)]],
        ['mas-cap-gone', 'remote', ['inactive']],
        ['mas-cap-remote', 'remote', ['running', 'running']],
        ['default', 'docker', ['running']],
        ['mas-cap-ctx', 'docker', ['running']],
      ]);
    }
    const remoteShort = short.builders.find((b) => b.name === 'mas-cap-remote')!;
    const remoteFull = full.builders.find((b) => b.name === 'mas-cap-remote')!;
    expect(remoteShort.nodes[0]!.preferredPlatforms).toEqual(['linux/arm64', 'linux/arm/v7']);
    expect(remoteFull.nodes.map((n) => n.preferredPlatforms)).toEqual([
      ['linux/arm64', 'linux/arm/v7'],
      ['linux/riscv64', 'linux/ppc64le', 'linux/s390x'],
    ]);
    expect(remoteFull.nodes.every((n) => n.platformsTruncated === undefined)).toBe(true);
    sameSet(full.builders.find((b) => b.name === 'default')!.nodes[0]!.platforms);
  });

  it('reads the truncation markers on their own', () => {
    expect(parsePlatformList('linux/amd64 (+4), linux/arm64*, linux/arm (+2), (6 more)')).toEqual({
      platforms: ['linux/arm64'],
      preferred: ['linux/arm64'],
      truncated: true,
    });
    expect(parsePlatformList('linux/amd64, linux/arm64')).toEqual({ platforms: ['linux/amd64', 'linux/arm64'], preferred: [] });
  });
});

describe('buildx 0.29.1 inspect', () => {
  it('reads the default builder on Docker 28, GC policy sections skipped', () => {
    for (const name of ['inspect-default-0.29.1.txt', 'inspect-default-bootstrap-0.29.1.txt', 'inspect-default-0.13.1-docker-28.txt']) {
      const b = parseInspect(fixture(name))!;
      expect(b, name).toMatchObject({ name: 'default', driver: 'docker' });
      expect(b.nodes).toHaveLength(1);
      expect(b.nodes[0]).toMatchObject({ name: 'default', endpoint: 'default', status: 'running', buildkitVersion: 'v0.0.0+unknown' });
      sameSet(b.nodes[0]!.platforms);
      expect(b.nodes[0]!.labels['org.mobyproject.buildkit.worker.executor']).toBe('containerd');
      expect(Object.keys(b.nodes[0]!.labels).some((k) => /GC|Keep|Space/.test(k))).toBe(false);
    }
  });

  it('reads a two-node docker-container builder and a remote builder with configured platforms', () => {
    const dc = parseInspect(fixture('inspect-container-two-nodes-0.29.1.txt'))!;
    expect(dc.driver).toBe('docker-container');
    expect(dc.nodes.map((n) => n.name)).toEqual(['mas-cap-dc0', 'mas-cap-dc1']);
    expect(dc.nodes[0]).toMatchObject({ driverOpts: { network: 'host' }, buildkitdFlags: ['--allow-insecure-entitlement=network.host'], buildkitVersion: 'v0.25.2+debian-src' });
    expect(dc.nodes[1]!.preferredPlatforms).toEqual(['linux/arm64', 'linux/riscv64']);

    const remote = parseInspect(fixture('inspect-remote-two-nodes-0.29.1.txt'))!;
    expect(remote.nodes.map((n) => [n.endpoint, n.preferredPlatforms])).toEqual([
      ['unix:///run/multiarch-studio-stack/buildkit/node-2.sock', ['linux/arm64', 'linux/arm/v7']],
      ['unix:///run/multiarch-studio-stack/buildkit/node-3.sock', ['linux/riscv64', 'linux/ppc64le', 'linux/s390x']],
    ]);
    expect(remote.nodes[0]!.platforms).toHaveLength(14);
  });

  it('reads an unreachable remote node as inactive, without platforms', () => {
    const b = parseInspect(fixture('inspect-remote-gone-0.29.1.txt'))!;
    expect(b.nodes[0]).toMatchObject({ name: 'mas-cap-gone0', status: 'inactive', platforms: [] });
    expect(parseInspect(fixture('inspect-remote-gone-bootstrap-0.29.1.txt'))).toBeUndefined();
  });
});
