import { describe, expect, it } from 'vitest';
import { parseBinfmtDump } from '../binfmt/entries';
import { buildEmulatorTable } from '../binfmt/host-table';
import { parseInspect } from '../buildx/inspect-text';
import { parseLsJson } from '../buildx/ls-json';
import type { ParsedNode } from '../buildx/model';
import { bestNode, classify, classifyHost, emulatorFactsFromRows, usablePlatforms, verdictOf, type NodeFacts } from '.';

const raw = (files: Record<string, string>): string => Object.values(files)[0] ?? '';
const lsDefault = raw(import.meta.glob<string>('../buildx/fixtures/ls-default-0.13.1.ndjson', { query: '?raw', import: 'default', eager: true }));
const lsTwoNodes = raw(import.meta.glob<string>('../buildx/fixtures/ls-container-two-nodes-0.13.1.ndjson', { query: '?raw', import: 'default', eager: true }));
const pinned = raw(import.meta.glob<string>('../buildx/fixtures/inspect-pinned-platforms-0.13.1.txt', { query: '?raw', import: 'default', eager: true }));
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

describe('classifyHost', () => {
  it('is what the engine host runs, natively or through its emulators, without builder words', () => {
    const host = classifyHost('linux/amd64', stackEmulators(['qemu-riscv64']));
    expect(by(host)['linux/amd64']).toMatchObject({ support: 'native', note: 'Runs natively on this CPU.' });
    expect(by(host)['linux/arm/v7']).toMatchObject({ support: 'emulated', reason: 'emulator' });
    expect(verdictOf(host, 'linux/riscv64')).toMatchObject({ support: 'unavailable', reason: 'no-emulator' });
    expect(host.notes).toEqual([]);
  });
});
