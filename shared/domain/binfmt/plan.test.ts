/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';
import { buildEmulatorTable, judgeOutcomes, parseBinfmtDump, parseBinfmtEntry, parseInstallerLog, planChange, type BinfmtDump } from './index';

const debianDump = import.meta.glob<string>('./fixtures/proc-binfmt-misc-debian12.txt', { query: '?raw', import: 'default', eager: true })[
  './fixtures/proc-binfmt-misc-debian12.txt'
]!;

const ARM64 = 'enabled\ninterpreter /usr/bin/qemu-aarch64\nflags: POCF\noffset 0\nmagic 7f454c460201010000000000000000000200b700\n';
const RISCV = 'enabled\ninterpreter /usr/bin/qemu-riscv64\nflags: POCF\noffset 0\nmagic 7f454c460201010000000000000000000200f300\n';

const hostWith = (entries: Record<string, string>): BinfmtDump => ({
  enabled: true,
  entries: Object.entries(entries).map(([name, text]) => parseBinfmtEntry(name, text)),
});

describe('planning a change', () => {
  it('installs by installer name, once per emulator', () => {
    const table = buildEmulatorTable('amd64', hostWith({}));
    const plan = planChange('install', ['riscv64', 'arm/v7', 'arm64', 'arm/v6'], table, 'amd64');
    expect(plan.args).toEqual(['--install', 'arm64,arm,riscv64']);
    expect(plan.architectures).toEqual(['arm64', 'arm/v7', 'arm/v6', 'riscv64']);
    expect(plan.refused).toEqual([]);
  });

  it('refuses the host architecture and skips what already runs natively', () => {
    const table = buildEmulatorTable('amd64', hostWith({}));
    const plan = planChange('install', ['amd64', '386', 'arm64'], table, 'amd64');
    expect(plan.refused.map((r) => r.architecture)).toEqual(['amd64']);
    expect(plan.skipped.map((s) => s.architecture)).toEqual(['386']);
    expect(plan.args).toEqual(['--install', 'arm64']);
  });

  it('replaces a broken registration (no F) in the same run', () => {
    const table = buildEmulatorTable('amd64', hostWith({ 'qemu-aarch64': ARM64.replace('POCF', 'P') }));
    expect(planChange('install', ['arm64'], table, 'amd64').args).toEqual(['--uninstall', 'qemu-aarch64', '--install', 'arm64']);
  });

  it('uninstalls the registered entry (Debian names too) and skips what is not there', () => {
    const table = buildEmulatorTable('amd64', parseBinfmtDump(debianDump));
    const plan = planChange('uninstall', ['arm/v6', 'arm64', 'arm/v7'], table, 'amd64');
    expect(plan.args).toEqual(['--uninstall', 'qemu-aarch64,qemu-arm']);
    const empty = planChange('uninstall', ['riscv64'], buildEmulatorTable('amd64', hostWith({})), 'amd64');
    expect(empty.args).toEqual([]);
    expect(empty.skipped.map((s) => s.architecture)).toEqual(['riscv64']);
  });
});

describe('judging the outcome (never by exit code)', () => {
  it('OK on stderr and an entry afterwards → ok; OK but no entry → failed', () => {
    const plan = planChange('install', ['arm64', 'riscv64'], buildEmulatorTable('amd64', hostWith({})), 'amd64');
    const log = parseInstallerLog('installing: arm64 OK\ninstalling: riscv64 OK\n');
    const after = hostWith({ 'qemu-aarch64': ARM64 });
    const outcomes = judgeOutcomes(plan, log, { table: buildEmulatorTable('amd64', after), entries: after.entries });
    expect(outcomes.map((o) => [o.architecture, o.outcome, o.verified])).toEqual([
      ['arm64', 'ok', true],
      ['riscv64', 'failed', false],
    ]);
    expect(outcomes[0]?.message).toContain('POCF');
  });

  it('already registered, EPERM and unsupported come from the installer\'s words', () => {
    const plan = planChange('install', ['arm64', 'riscv64', 'arm/v7'], buildEmulatorTable('amd64', hostWith({})), 'amd64');
    const log = parseInstallerLog(
      'installing: arm64 qemu-aarch64 already registered\ninstalling: riscv64 EPERM opening /proc/sys/fs/binfmt_misc/register check permissions?\ninstalling: arm unsupported architecture: arm\n',
    );
    const after = hostWith({ 'qemu-aarch64': ARM64 });
    const outcomes = judgeOutcomes(plan, log, { table: buildEmulatorTable('amd64', after), entries: after.entries });
    expect(outcomes.map((o) => [o.architecture, o.outcome])).toEqual([
      ['arm64', 'already-registered'],
      ['arm/v7', 'not-supported'],
      ['riscv64', 'eperm'],
    ]);
  });

  it('a fatal error (exit 0, nothing per architecture) fails every architecture with its message', () => {
    const plan = planChange('install', ['riscv64'], buildEmulatorTable('amd64', hostWith({})), 'amd64');
    const log = parseInstallerLog('error: operation not permitted\ncannot mount binfmt_misc filesystem at /proc/sys/fs/binfmt_misc\nmain.run\n\t/src/cmd/binfmt/main.go:183\n');
    const after = hostWith({});
    const [riscv] = judgeOutcomes(plan, log, { table: buildEmulatorTable('amd64', after), entries: after.entries });
    expect(riscv?.outcome).toBe('eperm');
    expect(riscv?.message).toBe('operation not permitted: cannot mount binfmt_misc filesystem at /proc/sys/fs/binfmt_misc');
  });

  it('uninstall: OK and gone → ok; OK but still there → failed; not found → not registered', () => {
    const before = hostWith({ 'qemu-aarch64': ARM64, 'qemu-riscv64': RISCV });
    const plan = planChange('uninstall', ['arm64', 'riscv64'], buildEmulatorTable('amd64', before), 'amd64');
    expect(plan.args).toEqual(['--uninstall', 'qemu-aarch64,qemu-riscv64']);
    const after = hostWith({ 'qemu-riscv64': RISCV });
    const ok = judgeOutcomes(plan, parseInstallerLog('uninstalling: qemu-aarch64 OK\nuninstalling: qemu-riscv64 OK\n'), {
      table: buildEmulatorTable('amd64', after),
      entries: after.entries,
    });
    expect(ok.map((o) => [o.architecture, o.outcome])).toEqual([
      ['arm64', 'ok'],
      ['riscv64', 'failed'],
    ]);
    const gone = judgeOutcomes(plan, parseInstallerLog('uninstalling: qemu-aarch64 not found\n'), { table: buildEmulatorTable('amd64', after), entries: after.entries });
    expect(gone[0]?.outcome).toBe('not-registered');
    expect(gone[1]?.outcome).toBe('failed');
  });
});
