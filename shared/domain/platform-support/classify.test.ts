import { describe, expect, it } from 'vitest';
import { parseBinfmtDump } from '../binfmt/entries';
import { buildEmulatorTable } from '../binfmt/host-table';
import { parseInspect } from '../buildx/inspect-text';
import { parseLsJson } from '../buildx/ls-json';
import type { ParsedNode } from '../buildx/model';
import { bestNode, classify, classifyHost, emulatorFactsFromRows, isDown, isDownNode, usablePlatforms, verdictOf, type NodeFacts } from '.';

const raw = (files: Record<string, string>): string => Object.values(files)[0] ?? '';
const lsDefault = raw(import.meta.glob<string>('../buildx/fixtures/ls-default-0.13.1.ndjson', { query: '?raw', import: 'default', eager: true }));
const lsTwoNodes = raw(import.meta.glob<string>('../buildx/fixtures/ls-container-two-nodes-0.13.1.ndjson', { query: '?raw', import: 'default', eager: true }));
const pinned = raw(import.meta.glob<string>('../buildx/fixtures/inspect-pinned-platforms-0.13.1.txt', { query: '?raw', import: 'default', eager: true }));
const downFixtures = import.meta.glob<string>('../buildx/fixtures/*-node-down-0.*', { query: '?raw', import: 'default', eager: true });
const downFixture = (name: string): string => downFixtures[`../buildx/fixtures/${name}`] ?? '';
const debianDump = raw(import.meta.glob<string>('../binfmt/fixtures/proc-binfmt-misc-debian12.txt', { query: '?raw', import: 'default', eager: true }));

/** The stack's emulators as the Emulators domain reads them: Debian 12's QEMU on an amd64 host. */
const stackEmulators = (drop: string[] = []) => {
  const dump = parseBinfmtDump(debianDump);
  return emulatorFactsFromRows(buildEmulatorTable('amd64', { ...dump, entries: dump.entries.filter((e) => !drop.includes(e.name)) }).rows);
};

const nodeFacts = (driver: string, n: ParsedNode, extra: Partial<NodeFacts> = {}): NodeFacts => ({
  name: n.name,
  driver,
  reported: n.platforms,
  preferred: n.preferredPlatforms,
  local: true,
  enginePlatform: 'linux/amd64',
  running: n.status === 'running',
  ...extra,
});

const defaultBuilder = parseLsJson(lsDefault).builders[0]!;
const dockerDefault = nodeFacts('docker', defaultBuilder.nodes[0]!);
const by = (c: ReturnType<typeof classify>) => Object.fromEntries(c.platforms.map((v) => [v.platform, v]));

describe('classify: the docker driver of the stack', () => {
  it('with the emulators: lists what the driver leaves out, each with its reason', () => {
    const c = classify(dockerDefault, stackEmulators());
    const v = by(c);
    expect(v['linux/amd64']).toMatchObject({ support: 'native', listed: true, reason: 'native' });
    expect(v['linux/amd64/v3']).toMatchObject({ support: 'native', listed: true });
    expect(v['linux/arm64']).toMatchObject({ support: 'emulated', listed: true, reason: 'emulator' });
    expect(v['linux/386']).toMatchObject({ support: 'native', listed: false, reason: 'docker-driver-omits' });
    expect(v['linux/arm/v7']).toMatchObject({ support: 'emulated', listed: false, reason: 'docker-driver-omits' });
    expect(v['linux/arm/v6']).toMatchObject({ support: 'emulated', listed: false, reason: 'docker-driver-omits' });
    expect(c.restartSuggested).toBe(false);
    expect(c.notes).toEqual([]);
    // Native first, then emulated; nothing unavailable.
    expect(c.platforms.map((p) => p.support)).toEqual([...c.platforms.map((p) => p.support)].sort((a, b) => (a === 'native' ? -1 : b === 'native' ? 1 : 0)));
    expect(c.platforms.every((p) => p.support !== 'unavailable')).toBe(true);
  });

  it('without the emulators: 386 is certain, arm/v7 and arm/v6 are offered with the doubt said', () => {
    const c = classify(dockerDefault, undefined);
    const v = by(c);
    expect(v['linux/386']).toMatchObject({ support: 'native', listed: false });
    expect(v['linux/arm64']).toMatchObject({ support: 'emulated', reason: 'listed' });
    expect(v['linux/arm/v7']).toMatchObject({ support: 'emulated', listed: false, reason: 'docker-driver-omits' });
    expect(v['linux/arm/v7']!.note).toMatch(/when linux\/arm64 does.*not known/);
    expect(c.notes.join(' ')).toMatch(/linux\/arm\/v7.*Emulators page/);
  });

  it('a listed platform whose emulator is gone is unavailable, and not usable', () => {
    const c = classify(dockerDefault, stackEmulators(['qemu-s390x']));
    expect(by(c)['linux/s390x']).toMatchObject({ support: 'unavailable', listed: true, reason: 'emulator-missing' });
    expect(usablePlatforms([c])).not.toContain('linux/s390x');
    // arm/v7 and v6 share qemu-arm: without it, the driver's omission is not offered either.
    const noArm = classify(dockerDefault, stackEmulators(['qemu-arm']));
    expect(by(noArm)['linux/arm/v7']).toBeUndefined();
    expect(verdictOf(noArm, 'linux/arm/v7')).toMatchObject({ support: 'unavailable', reason: 'no-emulator' });
  });

  it('answers for platforms it does not list: the CPU runs amd64/v4, nothing runs sparc64', () => {
    const c = classify(dockerDefault, stackEmulators());
    expect(verdictOf(c, 'linux/amd64/v4')).toMatchObject({ support: 'native', listed: false });
    expect(verdictOf(c, 'linux/sparc64')).toMatchObject({ support: 'unavailable', listed: false, reason: 'no-emulator', note: expect.stringMatching(/Emulators page/) });
    expect(verdictOf(c, 'linux/arm64/v8')).toMatchObject({ platform: 'linux/arm64', support: 'emulated', listed: true });
  });
});

describe('classify: docker-container and remote nodes', () => {
  const [local, viaContext] = parseLsJson(lsTwoNodes).builders[0]!.nodes;

  it('an emulator registered after the start builds, with a restart suggested to refresh the list', () => {
    const started = nodeFacts('docker-container', { ...local!, platforms: local!.platforms.filter((p) => p !== 'linux/s390x') });
    const c = classify(started, stackEmulators());
    expect(by(c)['linux/s390x']).toMatchObject({ support: 'emulated', listed: false, reason: 'not-listed-yet' });
    expect(c.restartSuggested).toBe(true);
  });

  it('a node that has not started: what the engine host runs, and a note to start it', () => {
    const c = classify(nodeFacts('docker-container', { ...local!, platforms: [], status: 'inactive' }), stackEmulators());
    expect(by(c)['linux/riscv64']).toMatchObject({ support: 'emulated', listed: false, reason: 'when-started' });
    expect(by(c)['linux/amd64/v4']).toMatchObject({ support: 'native', listed: false, reason: 'when-started' });
    expect(c.notes).toEqual(['Start (bootstrap) the builder to see its platforms.']);
    expect(classify(nodeFacts('docker-container', { ...local!, platforms: [], status: 'inactive' }), undefined).platforms.map((p) => p.platform)).toEqual([
      'linux/amd64',
      'linux/amd64/v2',
      'linux/amd64/v3',
      'linux/amd64/v4',
      'linux/386',
    ]);
  });

  it('a node on another machine: its native platform is the first one not pinned; the host emulators do not apply', () => {
    const node = parseInspect(pinned)!.nodes[0]!;
    const c = classify(nodeFacts('remote', node, { local: false, enginePlatform: 'linux/amd64' }), stackEmulators(['qemu-aarch64']));
    expect(c.nativePlatform).toBe('linux/amd64');
    expect(by(c)['linux/arm64']).toMatchObject({ support: 'emulated', reason: 'listed' });
    expect(by(c)['linux/386']).toMatchObject({ support: 'native' });
    expect(verdictOf(c, 'linux/sparc64')).toMatchObject({ support: 'unavailable', reason: 'not-listed', note: 'The builder does not list it.' });
    expect(c.notes.join(' ')).toMatch(/another machine.*linux\/amd64/);
  });

  it('keeps one answer per node, so the best node for a platform is known', () => {
    const a = classify(nodeFacts('docker-container', { ...local!, platforms: ['linux/amd64', 'linux/arm64'] }), stackEmulators(['qemu-aarch64']));
    const b = classify(nodeFacts('docker-container', { ...viaContext!, platforms: ['linux/arm64', 'linux/amd64'] }, { local: false }), undefined);
    expect(bestNode([a, b], 'linux/arm64')).toMatchObject({ node: viaContext!.name, verdict: { support: 'native' } });
    expect(bestNode([a, b], 'linux/amd64')).toMatchObject({ node: local!.name, verdict: { support: 'native' } });
    expect(bestNode([a, b], 'linux/sparc64')?.verdict.support).toBe('unavailable');
    // arm64 is unusable on the first node (its emulator is gone) but native on the second.
    expect(by(a)['linux/arm64']?.support).toBe('unavailable');
    expect(usablePlatforms([a, b])).toContain('linux/arm64');
    expect(usablePlatforms([a])).not.toContain('linux/arm64');
  });
});

describe('classify: a node that is down and that buildx cannot start', () => {
  const NODE3 = 'unix:///run/multiarch-studio-stack/buildkit/node-3.sock';
  // The stack's three-node remote builder with node-3 stopped, as both buildx versions list and inspect it.
  const captures = (['0.29.1', '0.13.1'] as const).flatMap((v) => [
    { what: `ls --format json, buildx ${v}`, builder: parseLsJson(downFixture(`ls-remote-node-down-${v}.ndjson`)).builders.find((b) => b.name === 'mas-cap-down')! },
    { what: `inspect, buildx ${v}`, builder: parseInspect(downFixture(`inspect-remote-node-down-${v}.txt`))! },
  ]);
  const classified = (builder: (typeof captures)[number]['builder']) =>
    builder.nodes.map((n) => classify({ ...nodeFacts(builder.driver, n), status: n.status, endpoint: n.endpoint }, stackEmulators()));

  it.each(captures)('$what: the stopped remote node builds nothing and says why, by name and address', ({ builder }) => {
    expect(builder.driver).toBe('remote');
    const node3 = builder.nodes.find((n) => n.name === 'node-3')!;
    expect(node3).toMatchObject({ status: 'inactive', endpoint: NODE3, platforms: ['linux/riscv64', 'linux/ppc64le', 'linux/s390x'] });
    const [n1, n2, n3] = classified(builder);
    expect(isDown(n3!)).toBe(true);
    expect(n3!.platforms.map((v) => [v.platform, v.support, v.reason])).toEqual([
      ['linux/riscv64', 'unavailable', 'node-down'],
      ['linux/ppc64le', 'unavailable', 'node-down'],
      ['linux/s390x', 'unavailable', 'node-down'],
    ]);
    expect(n3!.platforms[0]!.note).toBe(
      `Node "node-3" is down (buildx reports it inactive) and buildx cannot start it: start its BuildKit daemon at ${NODE3}, or remove the node from the builder.`,
    );
    // Not even what the engine host's CPU or emulators run: the daemon is not there to run it.
    expect(verdictOf(n3!, 'linux/amd64')).toMatchObject({ support: 'unavailable', reason: 'node-down' });
    expect(n3!.notes).toEqual([n3!.platforms[0]!.note]);
    // The running nodes still emulate riscv64, so it stays usable and the best node is a running one.
    expect([n1, n2].map((n) => isDown(n!))).toEqual([false, false]);
    expect(bestNode([n1!, n2!, n3!], 'linux/riscv64')).toMatchObject({ node: 'node-1', verdict: { support: 'emulated' } });
    expect(usablePlatforms([n3!])).toEqual([]);
  });

  it('only a node buildx cannot start counts as down: a stopped docker-container node is started by buildx', () => {
    expect(isDownNode({ driver: 'remote', running: false, status: 'inactive' })).toBe(true);
    expect(isDownNode({ driver: 'docker-container', running: false, status: 'error' })).toBe(true);
    expect(isDownNode({ driver: 'docker-container', running: false, status: 'inactive' })).toBe(false);
    expect(isDownNode({ driver: 'docker-container', running: false, status: 'stopped' })).toBe(false);
    expect(isDownNode({ driver: 'remote', running: true, status: 'running' })).toBe(false);
    const [local] = parseLsJson(lsTwoNodes).builders[0]!.nodes;
    const stopped = classify({ ...nodeFacts('docker-container', { ...local!, platforms: [], status: 'stopped' }), status: 'stopped' }, stackEmulators());
    expect(isDown(stopped)).toBe(false);
    expect(by(stopped)['linux/riscv64']).toMatchObject({ support: 'emulated', reason: 'when-started' });
  });
});

describe('classifyHost', () => {
  it('is what the engine host runs, natively or through its emulators, without builder words', () => {
    const host = classifyHost('linux/amd64', stackEmulators(['qemu-riscv64']));
    expect(by(host)['linux/amd64']).toMatchObject({ support: 'native', note: 'Runs natively on this CPU.' });
    expect(by(host)['linux/arm/v7']).toMatchObject({ support: 'emulated', reason: 'emulator' });
    expect(verdictOf(host, 'linux/riscv64')).toMatchObject({ support: 'unavailable', reason: 'no-emulator' });
    expect(host.notes).toEqual([]);
  });
});
