import { describe, expect, it } from 'vitest';
import { fixture } from './fixtures/load';
import { createBuilderInput, appendNodeInput } from '../../contract/builders';
import { appendArgs, createArgs, nextNodeName, previewCommand } from './commands';
import { checkEndpoint } from './endpoint';
import { goTimeToIso, parseDriverOpts, parseInspect } from './inspect-text';
import { parseLsJson } from './ls-json';
import { parseLsText } from './ls-text';
import { multiPlatformVerdict } from './multi-platform';
import { parsePlatformList } from './platform-list';

const DEFAULT_PLATFORMS = [
  'linux/amd64',
  'linux/amd64/v2',
  'linux/amd64/v3',
  'linux/arm64',
  'linux/riscv64',
  'linux/ppc64',
  'linux/ppc64le',
  'linux/s390x',
  'linux/mips64le',
  'linux/mips64',
  'linux/loong64',
];

describe('buildx ls --format json (NDJSON)', () => {
  it('reads the default builder and drops the 0.13.1 duplicate line', () => {
    const text = fixture('ls-default-0.13.1.ndjson');
    expect(text.trim().split('\n')).toHaveLength(2);
    const { builders, unreadable } = parseLsJson(text);
    expect(unreadable).toEqual([]);
    expect(builders).toHaveLength(1);
    const b = builders[0]!;
    expect(b).toMatchObject({ name: 'default', driver: 'docker', dynamic: false, lastActivity: '2026-11-27T23:44:59.000Z' });
    expect(b.current).toBeUndefined();
    expect(b.nodes).toHaveLength(1);
    expect(b.nodes[0]).toMatchObject({ name: 'default', endpoint: 'default', status: 'running', buildkitVersion: 'v0.0.0+unknown' });
    expect(b.nodes[0]!.platforms).toEqual(DEFAULT_PLATFORMS);
    expect(b.nodes[0]!.labels['org.mobyproject.buildkit.worker.executor']).toBe('containerd');
  });

  it('keeps one builder per name when a two-node builder is printed three times', () => {
    const text = fixture('ls-container-two-nodes-0.13.1.ndjson');
    const names = text
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { Name: string }).Name);
    expect(names.filter((n) => n === 'mas-test-cap1')).toHaveLength(3);
    const { builders } = parseLsJson(text);
    expect(builders.map((b) => b.name)).toEqual(['mas-test-cap1', 'default', 'mas-test-ctx']);
    const dc = builders[0]!;
    expect(dc.driver).toBe('docker-container');
    expect(dc.nodes.map((n) => [n.name, n.endpoint, n.status])).toEqual([
      ['mas-test-cap10', 'unix:///var/run/docker.sock', 'running'],
      ['mas-test-cap1b', 'mas-test-ctx', 'running'],
    ]);
    expect(dc.nodes[0]!.driverOpts).toEqual({ network: 'host' });
    expect(dc.nodes[0]!.buildkitdFlags).toEqual(['--allow-insecure-entitlement=network.host']);
    expect(dc.nodes[0]!.buildkitVersion).toBe('v0.13.2+debian-src');
    // A docker-container builder lists what the docker driver leaves out.
    expect(dc.nodes[0]!.platforms).toEqual(expect.arrayContaining(['linux/386', 'linux/arm/v7', 'linux/arm/v6']));
    // Go's zero time is "never", not year 1.
    expect(builders[1]!.lastActivity).toBeUndefined();
  });

  it('reads an unreachable remote builder as inactive with no platforms', () => {
    const { builders } = parseLsJson(fixture('ls-remote-inactive-0.13.1.ndjson'));
    const remote = builders.find((b) => b.name === 'mas-test-capr')!;
    expect(remote.driver).toBe('remote');
    expect(remote.nodes[0]).toMatchObject({ status: 'inactive', platforms: [], endpoint: 'unix:///tmp/mas-cap-TOSF/bk/buildkitd.sock' });
  });

  it('takes the current flag of buildx ≥ 0.24 and node errors, and keeps unreadable lines apart', () => {
    const text = [
      '{"Name":"multi","Driver":"docker-container","Current":true,"Nodes":[{"Name":"multi0","Endpoint":"tcp://10.0.0.9:2376","Err":"Cannot connect to the Docker daemon at tcp://10.0.0.9:2376\\n"}]}',
      'not json',
      '{"Name":"broken","Driver":"docker-container","Err":"context \\"gone\\" does not exist","Nodes":null}',
    ].join('\n');
    const { builders, unreadable } = parseLsJson(text);
    expect(unreadable).toEqual(['not json']);
    expect(builders[0]).toMatchObject({ name: 'multi', current: true });
    expect(builders[0]!.nodes[0]).toMatchObject({ status: 'error', error: 'Cannot connect to the Docker daemon at tcp://10.0.0.9:2376' });
    expect(builders[1]).toMatchObject({ name: 'broken', error: 'context "gone" does not exist', nodes: [] });
  });
});

describe('buildx ls table', () => {
  it('reads the ≥ 0.13 form: `default*` and ` \\_ ` node rows', () => {
    const { builders, current } = parseLsText(fixture('ls-default-0.13.1.txt'));
    expect(current).toBe('default');
    expect(builders).toHaveLength(1);
    expect(builders[0]).toMatchObject({ name: 'default', driver: 'docker', current: true });
    expect(builders[0]!.nodes[0]).toMatchObject({ name: 'default', endpoint: 'default', status: 'running', buildkitVersion: 'v0.0.0+unknown' });
    expect(builders[0]!.nodes[0]!.platforms).toEqual(DEFAULT_PLATFORMS);
  });

  it('reads several builders, nodes on a context, and which one is current', () => {
    const { builders, current } = parseLsText(fixture('ls-container-two-nodes-0.13.1.txt'));
    expect(current).toBe('default');
    expect(builders.map((b) => [b.name, b.driver, b.nodes.length])).toEqual([
      ['mas-test-cap1', 'docker-container', 2],
      ['default', 'docker', 1],
      ['mas-test-ctx', 'docker', 1],
    ]);
    expect(builders[0]!.nodes[1]).toMatchObject({ name: 'mas-test-cap1b', endpoint: 'mas-test-ctx', status: 'running', buildkitVersion: 'v0.13.2+debian-src' });
    expect(builders[0]!.nodes[1]!.platforms).toHaveLength(15);
  });

  it('reads the older form: `name *`, two-space node rows, empty cells, `*` pinned platforms, error rows', () => {
    const { builders, current } = parseLsText(fixture('ls-pre-0.13.txt'));
    expect(current).toBe('mas-test-cap1');
    expect(builders.map((b) => b.name)).toEqual(['mas-test-cap1', 'default', 'broken']);
    const [first, second] = builders[0]!.nodes;
    expect(first).toMatchObject({ name: 'mas-test-cap10', endpoint: 'unix:///var/run/docker.sock', status: 'running', buildkitVersion: 'v0.13.2+debian-src' });
    expect(first!.preferredPlatforms).toEqual(['linux/amd64']);
    // An inactive node has no version: the platforms must not slide into the BUILDKIT column.
    expect(second).toMatchObject({ name: 'mas-test-cap1b', endpoint: 'mas-test-ctx', status: 'inactive', platforms: ['linux/arm64'] });
    expect(second!.buildkitVersion).toBeUndefined();
    expect(builders[2]!.error).toBeDefined();
  });

  it('returns nothing for output without a table', () => {
    expect(parseLsText('ERROR: something\n')).toEqual({ builders: [], current: undefined });
  });
});

describe('buildx inspect text', () => {
  it('reads the default builder (current key spelling, docker driver)', () => {
    const b = parseInspect(fixture('inspect-default-0.13.1.txt'))!;
    expect(b).toMatchObject({ name: 'default', driver: 'docker', lastActivity: '2026-11-27T23:44:59.000Z' });
    expect(b.nodes).toHaveLength(1);
    expect(b.nodes[0]).toMatchObject({ name: 'default', endpoint: 'default', status: 'running', buildkitVersion: 'v0.0.0+unknown' });
    expect(b.nodes[0]!.platforms).toEqual(DEFAULT_PLATFORMS);
    expect(b.nodes[0]!.labels['org.mobyproject.buildkit.worker.moby.host-gateway-ip']).toBe('172.17.0.1');
  });

  it('reads a docker-container node: driver options, daemon flags, version, GC policy skipped', () => {
    const b = parseInspect(fixture('inspect-container-0.13.1.txt'))!;
    const node = b.nodes[0]!;
    expect(b.driver).toBe('docker-container');
    expect(node.driverOpts).toEqual({ network: 'host' });
    expect(node.buildkitdFlags).toEqual(['--allow-insecure-entitlement=network.host']);
    expect(node.buildkitVersion).toBe('v0.13.2+debian-src');
    expect(node.platforms).toHaveLength(15);
    expect(Object.keys(node.labels)).toHaveLength(6);
    expect(node.labels).not.toHaveProperty('All');
  });

  it('reads the pre-0.13 spelling (Flags: / Buildkit:) to the same result', () => {
    const now = parseInspect(fixture('inspect-container-0.13.1.txt'))!;
    const before = parseInspect(fixture('inspect-container-pre-0.13.txt'))!;
    expect(before.nodes[0]!.buildkitdFlags).toEqual(['--allow-insecure-entitlement=network.host']);
    expect(before.nodes[0]!.buildkitVersion).toBe('v0.13.2+debian-src');
    expect(before).toEqual(now);
  });

  it('reads two nodes, one of them on a Docker context', () => {
    const b = parseInspect(fixture('inspect-container-two-nodes-0.13.1.txt'))!;
    expect(b.nodes.map((n) => [n.name, n.endpoint, n.status])).toEqual([
      ['mas-test-cap10', 'unix:///var/run/docker.sock', 'running'],
      ['mas-test-cap1b', 'mas-test-ctx', 'running'],
    ]);
  });

  it('marks pinned platforms (`*`) and keeps them first', () => {
    const b = parseInspect(fixture('inspect-pinned-platforms-0.13.1.txt'))!;
    expect(b.nodes[0]!.preferredPlatforms).toEqual(['linux/arm64', 'linux/riscv64']);
    expect(b.nodes[0]!.platforms.slice(0, 3)).toEqual(['linux/arm64', 'linux/riscv64', 'linux/amd64']);
  });

  it('reads a remote builder', () => {
    const b = parseInspect(fixture('inspect-remote-0.13.1.txt'))!;
    expect(b).toMatchObject({ name: 'mas-test-capr', driver: 'remote' });
    expect(b.nodes[0]).toMatchObject({ endpoint: 'unix:///tmp/mas-cap-TOSF/bk/buildkitd.sock', status: 'running' });
  });

  it('reads node and builder errors', () => {
    const text = [
      'Name:          multi',
      'Driver:        docker-container',
      '',
      'Nodes:',
      'Name:           multi0',
      'Endpoint:       ssh://builder@arm-box',
      'Error:          Cannot connect to the Docker daemon at ssh://builder@arm-box',
      '',
    ].join('\n');
    const b = parseInspect(text)!;
    expect(b.nodes[0]).toMatchObject({ status: 'error', error: 'Cannot connect to the Docker daemon at ssh://builder@arm-box' });
    const gone = parseInspect('Name:   gone\nDriver: docker-container\nError:  context "x" does not exist\n')!;
    expect(gone).toMatchObject({ name: 'gone', error: 'context "x" does not exist', nodes: [] });
    expect(parseInspect('ERROR: no builder "nope" found\n')).toBeUndefined();
  });

  it('parses Go-quoted driver options and Go times', () => {
    expect(parseDriverOpts('image="moby/buildkit:buildx-stable-1" network="host" env.X="a \\"b\\""')).toEqual({
      image: 'moby/buildkit:buildx-stable-1',
      network: 'host',
      'env.X': 'a "b"',
    });
    expect(goTimeToIso('2026-11-28 00:12:54 +0000 UTC')).toBe('2026-11-28T00:12:54.000Z');
    expect(goTimeToIso('2026-11-28 02:12:54.123456 +0200 CEST')).toBe('2026-11-28T00:12:54.123Z');
    expect(goTimeToIso('yesterday')).toBeUndefined();
  });
});

describe('platform lists', () => {
  it('normalises, de-duplicates and separates pinned entries', () => {
    expect(parsePlatformList('linux/arm64*, linux/arm64/v8, linux/amd64, linux/arm/v7*')).toEqual({
      platforms: ['linux/arm64', 'linux/amd64', 'linux/arm/v7'],
      preferred: ['linux/arm64', 'linux/arm/v7'],
    });
    expect(parsePlatformList('')).toEqual({ platforms: [], preferred: [] });
    expect(parsePlatformList('linux/amd64, linux/arm64, (+3)').platforms).toEqual(['linux/amd64', 'linux/arm64']);
  });
});

describe('multi-platform check', () => {
  it('says no for the docker driver without the containerd store, with the fix and the other option', () => {
    const v = multiPlatformVerdict({ name: 'default', driver: 'docker', platforms: DEFAULT_PLATFORMS, running: true, containerdImageStore: false });
    expect(v.verdict).toBe('no');
    expect(v.suggestContainerBuilder).toBe(true);
    expect(v.details.join(' ')).toMatch(/docker-container builder/);
    expect(v.details.join(' ')).toMatch(/containerd-snapshotter/);
  });

  it('says yes for the docker driver on the containerd store, and for a container builder', () => {
    expect(multiPlatformVerdict({ name: 'default', driver: 'docker', platforms: DEFAULT_PLATFORMS, running: true, containerdImageStore: true }).verdict).toBe('yes');
    const dc = multiPlatformVerdict({ name: 'mb', driver: 'docker-container', platforms: ['linux/amd64', 'linux/arm64'], running: true, containerdImageStore: false });
    expect(dc.verdict).toBe('yes');
    expect(dc.details.join(' ')).toMatch(/--load/);
  });

  it('says limited with one platform and unknown before a first start', () => {
    expect(multiPlatformVerdict({ name: 'mb', driver: 'remote', platforms: ['linux/amd64'], running: true, containerdImageStore: true }).verdict).toBe('limited');
    expect(multiPlatformVerdict({ name: 'mb', driver: 'docker-container', platforms: [], running: false, containerdImageStore: true }).verdict).toBe('unknown');
  });
});

describe('command lines', () => {
  it('builds the create command from the validated input, image from settings, endpoint last', () => {
    const spec = createBuilderInput.parse({ name: 'multiarch', driverOpts: ['network=host'], platforms: ['linux/arm64', 'linux/arm/v7'] });
    expect(spec).toMatchObject({ driver: 'docker-container', bootstrap: true, use: false, platforms: ['linux/arm64', 'linux/arm/v7'] });
    expect(createArgs({ ...spec, buildkitImage: 'moby/buildkit:buildx-stable-1' })).toEqual([
      'buildx', 'create', '--name', 'multiarch', '--driver', 'docker-container', '--platform', 'linux/arm64,linux/arm/v7',
      '--driver-opt', 'network=host', '--driver-opt', 'image=moby/buildkit:buildx-stable-1', '--bootstrap',
    ]);
    // An explicit image= driver option wins over the setting.
    const own = createArgs({ ...spec, driverOpts: ['image=mirror.local/buildkit:1'], buildkitImage: 'moby/buildkit:buildx-stable-1' });
    expect(own.filter((a) => a.startsWith('image='))).toEqual(['image=mirror.local/buildkit:1']);
    const remote = createBuilderInput.parse({ name: 'rbk', driver: 'remote', endpoint: 'unix:///run/buildkit/buildkitd.sock', buildkitdFlags: '--debug' });
    expect(createArgs({ ...remote, buildkitImage: 'moby/buildkit:buildx-stable-1' }, { configFlag: '--config' })).toEqual([
      'buildx', 'create', '--name', 'rbk', '--driver', 'remote', '--buildkitd-flags', '--debug', '--bootstrap', 'unix:///run/buildkit/buildkitd.sock',
    ]);
    expect(previewCommand(['buildx', 'create', '--buildkitd-flags', '--debug --x'])).toBe("docker buildx create --buildkitd-flags '--debug --x'");
  });

  it('builds the append command with a node name buildx would pick', () => {
    const spec = appendNodeInput.parse({ builder: 'multiarch', endpoint: 'ssh://me@arm-box', platforms: ['linux/arm64'] });
    const node = nextNodeName('multiarch', ['multiarch0']);
    expect(node).toBe('multiarch1');
    expect(appendArgs({ ...spec, node })).toEqual([
      'buildx', 'create', '--append', '--name', 'multiarch', '--node', 'multiarch1', '--platform', 'linux/arm64', '--bootstrap', 'ssh://me@arm-box',
    ]);
  });
});

describe('input validation (before anything runs)', () => {
  const refused = (input: unknown) => {
    const r = createBuilderInput.safeParse(input);
    return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
  };

  it('refuses names with spaces, a leading dash, a leading digit or shell characters', () => {
    for (const name of ['my builder', '-x', '--help', '1abc', '_x', 'a;rm -rf /', 'a$(id)', 'a`id`', 'a|b', 'a&b', "a'b", 'a/b', '', 'x'.repeat(64)]) {
      expect(refused({ name }), name).toContain('name');
    }
    for (const name of ['multiarch', 'MyBuilder', 'a.b_c-d', 'mas-test-1a2b']) expect(refused({ name }), name).toEqual([]);
  });

  it('refuses bad endpoints, driver options, images, platforms and drivers', () => {
    expect(refused({ name: 'a', endpoint: '-H tcp://x' })).toContain('endpoint');
    expect(refused({ name: 'a', endpoint: 'tcp://host;reboot' })).toContain('endpoint');
    expect(refused({ name: 'a', endpoint: 'ssh://me@arm-box' })).toEqual([]);
    expect(refused({ name: 'a', endpoint: 'my-context' })).toEqual([]);
    expect(refused({ name: 'a', driverOpts: ['network=host,image=x'] })).toContain('driverOpts.0');
    expect(refused({ name: 'a', driverOpts: ['network'] })).toContain('driverOpts.0');
    expect(refused({ name: 'a', buildkitImage: 'moby/buildkit latest' })).toContain('buildkitImage');
    expect(refused({ name: 'a', platforms: ['arm64'] })).toContain('platforms.0');
    expect(refused({ name: 'a', platforms: ['linux/arm64', 'arm/v7'] })).toContain('platforms.1');
    expect(refused({ name: 'a', buildkitdFlags: '--debug\n--x' })).toContain('buildkitdFlags');
    expect(refused({ name: 'a', buildkitdConfig: 'relative/buildkitd.toml' })).toContain('buildkitdConfig');
    expect(refused({ name: 'a', driver: 'remote' })).toContain('endpoint');
    expect(refused({ name: 'a', driver: 'docker' })).toContain('driver');
    expect(refused({ name: 'default' })).toContain('name');
  });
});

describe('builder endpoints that would read as ssh options', () => {
  it('refuses a user or host starting with "-" (ssh would run -oProxyCommand)', () => {
    for (const endpoint of ['ssh://-oProxyCommand=touch${IFS}x', 'ssh://me@-oProxyCommand=x', 'tcp://-x:2376', 'ssh://-p/x']) {
      const r = appendNodeInput.safeParse({ builder: 'b', endpoint });
      expect(r.success, endpoint).toBe(false);
      expect(createBuilderInput.safeParse({ name: 'b', endpoint }).success, endpoint).toBe(false);
    }
  });

  it('keeps ordinary addresses and context names', () => {
    for (const endpoint of [
      'ssh://me@build-host',
      'ssh://build-host:2222',
      'tcp://10.0.0.2:2376',
      'tcp://[::1]:1234',
      'tcp://build-host:65535',
      'unix:///run/buildkit/buildkitd.sock',
      'docker-container://buildkitd',
      'kube-pod://buildkitd-0',
      'my-context',
    ]) {
      expect(appendNodeInput.safeParse({ builder: 'b', endpoint }).success, endpoint).toBe(true);
    }
  });

  it('checks what ssh and buildx will read: the address after percent-decoding', () => {
    // Go's url.Parse decodes user and host before buildx hands them to ssh.
    for (const endpoint of [
      'ssh://%2DoProxyCommand=touch%20x@host',
      'ssh://me@%2DoProxyCommand=x',
      'ssh://%2doProxyCommand=x',
      'tcp://%2Dx:2376',
      'ssh://me%40evil@host',
      'ssh://me@host%3Breboot',
      'ssh://me@host%0a',
      'ssh://%252DoProxyCommand=x@host', // twice encoded
      'ssh://me@host%ZZ', // broken encoding
    ]) {
      const r = checkEndpoint(endpoint);
      expect(r.ok, endpoint).toBe(false);
      expect(createBuilderInput.safeParse({ name: 'b', endpoint }).success, endpoint).toBe(false);
    }
    expect(checkEndpoint('ssh://%2DoProxyCommand=x@host')).toMatchObject({ ok: false, reason: expect.stringMatching(/starts with "-": ssh would read it as an option/) });
  });

  it('refuses ports that are not ports, with the reason', () => {
    for (const [endpoint, reason] of [
      ['tcp://host:65536', /out of range/],
      ['tcp://host:99999', /out of range/],
      ['tcp://host:0', /out of range/],
      ['ssh://me@host:abc', /not a port number/],
      ['tcp://host:', /not a port number/],
      ['tcp://[::1]:123456', /not a port number/],
    ] as const) {
      expect(checkEndpoint(endpoint), endpoint).toMatchObject({ ok: false, reason: expect.stringMatching(reason) });
      const parsed = createBuilderInput.safeParse({ name: 'b', endpoint });
      expect(parsed.success, endpoint).toBe(false);
      expect(parsed.error?.issues[0]?.message, endpoint).toMatch(reason);
    }
  });
});
