/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';
import {
  EMULATOR_ARCHITECTURES,
  architecturesOfEntry,
  architecturesOfInstallerName,
  buildEmulatorTable,
  elfOfMagic,
  installerList,
  parseBinfmtDump,
  parseBinfmtEntry,
  parseInstallerLog,
  parseInstallerStatus,
  runnableArchitectures,
  type BinfmtDump,
} from './index';

const fixtures = import.meta.glob<string>('./fixtures/*', { query: '?raw', import: 'default', eager: true });
const fixture = (name: string): string => {
  const text = fixtures[`./fixtures/${name}`];
  if (text === undefined) throw new Error(`missing fixture ${name}`);
  return text;
};

describe('binfmt_misc entries', () => {
  it('parses a qemu entry as the kernel prints it', () => {
    const dump = parseBinfmtDump(fixture('binfmt-misc-entries.txt'));
    expect(dump.entries.map((e) => e.name)).toEqual(['qemu-aarch64', 'qemu-arm', 'qemu-riscv64']);
    expect(dump.entries[0]).toEqual({
      name: 'qemu-aarch64',
      enabled: true,
      interpreter: '/usr/libexec/qemu-binfmt/aarch64-binfmt-P',
      flags: 'PF',
      offset: 0,
      magic: '7f454c460201010000000000000000000200b700',
      mask: 'ffffffffffffff00fffffffffffffffffeffffff',
    });
    // No `== status` section in this capture: the global switch is unknown.
    expect(dump.enabled).toBeUndefined();
  });

  it('reads the whole Debian 12 mount: status, empty flags, entries without a mask', () => {
    const dump = parseBinfmtDump(fixture('proc-binfmt-misc-debian12.txt'));
    expect(dump.enabled).toBe(true);
    expect(dump.entries).toHaveLength(32);
    const jar = dump.entries.find((e) => e.name === 'jar');
    expect(jar).toEqual({ name: 'jar', enabled: true, interpreter: '/usr/bin/jexec', flags: '', offset: 0, magic: '504b0304' });
    expect(dump.entries.find((e) => e.name === 'register')).toBeUndefined();
    expect(dump.entries.every((e) => e.name !== 'status')).toBe(true);
  });

  it('parses a disabled extension entry', () => {
    const entry = parseBinfmtEntry('DOSWin', 'disabled\ninterpreter /usr/bin/wine\nflags: \nextension .exe\n');
    expect(entry).toEqual({ name: 'DOSWin', enabled: false, interpreter: '/usr/bin/wine', flags: '', extension: '.exe' });
  });

  it('maps entries to architectures by the ELF header their magic matches, names as fallback', () => {
    const dump = parseBinfmtDump(fixture('proc-binfmt-misc-debian12.txt'));
    const byName = Object.fromEntries(dump.entries.map((e) => [e.name, architecturesOfEntry(e)]));
    expect(byName['qemu-aarch64']).toEqual(['arm64']);
    expect(byName['qemu-arm']).toEqual(['arm/v7', 'arm/v6']);
    expect(byName['qemu-riscv64']).toEqual(['riscv64']);
    expect(byName['qemu-ppc64le']).toEqual(['ppc64le']);
    expect(byName['qemu-s390x']).toEqual(['s390x']);
    expect(byName['qemu-mips64el']).toEqual(['mips64le']);
    expect(byName['qemu-mips64']).toEqual(['mips64']);
    expect(byName['qemu-loongarch64']).toEqual(['loong64']);
    // Same machine, other class or byte order: not table architectures.
    for (const other of ['qemu-armeb', 'qemu-riscv32', 'qemu-ppc64', 'qemu-mipsn32el', 'qemu-mips', 'qemu-alpha', 'jar', 'python3.11']) {
      expect(byName[other], other).toEqual([]);
    }
    // An odd name still maps through its magic; a magic-less entry through its name.
    expect(architecturesOfEntry({ name: 'aarch64-box', magic: '7f454c460201010000000000000000000200b700', offset: 0 })).toEqual(['arm64']);
    expect(architecturesOfEntry({ name: 'qemu-x86_64-static' })).toEqual(['amd64']);
  });

  it('decodes big-endian e_machine (s390x) and 16-bit machines (loong64)', () => {
    expect(elfOfMagic('7f454c4602020100000000000000000000020016')).toEqual({ elfClass: 2, littleEndian: false, machine: 0x16 });
    expect(elfOfMagic('7f454c4602010100000000000000000002000201')).toEqual({ elfClass: 2, littleEndian: true, machine: 0x102 });
    expect(elfOfMagic('504b0304')).toBeUndefined();
  });
});

describe('the Emulators table', () => {
  const debian = parseBinfmtDump(fixture('proc-binfmt-misc-debian12.txt'));

  it('on an amd64 host with Debian registrations: native, emulated, and the rest apart', () => {
    const table = buildEmulatorTable('amd64', debian);
    const state = Object.fromEntries(table.rows.map((r) => [r.architecture, r.state]));
    expect(state).toEqual({
      amd64: 'native',
      arm64: 'emulated',
      'arm/v7': 'emulated',
      'arm/v6': 'emulated',
      '386': 'native',
      riscv64: 'emulated',
      ppc64le: 'emulated',
      s390x: 'emulated',
      mips64le: 'emulated',
      mips64: 'emulated',
      loong64: 'emulated',
    });
    expect(table.rows.map((r) => r.architecture)).toEqual([...EMULATOR_ARCHITECTURES]);
    expect(table.nonQemu.map((e) => e.name)).toEqual(['jar', 'llvm-14-runtime.binfmt', 'python3.11']);
    expect(table.otherQemu.map((e) => e.name)).toContain('qemu-alpha');
    expect(table.otherQemu.map((e) => e.name)).not.toContain('qemu-aarch64');
    // PF: nothing to flag.
    expect(table.rows.find((r) => r.architecture === 'arm64')?.issues).toEqual([]);
    expect(runnableArchitectures(table)).toEqual([...EMULATOR_ARCHITECTURES]);
  });

  it('flags an entry without F and warns about one without P', () => {
    const dump: BinfmtDump = {
      enabled: true,
      entries: [
        parseBinfmtEntry('qemu-aarch64', 'enabled\ninterpreter /usr/bin/qemu-aarch64\nflags: \noffset 0\nmagic 7f454c460201010000000000000000000200b700\n'),
        parseBinfmtEntry('qemu-riscv64', 'enabled\ninterpreter /usr/bin/qemu-riscv64\nflags: CF\noffset 0\nmagic 7f454c460201010000000000000000000200f300\n'),
      ],
    };
    const table = buildEmulatorTable('amd64', dump);
    const arm64 = table.rows.find((r) => r.architecture === 'arm64');
    const riscv = table.rows.find((r) => r.architecture === 'riscv64');
    expect(arm64?.issues.map((i) => [i.code, i.severity])).toEqual([
      ['NO_FIX_BINARY', 'error'],
      ['NO_PRESERVE_ARGV0', 'warning'],
    ]);
    expect(riscv?.issues.map((i) => i.code)).toEqual(['NO_PRESERVE_ARGV0']);
    expect(runnableArchitectures(table)).toContain('riscv64');
    expect(runnableArchitectures(table)).not.toContain('arm64');
  });

  it('a disabled entry or a switched-off binfmt_misc is not emulation', () => {
    const entry = parseBinfmtEntry('qemu-aarch64', 'disabled\ninterpreter /usr/bin/qemu-aarch64\nflags: POCF\noffset 0\nmagic 7f454c460201010000000000000000000200b700\n');
    const disabled = buildEmulatorTable('amd64', { enabled: true, entries: [entry] }).rows.find((r) => r.architecture === 'arm64');
    expect(disabled?.state).toBe('unavailable');
    expect(disabled?.issues.map((i) => i.code)).toEqual(['DISABLED']);
    const off = buildEmulatorTable('amd64', { enabled: false, entries: [{ ...entry, enabled: true }] }).rows.find((r) => r.architecture === 'arm64');
    expect(off?.state).toBe('unavailable');
    expect(off?.issues.map((i) => i.code)).toEqual(['BINFMT_DISABLED']);
  });

  it('on an arm64 host: amd64 through qemu-x86_64, 32-bit ARM native only maybe', () => {
    const x86 = parseBinfmtEntry(
      'qemu-x86_64',
      'enabled\ninterpreter /usr/bin/qemu-x86_64\nflags: CF\noffset 0\nmagic 7f454c4602010100000000000000000002003e00\nmask fffffffffffefe00fffffffffffffffffeffffff\n',
    );
    const table = buildEmulatorTable('arm64', { enabled: true, entries: [x86] });
    const state = Object.fromEntries(table.rows.map((r) => [r.architecture, r.state]));
    expect(state.amd64).toBe('emulated');
    expect(state.arm64).toBe('native');
    expect(state['arm/v7']).toBe('native');
    expect(table.rows.find((r) => r.architecture === 'arm/v7')?.issues.map((i) => i.code)).toEqual(['NATIVE_UNCERTAIN']);
    expect(state.riscv64).toBe('unavailable');
  });

  it('an emulator registered for the host\'s own architecture is an error', () => {
    const x86 = parseBinfmtEntry('qemu-x86_64', 'enabled\ninterpreter /usr/bin/qemu-x86_64\nflags: POCF\noffset 0\nmagic 7f454c4602010100000000000000000002003e00\n');
    const row = buildEmulatorTable('amd64', { enabled: true, entries: [x86] }).rows.find((r) => r.architecture === 'amd64');
    expect(row?.state).toBe('native');
    expect(row?.issues.map((i) => i.code)).toEqual(['NATIVE_SHADOWED']);
  });

  it('lists WSLInterop apart, never as an architecture', () => {
    const wsl = parseBinfmtEntry('WSLInterop', 'enabled\ninterpreter /init\nflags: PF\noffset 0\nmagic 4d5a\n');
    const table = buildEmulatorTable('amd64', { enabled: true, entries: [wsl] });
    expect(table.nonQemu.map((e) => e.name)).toEqual(['WSLInterop']);
    expect(table.rows.every((r) => r.entry === undefined)).toBe(true);
  });
});

describe('installer status JSON', () => {
  it('reads the real image status as its README prints it', () => {
    const status = parseInstallerStatus(fixture('tonistiigi-binfmt-readme-status.json'));
    expect(status?.supported).toContain('linux/arm/v6');
    expect(status?.emulators).toEqual(['qemu-aarch64', 'qemu-arm', 'qemu-i386', 'qemu-ppc64le', 'qemu-riscv64', 'qemu-s390x']);
  });

  it('reads the stand-in status (lists on one line) and null lists', () => {
    const standin = parseInstallerStatus(fixture('binfmt-standin-status.stdout.json'));
    expect(standin?.supported).toHaveLength(11);
    expect(standin?.emulators).toContain('python3.11');
    expect(parseInstallerStatus('{\n  "supported": [\n    "linux/amd64"\n  ],\n  "emulators": null\n}\n')).toEqual({ supported: ['linux/amd64'], emulators: [] });
  });

  it('refuses what is not a status', () => {
    expect(parseInstallerStatus('')).toBeUndefined();
    expect(parseInstallerStatus('{"supported": "linux/amd64"}')).toBeUndefined();
    expect(parseInstallerStatus('{"foo": 1}')).toBeUndefined();
    expect(parseInstallerStatus('{ not json')).toBeUndefined();
  });
});

describe('installer stderr', () => {
  it('classifies every per-item format of the real tool', () => {
    const log = parseInstallerLog(fixture('tonistiigi-binfmt-source-formats.stderr'));
    expect(log.lines.map((l) => [l.action, l.name, l.outcome])).toEqual([
      ['uninstall', 'qemu-aarch64', 'ok'],
      ['uninstall', 'qemu-riscv64', 'not-registered'],
      ['install', 'arm64', 'ok'],
      ['install', 'riscv64', 'already-registered'],
      ['install', 'arm', 'eperm'],
      ['install', 'sparc64', 'not-supported'],
    ]);
    expect(log.fatal).toBeUndefined();
    expect(log.other).toEqual([]);
  });

  it('reads real failure reports: EINVAL on an old kernel, ENOENT on an arm64 host, an older wording', () => {
    const einval = parseInstallerLog(fixture('tonistiigi-binfmt-install-all-einval.stderr'));
    expect(einval.lines.map((l) => [l.name, l.outcome])).toEqual([
      ['arm64', 'failed'],
      ['s390x', 'failed'],
      ['ppc64le', 'failed'],
      ['mips64le', 'failed'],
      ['mips64', 'failed'],
    ]);
    expect(einval.lines[0]?.detail).toBe('cannot register "/usr/bin/qemu-aarch64" to /proc/sys/fs/binfmt_misc/register: write /proc/sys/fs/binfmt_misc/register: invalid argument');
    expect(parseInstallerLog(fixture('tonistiigi-binfmt-install-arm64-on-arm64.stderr')).lines[0]?.outcome).toBe('failed');
    expect(parseInstallerLog(fixture('tonistiigi-binfmt-old-install-arm64.stderr')).lines[0]?.outcome).toBe('failed');
    const status = parseInstallerStatus(fixture('tonistiigi-binfmt-install-arm64-on-arm64.stdout.json'));
    expect(status?.emulators).toContain('qemu-x86_64');
  });

  it('keeps the message of a fatal error and drops its Go stack trace (tabs or spaces)', () => {
    const noDevice = parseInstallerLog(fixture('tonistiigi-binfmt-no-binfmt-misc.stderr'));
    expect(noDevice.fatal).toBe('no such device\ncannot mount binfmt_misc filesystem at /proc/sys/fs/binfmt_misc');
    expect(noDevice.lines).toEqual([]);
    const denied = parseInstallerLog(fixture('tonistiigi-binfmt-not-permitted.stderr'));
    expect(denied.fatal).toBe('operation not permitted\ncannot mount binfmt_misc filesystem at /proc/sys/fs/binfmt_misc');
  });
});

describe('architecture names', () => {
  it('maps table architectures to installer names, once each', () => {
    expect(installerList(['arm/v6', 'riscv64', 'arm/v7', 'arm64'])).toEqual(['arm64', 'arm', 'riscv64']);
    expect(architecturesOfInstallerName('arm')).toEqual(['arm/v7', 'arm/v6']);
    expect(architecturesOfInstallerName('linux/arm64')).toEqual(['arm64']);
    expect(architecturesOfInstallerName('sparc64')).toEqual([]);
  });
});
