import { describe, expect, it } from 'vitest';
import { elfOfMagic } from '../binfmt/architectures';
import { parseBinfmtDump } from '../binfmt/entries';
import { expectedMachines, nativePlatform, nativelyRuns, normalizeArch, normalizePlatform, parsePlatform } from '../platform';
import {
  ARCH_ROWS,
  COMMON_ARCH_IDS,
  COMMON_PLATFORMS,
  SPELLING_SCHEMES,
  archOfWord,
  archRow,
  platformOfRow,
  rowOf,
  rowOfOfficialNamespace,
  rowsOfElf,
  rowsOfInstallerName,
  rowsOfQemuTarget,
  rowsSpelled,
  spellingsOf,
  type ArchId,
  type ArchRow,
} from '.';

const raw = (files: Record<string, string>): string => Object.values(files)[0] ?? '';
const debianDump = raw(import.meta.glob<string>('../binfmt/fixtures/proc-binfmt-misc-debian12.txt', { query: '?raw', import: 'default', eager: true }));
const installerConfigs = raw(import.meta.glob<string>('./fixtures/tonistiigi-binfmt-configs.txt', { query: '?raw', import: 'default', eager: true }));
const unameCapture = raw(import.meta.glob<string>('./fixtures/docker-run-uname-m.txt', { query: '?raw', import: 'default', eager: true }));

/** Words one scheme gives to several rows on purpose, and the rows. */
const SHARED: Array<{ scheme: (typeof SPELLING_SCHEMES)[number]; word: string; rows: ArchId[] }> = [
  { scheme: 'uname', word: 'mips64', rows: ['mips64le', 'mips64'] },
  { scheme: 'uname', word: 'mips', rows: ['mipsle', 'mips'] },
  { scheme: 'debian', word: 'armel', rows: ['arm/v6', 'arm/v5'] },
  { scheme: 'gnu-cpu', word: 'arm', rows: ['arm/v7', 'arm/v6', 'arm/v5'] },
  { scheme: 'gnu', word: 'arm-linux-gnueabi', rows: ['arm/v6', 'arm/v5'] },
];

/** What a word shared by several rows, or by several schemes, resolves to. */
const RESOLVED: Record<string, { architecture: string; variant?: string }> = {
  mips64: { architecture: 'mips64' },
  mips: { architecture: 'mips' },
  arm: { architecture: 'arm' },
  armel: { architecture: 'arm', variant: 'v6' },
  // Debian's armhf (arm/v7) wins over Alpine's (arm/v6), as containerd normalises it.
  armhf: { architecture: 'arm', variant: 'v7' },
};

const nameOf = (row: ArchRow) => (row.variant ? { architecture: row.architecture, variant: row.variant } : { architecture: row.architecture });

describe('architecture table: invariants', () => {
  it('has one row per id, keyed architecture[/variant], common rows first', () => {
    expect(new Set(ARCH_ROWS.map((r) => r.id)).size).toBe(ARCH_ROWS.length);
    for (const row of ARCH_ROWS) expect(row.id).toBe(row.variant ? `${row.architecture}/${row.variant}` : row.architecture);
    const firstRare = ARCH_ROWS.findIndex((r) => !r.common);
    expect(ARCH_ROWS.slice(firstRare).every((r) => !r.common)).toBe(true);
    expect(COMMON_PLATFORMS).toEqual(COMMON_ARCH_IDS.map((id) => `linux/${id}`));
  });

  it('maps every spelling back to exactly one row, except the declared shared ones', () => {
    for (const scheme of SPELLING_SCHEMES) {
      for (const row of ARCH_ROWS) {
        for (const word of spellingsOf(row, scheme)) {
          const shared = SHARED.find((s) => s.scheme === scheme && s.word === word);
          const rows = rowsSpelled(scheme, word).map((r) => r.id);
          expect(rows, `${scheme} ${word}`).toEqual(shared ? shared.rows : [row.id]);
        }
      }
    }
    // The declared list cannot go stale: each entry really names several rows.
    for (const s of SHARED) expect(rowsSpelled(s.scheme, s.word).length, s.word).toBeGreaterThan(1);
  });

  it('resolves every single-word spelling to its row, or to the declared choice when shared', () => {
    for (const scheme of SPELLING_SCHEMES.filter((s) => s !== 'gnu' && s !== 'rust' && s !== 'docker')) {
      for (const row of ARCH_ROWS) {
        for (const word of spellingsOf(row, scheme)) {
          expect(archOfWord(word), `${scheme} ${word}`).toEqual(RESOLVED[word] ?? nameOf(row));
        }
      }
    }
    for (const word of Object.keys(RESOLVED)) expect(archOfWord(word)).toEqual(RESOLVED[word]);
    expect(archOfWord('sparc64')).toBeUndefined();
  });

  it('round-trips each row and level through the platform parser', () => {
    for (const row of ARCH_ROWS) {
      for (const level of [undefined, ...(row.levels ?? [])]) {
        const platform = platformOfRow(row, level);
        expect(normalizePlatform(platform)).toBe(platform);
        const p = parsePlatform(platform);
        expect(p && rowOf(p.architecture, p.variant)).toEqual(level ? { row, level } : { row });
      }
    }
  });

  it('gives sound ELF facts: the bit width of the name, and one emulator per ELF header', () => {
    for (const row of ARCH_ROWS) {
      expect([32, 64], row.id).toContain(row.elf.bits);
      expect(row.elf.bits === 64, row.id).toBe(/64|s390x/.test(row.architecture));
      // Rows that share an ELF header are told apart only by QEMU's own target choice: the same emulator.
      expect(new Set(rowsOfElf(row.elf).map((r) => r.qemu.target)), row.id).toEqual(new Set([row.qemu.target]));
      if (row.elf.armFloat) expect(row.architecture).toBe('arm');
      for (const other of row.runs) expect(archRow(other).elf.bits).toBeLessThanOrEqual(row.elf.bits);
      expect(row.runsIfCpuAllows ?? []).toEqual((row.runsIfCpuAllows ?? []).filter((id) => row.runs.includes(id)));
    }
  });

  it("agrees with the ELF magic Debian's QEMU registers in binfmt_misc", () => {
    const entries = parseBinfmtDump(debianDump).entries;
    let checked = 0;
    for (const row of ARCH_ROWS) {
      const entry = entries.find((e) => e.name === `qemu-${row.qemu.target}`);
      if (!entry) continue;
      const elf = elfOfMagic(entry.magic);
      expect({ bits: elf?.elfClass === 1 ? 32 : 64, endian: elf?.littleEndian ? 'little' : 'big', machine: elf?.machine }, row.id).toEqual({
        bits: row.elf.bits,
        endian: row.elf.endian,
        machine: row.elf.machine,
      });
      checked++;
    }
    // Debian registers no emulator for the host's own x86 family: amd64 and 386 are checked below.
    expect(checked).toBe(ARCH_ROWS.length - 2);
  });

  it("agrees with the binfmt installer's own list: names, entries and ELF magic", () => {
    const configs = installerConfigs
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split(' ') as [string, string, string]);
    expect(new Set(configs.map(([name]) => name))).toEqual(new Set(ARCH_ROWS.flatMap((r) => (r.qemu.installer ? [r.qemu.installer] : []))));
    for (const [name, binary, magic] of configs) {
      const rows = rowsOfInstallerName(name);
      expect(rows.length, name).toBeGreaterThan(0);
      const hex = magic.replace(/\\x([0-9a-f]{2})/g, '$1').replace('ELF', '454c46');
      const elf = elfOfMagic(hex);
      for (const row of rows) {
        expect(`qemu-${row.qemu.target}`).toBe(binary);
        expect({ bits: elf?.elfClass === 1 ? 32 : 64, endian: elf?.littleEndian ? 'little' : 'big', machine: elf?.machine }, name).toEqual({
          bits: row.elf.bits,
          endian: row.elf.endian,
          machine: row.elf.machine,
        });
      }
    }
    // Every row the Emulators page lists can be installed.
    for (const id of COMMON_ARCH_IDS) expect(archRow(id).qemu.installer, id).toBeDefined();
  });

  it('lists a container machine name the kernel prints for the row, first', () => {
    for (const row of ARCH_ROWS) expect(row.uname, row.id).toContain(row.containerMachines[0]);
    expect(rowsOfQemuTarget('i486').map((r) => r.id)).toEqual(['386']);
  });
});

describe('architecture table: per-platform expectations (the same on any host)', () => {
  it('names what uname -m printed in real containers of each platform', () => {
    const runs = [...unameCapture.matchAll(/^== docker run --rm --platform (\S+) .*\n(?:.*\n)*?(\S+)\n(?===|$)/gm)];
    expect(runs.map((m) => m[1])).toEqual(['linux/amd64', 'linux/arm64', 'linux/arm/v7']);
    for (const [, platform = '', machine = ''] of runs) expect(expectedMachines(platform), platform).toContain(machine);
  });

  it.each([
    ['linux/amd64', ['x86_64']],
    ['linux/amd64/v3', ['x86_64']],
    ['linux/386', ['i686', 'i386', 'x86_64']],
    ['linux/arm64', ['aarch64']],
    ['linux/arm64/v8', ['aarch64']],
    ['linux/arm/v7', ['armv7l', 'armv8l']],
    ['linux/arm/v6', ['armv6l', 'armv7l']],
    ['linux/arm/v5', ['armv5tejl', 'armv5tel']],
    ['linux/riscv64', ['riscv64']],
    ['linux/ppc64le', ['ppc64le']],
    ['linux/ppc64', ['ppc64']],
    ['linux/s390x', ['s390x']],
    ['linux/mips64le', ['mips64']],
    ['linux/mips64', ['mips64']],
    ['linux/loong64', ['loongarch64']],
    ['windows/amd64', []],
    ['linux/sparc64', []],
  ])('uname -m inside %s', (platform, machines) => {
    expect(expectedMachines(platform)).toEqual(machines);
  });

  it.each([
    ['linux/amd64', ['linux/amd64', 'linux/amd64/v2', 'linux/amd64/v3', 'linux/amd64/v4', 'linux/386']],
    ['linux/arm64', ['linux/arm64', 'linux/arm/v7', 'linux/arm/v6']],
    ['linux/arm/v7', ['linux/arm/v7', 'linux/arm/v6', 'linux/arm/v5']],
    ['linux/arm', ['linux/arm', 'linux/arm/v7', 'linux/arm/v6', 'linux/arm/v5']],
    ['linux/386', ['linux/386']],
    ['linux/riscv64', ['linux/riscv64']],
    ['linux/s390x', ['linux/s390x']],
    ['linux/sparc64', ['linux/sparc64']],
  ])('a %s CPU runs natively', (native, platforms) => {
    expect(nativelyRuns(native)).toEqual(platforms);
  });

  it.each([
    ['x86_64', { architecture: 'amd64' }],
    ['X86_64', { architecture: 'amd64' }],
    ['x86-64', { architecture: 'amd64' }],
    ['x64', { architecture: 'amd64' }],
    ['aarch64', { architecture: 'arm64' }],
    ['armv8l', { architecture: 'arm', variant: 'v7' }],
    ['armv7l', { architecture: 'arm', variant: 'v7' }],
    ['armv7', { architecture: 'arm', variant: 'v7' }],
    ['armv6l', { architecture: 'arm', variant: 'v6' }],
    ['armv5tejl', { architecture: 'arm', variant: 'v5' }],
    ['x86', { architecture: '386' }],
    ['i686', { architecture: '386' }],
    ['i386', { architecture: '386' }],
    ['ppc64el', { architecture: 'ppc64le' }],
    ['powerpc64le', { architecture: 'ppc64le' }],
    ['mips64el', { architecture: 'mips64le' }],
    ['mipsel', { architecture: 'mipsle' }],
    ['loongarch64', { architecture: 'loong64' }],
    ['sparc64', { architecture: 'sparc64' }],
  ])('normalizeArch(%s)', (word, expected) => {
    expect(normalizeArch(word)).toEqual(expected);
  });

  it("reads the Official Images' per-architecture namespaces on Docker Hub, and nothing else as one", () => {
    // docker-library's architecture organisations (github.com/docker-library/official-images, "Architectures other than amd64").
    const namespaces: Record<string, ArchId> = {
      amd64: 'amd64',
      'windows-amd64': 'amd64',
      arm64v8: 'arm64',
      arm32v7: 'arm/v7',
      arm32v6: 'arm/v6',
      arm32v5: 'arm/v5',
      i386: '386',
      ppc64le: 'ppc64le',
      s390x: 's390x',
      riscv64: 'riscv64',
      mips64le: 'mips64le',
    };
    for (const [namespace, id] of Object.entries(namespaces)) expect(rowOfOfficialNamespace(namespace)?.id, namespace).toBe(id);
    const declared = ARCH_ROWS.flatMap((r) => r.officialNamespaces ?? []);
    expect(declared.sort()).toEqual(Object.keys(namespaces).sort());
    for (const word of ['library', 'arm64', 'arm', 'x86_64', 'armhf', 'Arm64v8']) expect(rowOfOfficialNamespace(word), word).toBeUndefined();
  });

  it('reads the engine native platform in any spelling', () => {
    expect(nativePlatform('linux', 'x86_64')).toBe('linux/amd64');
    expect(nativePlatform('linux', 'aarch64')).toBe('linux/arm64');
    expect(nativePlatform('linux', 'armv7l')).toBe('linux/arm/v7');
    expect(nativePlatform('', 'riscv64')).toBe('linux/riscv64');
    expect(nativePlatform('windows', 'x86_64')).toBe('windows/amd64');
    expect(normalizePlatform('linux/armhf')).toBe('linux/arm/v7');
    expect(normalizePlatform('LINUX/ARM64/v8')).toBe('linux/arm64');
  });
});
