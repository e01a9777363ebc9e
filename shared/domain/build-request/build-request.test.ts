import { describe, expect, it } from 'vitest';
import { localCacheDest, systemLocation } from './destinations';
import { BUILD_ARG_LIMITS } from './request';
import {
  buildArgv,
  buildRequestInput,
  checkBuild,
  checkRequestAlone,
  checkTagReference,
  defaultPlatforms,
  displayCommand,
  platformChoices,
  resolveDockerfile,
  type BuildFacts,
  type BuildRequest,
  type BuildRequestInput,
} from './index';
import { parseBinfmtDump } from '../binfmt/entries';
import { buildEmulatorTable } from '../binfmt/host-table';
import { parseLsJson } from '../buildx/ls-json';
import { classify, classifyHost, emulatorFactsFromRows, type EmulatorFacts } from '../platform-support';

const parse = (input: BuildRequestInput): BuildRequest => buildRequestInput.parse(input);

const base: BuildRequestInput = {
  context: '/work/app',
  platforms: ['linux/amd64'],
  output: { type: 'push' },
  tags: ['127.0.0.1:5000/team/app:1.0'],
};

const raw = (files: Record<string, string>): string => Object.values(files)[0] ?? '';
const debianDump = raw(import.meta.glob<string>('../binfmt/fixtures/proc-binfmt-misc-debian12.txt', { query: '?raw', import: 'default', eager: true }));

/** The stack's emulators as the Emulators domain reads them (Debian 12's QEMU on amd64), minus some entries. */
function stackEmulators(drop: string[] = []): EmulatorFacts {
  const dump = parseBinfmtDump(debianDump);
  return emulatorFactsFromRows(buildEmulatorTable('amd64', { ...dump, entries: dump.entries.filter((e) => !drop.includes(e.name)) }).rows);
}

const lsDefault = raw(import.meta.glob<string>('../buildx/fixtures/ls-default-0.13.1.ndjson', { query: '?raw', import: 'default', eager: true }));
/** The stack's default builder's list (a real `buildx ls` capture): docker driver, containerd image store. */
const DEFAULT_LIST = parseLsJson(lsDefault).builders[0]!.nodes[0]!.platforms;

/** Build facts as the core serves them: each node classified once, with the emulators when they could be read. */
function factsOf(
  builders: Array<{ name: string; driver: string; status?: string; current?: boolean; platforms: string[] }>,
  emulators: EmulatorFacts | undefined,
  containerdImageStore = true,
): BuildFacts {
  return {
    nativePlatform: 'linux/amd64',
    containerdImageStore,
    currentBuilder: builders.find((b) => b.current)?.name ?? builders[0]?.name,
    builders: builders.map((b) => ({
      name: b.name,
      driver: b.driver,
      status: b.status ?? 'running',
      current: b.current ?? false,
      nodes: [
        classify(
          { name: b.name, driver: b.driver, reported: b.platforms, local: true, enginePlatform: 'linux/amd64', running: (b.status ?? 'running') === 'running' },
          emulators,
        ),
      ],
    })),
    host: classifyHost('linux/amd64', emulators),
  };
}

const stackFacts = factsOf([{ name: 'default', driver: 'docker', current: true, platforms: DEFAULT_LIST }], stackEmulators());

describe('tag references', () => {
  it.each([
    '127.0.0.1:5000/mas-test-abc/app:1',
    'busybox',
    'library/busybox:1.36',
    'localhost/app',
    'registry.example.com:443/a/b/c:v1.2.3-rc_1',
    'ghcr.io/org/my__app:latest',
    '[::1]:5000/app:dev',
  ])('accepts %s', (ref) => {
    expect(checkTagReference(ref)).toMatchObject({ ok: true });
  });

  it.each([
    ['', /empty/],
    ['My/App:1', /capital letters/],
    ['127.0.0.1:70000/app', /port 70000/],
    ['app:1 2', /space/],
    ['-app', /starts with "-"/],
    ['app@sha256:' + 'a'.repeat(64), /digest/],
    ['app:.bad', /Invalid tag/],
    ['app:' + 'x'.repeat(129), /Invalid tag/],
    ['a//b', /empty path component/],
    ['app-:1', /path component "app-"/],
    ['bad_host_.com:5000/app', /registry host|repository name part/],
  ])('refuses %j with the reason', (ref, reason) => {
    const check = checkTagReference(ref);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toMatch(reason);
  });

  it('reads registry, repository and tag with Docker\'s rules', () => {
    expect(checkTagReference('127.0.0.1:5000/team/app:1.0')).toMatchObject({
      ok: true,
      reference: { registry: '127.0.0.1:5000', repository: 'team/app', tag: '1.0' },
    });
    expect(checkTagReference('team/app')).toMatchObject({ ok: true, reference: { registry: 'docker.io', repository: 'team/app' } });
  });
});

describe('request validation', () => {
  it('normalises and de-duplicates platforms and applies defaults', () => {
    const r = parse({ ...base, platforms: ['linux/arm64/v8', 'linux/ARM64', 'linux/armhf', 'linux/amd64'] });
    expect(r.platforms).toEqual(['linux/arm64', 'linux/arm/v7', 'linux/amd64']);
    expect(r).toMatchObject({ provenance: false, sbom: false, noCache: false, pull: false, buildArgs: [], cacheFrom: [], cacheTo: [] });
  });

  it('refuses bad fields with the field named', () => {
    const bad = buildRequestInput.safeParse({
      ...base,
      context: 'relative/dir',
      tags: ['Bad:Tag'],
      platforms: ['amd64'],
      buildArgs: [{ key: '1X', value: 'v' }],
      target: '-x',
      builder: 'a b',
      cacheFrom: ['--malicious'],
    });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['context', 'tags.0', 'platforms.0', 'buildArgs.0.key', 'target', 'builder', 'cacheFrom.0']));
  });

  it('needs at least one platform and an absolute output path', () => {
    expect(buildRequestInput.safeParse({ ...base, platforms: [] }).success).toBe(false);
    expect(buildRequestInput.safeParse({ ...base, output: { type: 'oci', dest: 'out.tar' } }).success).toBe(false);
    expect(buildRequestInput.safeParse({ ...base, output: { type: 'oci', dest: '/tmp/out.tar' } }).success).toBe(true);
  });

  it('accepts cache specs as key=value lists or references', () => {
    expect(buildRequestInput.safeParse({ ...base, cacheFrom: ['type=registry,ref=127.0.0.1:5000/app:cache'] }).success).toBe(true);
    expect(buildRequestInput.safeParse({ ...base, cacheFrom: ['127.0.0.1:5000/app:cache'] }).success).toBe(true);
    expect(buildRequestInput.safeParse({ ...base, cacheTo: ['mode=max,ref=x'] }).success).toBe(false);
  });
});

describe('argv', () => {
  it('builds the full argv array in a stable order', () => {
    const r = parse({
      ...base,
      dockerfile: 'docker/Dockerfile.prod',
      platforms: ['linux/amd64', 'linux/arm64'],
      tags: ['127.0.0.1:5000/a/app:1', '127.0.0.1:5000/a/app:latest'],
      buildArgs: [{ key: 'VERSION', value: '1 2 "3"' }],
      target: 'runtime',
      provenance: true,
      sbom: true,
      noCache: true,
      pull: true,
      cacheFrom: ['type=registry,ref=127.0.0.1:5000/a/app:cache'],
      cacheTo: ['type=inline'],
      builder: 'multi',
    });
    expect(buildArgv(r, { progress: 'rawjson', metadataFile: '/data/builds/x/metadata.json' })).toEqual([
      'buildx',
      'build',
      '--builder',
      'multi',
      '--progress=rawjson',
      '--metadata-file',
      '/data/builds/x/metadata.json',
      '--platform',
      'linux/amd64,linux/arm64',
      '-f',
      '/work/app/docker/Dockerfile.prod',
      '-t',
      '127.0.0.1:5000/a/app:1',
      '-t',
      '127.0.0.1:5000/a/app:latest',
      '--build-arg',
      'VERSION=1 2 "3"',
      '--target',
      'runtime',
      '--output',
      'type=registry',
      '--provenance=true',
      '--sbom=true',
      '--no-cache',
      '--pull',
      '--cache-from',
      'type=registry,ref=127.0.0.1:5000/a/app:cache',
      '--cache-to',
      'type=inline',
      '/work/app',
    ]);
  });

  it('maps each output to --output type=…, quoting CSV fields', () => {
    const out = (output: BuildRequestInput['output']) => {
      const argv = buildArgv(parse({ ...base, output }));
      return argv[argv.indexOf('--output') + 1];
    };
    expect(out({ type: 'push' })).toBe('type=registry');
    expect(out({ type: 'load' })).toBe('type=docker');
    expect(out({ type: 'oci', dest: '/tmp/img.tar' })).toBe('type=oci,dest=/tmp/img.tar');
    expect(out({ type: 'local', dest: '/tmp/a,b' })).toBe('type=local,"dest=/tmp/a,b"');
    expect(out({ type: 'cacheonly' })).toBe('type=cacheonly');
  });

  it('resolves the Dockerfile from the context folder', () => {
    expect(resolveDockerfile({ context: '/ctx' })).toBe('/ctx/Dockerfile');
    expect(resolveDockerfile({ context: '/ctx/', dockerfile: './Dockerfile.arm' })).toBe('/ctx/Dockerfile.arm');
    expect(resolveDockerfile({ context: '/ctx', dockerfile: '/elsewhere/Dockerfile' })).toBe('/elsewhere/Dockerfile');
    expect(resolveDockerfile({ context: 'C:\\src\\app', dockerfile: 'Dockerfile' })).toBe('C:\\src\\app\\Dockerfile');
  });

  it('shows a copyable command without the app-only flags, quoted for a shell', () => {
    const r = parse({ ...base, context: "/home/me/my app", buildArgs: [{ key: 'MSG', value: "it's" }] });
    const cmd = displayCommand(r);
    expect(cmd).toBe(
      "docker buildx build --platform linux/amd64 -f '/home/me/my app/Dockerfile' -t 127.0.0.1:5000/team/app:1.0 --build-arg 'MSG=it'\\''s' --output type=registry --provenance=false --sbom=false '/home/me/my app'",
    );
    expect(cmd).not.toContain('rawjson');
  });
});

describe('platform choices', () => {
  it('offers the served verdicts, native first, with the docker driver gaps filled from the emulators', () => {
    const choices = platformChoices(factsOf([{ name: 'default', driver: 'docker', current: true, platforms: DEFAULT_LIST }], stackEmulators(['qemu-s390x'])));
    const choice = (p: string) => choices.find((c) => c.platform === p);
    expect(choice('linux/amd64')).toMatchObject({ support: 'native', listed: true, node: 'default' });
    expect(choice('linux/386')).toMatchObject({ support: 'native', listed: false });
    expect(choice('linux/arm64')).toMatchObject({ support: 'emulated', listed: true });
    expect(choice('linux/arm/v7')).toMatchObject({ support: 'emulated', listed: false });
    expect(choice('linux/s390x')).toMatchObject({ support: 'unavailable', listed: true, reason: 'emulator-missing' });
    const order = choices.map((c) => c.support);
    expect(order).toEqual([...order].sort((a, b) => ['native', 'emulated', 'unavailable'].indexOf(a) - ['native', 'emulated', 'unavailable'].indexOf(b)));
    expect(defaultPlatforms(stackFacts)).toEqual(['linux/amd64']);
  });

  it('without emulator facts, trusts the list and the docker driver gaps of a listed sibling', () => {
    const unknown = factsOf([{ name: 'default', driver: 'docker', current: true, platforms: DEFAULT_LIST }], undefined);
    const choices = platformChoices(unknown);
    expect(choices.find((c) => c.platform === 'linux/arm/v7')).toMatchObject({ support: 'emulated', listed: false });
    expect(choices.find((c) => c.platform === 'linux/riscv64')).toMatchObject({ support: 'emulated', listed: true });
    const noArm = factsOf([{ name: 'default', driver: 'docker', current: true, platforms: ['linux/amd64'] }], undefined);
    expect(platformChoices(noArm).find((c) => c.platform === 'linux/arm/v7')).toMatchObject({ support: 'unavailable' });
  });

  it('falls back on what the engine host runs when the builder has no nodes to ask', () => {
    const facts: BuildFacts = { ...stackFacts, builders: [{ ...stackFacts.builders[0]!, nodes: [] }] };
    expect(platformChoices(facts).find((c) => c.platform === 'linux/riscv64')).toMatchObject({ support: 'emulated', reason: 'emulator' });
    expect(platformChoices(facts).find((c) => c.platform === 'linux/riscv64')?.node).toBeUndefined();
  });
});

describe('impossible combinations', () => {
  const codes = (request: BuildRequestInput, facts: BuildFacts, stages?: string[]) =>
    checkBuild(parse(request), facts, stages ? { stages } : {}).map((p) => p.code);

  it('passes a 4-platform push on the stack', () => {
    expect(checkBuild(parse({ ...base, platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7', 'linux/riscv64'] }), stackFacts)).toEqual([]);
  });

  it('several platforms with a docker-driver builder on the classic image store', () => {
    const classic = { ...stackFacts, containerdImageStore: false };
    const problems = checkBuild(parse({ ...base, platforms: ['linux/amd64', 'linux/arm64'] }), classic);
    expect(problems[0]).toMatchObject({ code: 'MULTI_PLATFORM_UNSUPPORTED', severity: 'error', page: 'builders' });
    expect(problems[0]!.fix).toMatch(/docker-container builder/);
    // one platform is fine
    expect(codes({ ...base }, classic)).toEqual([]);
    // a docker-container builder is fine
    const container = factsOf(
      [
        { name: 'default', driver: 'docker', platforms: DEFAULT_LIST },
        { name: 'multi', driver: 'docker-container', current: true, platforms: ['linux/amd64', 'linux/arm64'] },
      ],
      stackEmulators(),
      false,
    );
    expect(codes({ ...base, platforms: ['linux/amd64', 'linux/arm64'] }, container)).toEqual([]);
  });

  it('--load of several platforms without the containerd image store', () => {
    const container = factsOf([{ name: 'multi', driver: 'docker-container', current: true, platforms: ['linux/amd64', 'linux/arm64'] }], stackEmulators(), false);
    const problems = checkBuild(parse({ ...base, output: { type: 'load' }, platforms: ['linux/amd64', 'linux/arm64'] }), container);
    expect(problems.map((p) => p.code)).toEqual(['LOAD_MANIFEST_LIST']);
    expect(problems[0]!.fix).toMatch(/Push to a registry/);
    expect(codes({ ...base, output: { type: 'load' }, platforms: ['linux/amd64', 'linux/arm64'] }, stackFacts)).toEqual([]);
  });

  it('a ticked platform neither the builder nor an emulator can run', () => {
    const facts = factsOf([{ name: 'default', driver: 'docker', current: true, platforms: DEFAULT_LIST }], stackEmulators(['qemu-s390x']));
    const problems = checkBuild(parse({ ...base, platforms: ['linux/amd64', 'linux/arm64', 'linux/s390x'] }), facts);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'PLATFORM_UNAVAILABLE', platforms: ['linux/s390x'], page: 'emulators' });
    expect(problems[0]!.fix).toMatch(/Emulators page/);
  });

  it('does not block a platform whose emulator came after the builder started (BuildKit uses it)', () => {
    const container = factsOf([{ name: 'multi', driver: 'docker-container', current: true, platforms: ['linux/amd64', 'linux/arm64'] }], stackEmulators());
    expect(codes({ ...base, platforms: ['linux/amd64', 'linux/riscv64'] }, container)).toEqual([]);
    expect(platformChoices(container).find((c) => c.platform === 'linux/riscv64')).toMatchObject({ support: 'emulated', reason: 'not-listed-yet' });
  });

  it('other mistakes: push without tag, unknown builder, unknown target, Docker Hub warning', () => {
    expect(codes({ ...base, tags: [] }, stackFacts)).toEqual(['PUSH_WITHOUT_TAG']);
    expect(codes({ ...base, builder: 'nope' }, stackFacts)).toEqual(['BUILDER_NOT_FOUND']);
    expect(codes({ ...base, target: 'runtime' }, stackFacts, ['build', 'test'])).toEqual(['TARGET_UNKNOWN']);
    expect(codes({ ...base, target: 'test' }, stackFacts, ['build', 'test'])).toEqual([]);
    const hub = checkBuild(parse({ ...base, tags: ['me/app:1'] }), stackFacts);
    expect(hub).toEqual([expect.objectContaining({ code: 'PUSH_TO_DOCKER_HUB', severity: 'warning' })]);
  });
});

describe('build argument values', () => {
  it('refuses newlines and control characters, which would split the copyable command into extra lines', () => {
    for (const value of ['a\nb', 'a\r\nb', 'x\u0000', 'esc\u001b[2J']) {
      const r = buildRequestInput.safeParse({ ...base, buildArgs: [{ key: 'V', value }] });
      expect(r.success, JSON.stringify(value)).toBe(false);
      expect(r.error!.issues.map((i) => i.path.join('.'))).toContain('buildArgs.0.value');
    }
  });

  it('keeps ordinary values, tabs, quotes and leading dashes (the value is joined to its key)', () => {
    const r = parse({ ...base, buildArgs: [{ key: 'V', value: "--x 'y'\tz" }] });
    expect(buildArgv(r)).toContain("V=--x 'y'\tz");
  });
});

describe('platform names in a build request', () => {
  it('refuses parts that start with "-" or run long, before they reach --platform', () => {
    for (const platform of ['-linux/amd64', 'linux/-x', 'linux/amd64/-v7', `linux/${'a'.repeat(40)}`]) {
      const r = buildRequestInput.safeParse({ ...base, platforms: [platform] });
      expect(r.success, platform).toBe(false);
      expect(r.error!.issues.map((i) => i.path.join('.'))).toContain('platforms.0');
    }
    expect(parse({ ...base, platforms: ['linux/arm/v7', 'linux/riscv64', 'linux/amd64/v2'] }).platforms).toEqual(['linux/arm/v7', 'linux/riscv64', 'linux/amd64/v2']);
  });
});

describe('what an argv can carry', () => {
  const issuesOf = (buildArgs: BuildRequestInput['buildArgs']) => buildRequestInput.safeParse({ ...base, buildArgs }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];

  it('refuses a name, a value or all of them together beyond the bounds, before anything is recorded', () => {
    expect(issuesOf([{ key: 'K'.repeat(BUILD_ARG_LIMITS.nameChars + 1), value: '1' }])).toEqual([expect.stringMatching(/^buildArgs\.0\.key: .*at most 256 characters/)]);
    // one megabyte key, as a hostile client sent it
    expect(issuesOf([{ key: `K${'x'.repeat(1024 * 1024)}`, value: '' }])).toContainEqual(expect.stringMatching(/^buildArgs\.0\.key: .*at most 256 characters/));
    expect(issuesOf([{ key: 'V', value: 'x'.repeat(BUILD_ARG_LIMITS.valueBytes + 1) }])).toEqual([expect.stringMatching(/^buildArgs\.0\.value: .*at most 64 KiB/)]);
    // counted in UTF-8 bytes: 30,000 three-byte characters are 90,000 bytes
    expect(issuesOf([{ key: 'V', value: '€'.repeat(30_000) }])).toEqual([expect.stringMatching(/^buildArgs\.0\.value/)]);
    // 40 values of 60 KB: each allowed, together far over what a command line should carry
    const many = Array.from({ length: 40 }, (_, i) => ({ key: `V${i}`, value: 'x'.repeat(60_000) }));
    expect(issuesOf(many)).toEqual([expect.stringMatching(/^buildArgs: The build arguments together are over 256 KiB/)]);
  });

  it('keeps the largest allowed ones, which fit the command line', () => {
    const four = Array.from({ length: 3 }, (_, i) => ({ key: `V${i}`, value: 'x'.repeat(BUILD_ARG_LIMITS.valueBytes) }));
    const r = parse({ ...base, buildArgs: four });
    const argv = buildArgv(r);
    expect(argv.filter((a) => a.startsWith('V')).every((a) => Buffer.byteLength(a) < 128 * 1024)).toBe(true);
    expect(argv.reduce((n, a) => n + Buffer.byteLength(a) + 1, 0)).toBeLessThan(BUILD_ARG_LIMITS.totalBytes + 64 * 1024);
  });
});

describe('a request on its own', () => {
  it('refuses platforms no builder can make, without any facts', () => {
    const own = checkRequestAlone(parse({ ...base, platforms: ['linux/amd64', 'linux/foo', 'plan10/arm64'] }));
    expect(own).toEqual([expect.objectContaining({ code: 'PLATFORM_UNKNOWN', severity: 'error', platforms: ['linux/foo', 'plan10/arm64'] })]);
    // real if exotic platforms pass: only the facts can say whether a builder has them
    expect(checkRequestAlone(parse({ ...base, platforms: ['linux/sparc64', 'windows/amd64', 'linux/ppc64', 'linux/arm/v5'] }))).toEqual([]);
  });

  it('refuses a push without a tag and a bad tag, as checkBuild does', () => {
    const request = parse({ ...base, tags: [] });
    expect(checkRequestAlone(request).map((p) => p.code)).toEqual(['PUSH_WITHOUT_TAG']);
    expect(checkBuild(request, stackFacts).map((p) => p.code)).toContain('PUSH_WITHOUT_TAG');
  });

  it('refuses registry ports out of range in tags', () => {
    for (const tag of ['127.0.0.1:99999/app:1', 'registry.example:0/app:1', 'registry.example:65536/app']) {
      expect(checkTagReference(tag), tag).toMatchObject({ ok: false, reason: expect.stringMatching(/port .* a number from 1 to 65535/) });
      expect(buildRequestInput.safeParse({ ...base, tags: [tag] }).success, tag).toBe(false);
    }
    expect(checkTagReference('127.0.0.1:65535/app:1').ok).toBe(true);
  });
});

describe('export destinations, as words', () => {
  it('names system locations and never a folder of the user', () => {
    for (const path of ['/', '/etc', '/etc/', '/etc/passwd', '/usr/local/lib', '/var/lib/docker', '/proc/1', '/home', '/tmp', '/root', '/home/me', 'C:\\', 'C:\\Windows\\System32', 'c:/program files/app']) {
      expect(systemLocation(path, '/home/me'), path).toBeDefined();
    }
    for (const path of ['/home/me/out', '/tmp/image.tar', '/var/tmp/export', '/srv/builds/out', '/opt/app/out', 'C:\\Users\\me\\out', 'D:\\exports']) {
      expect(systemLocation(path, '/home/me'), path).toBeUndefined();
    }
  });

  it('reads a local cache destination from a CSV spec, quotes included', () => {
    expect(localCacheDest('type=local,dest=/tmp/cache')).toBe('/tmp/cache');
    expect(localCacheDest('type=local,"dest=/tmp/a,b",mode=max')).toBe('/tmp/a,b');
    expect(localCacheDest('dest=/,type=local')).toBe('/');
    expect(localCacheDest('type=registry,ref=host/app:cache')).toBeUndefined();
    expect(localCacheDest('host/app:cache')).toBeUndefined();
  });
});
