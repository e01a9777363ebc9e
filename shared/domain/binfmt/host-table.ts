import {
  EMULATOR_ARCHITECTURES,
  architecturesOfEntry,
  canonicalEntryOf,
  installerNameOf,
  nativeArchitectures,
  platformOf,
  primaryNative,
  sharingEmulator,
  type EmulatorArchitecture,
} from './architectures';
import type { PlatformSupport } from '../platform-support/model';
import { hasFlag, isQemuEntry, type BinfmtDump, type BinfmtEntry } from './entries';

export type EmulatorIssueCode =
  | 'NO_FIX_BINARY'
  | 'NO_PRESERVE_ARGV0'
  | 'DISABLED'
  | 'BINFMT_DISABLED'
  | 'NATIVE_SHADOWED'
  | 'NATIVE_UNCERTAIN';

export interface EmulatorIssue {
  code: EmulatorIssueCode;
  severity: 'error' | 'warning' | 'info';
  message: string;
}

export interface EmulatorRow {
  architecture: EmulatorArchitecture;
  platform: string;
  state: PlatformSupport;
  /** The binfmt_misc entry serving this architecture, when one is registered. */
  entry?: BinfmtEntry;
  issues: EmulatorIssue[];
  /** Name `binfmt --install` takes for it. */
  installerName: string;
  /** Entry the installer would register (and `--uninstall` removes when none is registered). */
  entryName: string;
  /** Architectures served by the same emulator (arm/v7 ↔ arm/v6). */
  sharedWith: EmulatorArchitecture[];
}

export interface EmulatorTable {
  /** False when binfmt_misc is switched off as a whole (`status` says disabled). */
  binfmtEnabled: boolean;
  rows: EmulatorRow[];
  /** QEMU entries for architectures outside the table (qemu-alpha, qemu-m68k, ...). */
  otherQemu: BinfmtEntry[];
  /** Entries that are not emulators at all (jar, python3.11, llvm-*.binfmt, WSLInterop, ...). */
  nonQemu: BinfmtEntry[];
}

const NO_F =
  'Registered without the F (fix-binary) flag: the kernel looks the interpreter up inside each container, where it does not exist, so containers of this platform fail. Reinstall it with the installer (it registers with F).';
const NO_P =
  'Registered without the P (preserve-argv0) flag: with Debian\'s QEMU, busybox- and alpine-style images misbehave (an applet such as `cat` runs as `sh`). QEMU builds that preserve argv0 by default (tonistiigi/binfmt\'s carry such a patch) are not affected.';

/**
 * Builds the Emulators table from the entries of the Docker host's binfmt_misc and the engine's
 * native architecture. An enabled entry wins over native execution (binfmt_misc handlers are tried
 * before the kernel's own ELF loader), so a registered emulator means "emulated" even for 386 on amd64.
 */
export function buildEmulatorTable(nativeArch: string, dump: BinfmtDump): EmulatorTable {
  const binfmtEnabled = dump.enabled ?? true;
  const { native, uncertain } = nativeArchitectures(nativeArch);
  const byArch = new Map<EmulatorArchitecture, BinfmtEntry[]>();
  const otherQemu: BinfmtEntry[] = [];
  const nonQemu: BinfmtEntry[] = [];
  for (const entry of dump.entries) {
    const archs = architecturesOfEntry(entry);
    if (archs.length > 0 && isQemuEntry(entry)) {
      for (const a of archs) byArch.set(a, [...(byArch.get(a) ?? []), entry]);
    } else if (isQemuEntry(entry)) {
      otherQemu.push(entry);
    } else {
      nonQemu.push(entry);
    }
  }

  const rows = EMULATOR_ARCHITECTURES.map((architecture): EmulatorRow => {
    const candidates = byArch.get(architecture) ?? [];
    // Prefer the enabled entry with the installer's name, then any enabled one, then any.
    const entry =
      candidates.find((e) => e.enabled && e.name === canonicalEntryOf(architecture)) ??
      candidates.find((e) => e.enabled) ??
      candidates[0];
    const isNative = native.includes(architecture) && architecture === primaryNative(nativeArch);
    const compatNative = native.includes(architecture);
    const issues: EmulatorIssue[] = [];
    let state: PlatformSupport;
    if (entry && entry.enabled && binfmtEnabled) {
      state = isNative ? 'native' : 'emulated';
      if (isNative) {
        issues.push({
          code: 'NATIVE_SHADOWED',
          severity: 'error',
          message: `${entry.name} is registered for the host's own architecture: native programs of this kind may be run through QEMU, slowly or not at all. Uninstall it.`,
        });
      } else {
        if (!hasFlag(entry, 'F')) issues.push({ code: 'NO_FIX_BINARY', severity: 'error', message: NO_F });
        if (!hasFlag(entry, 'P')) issues.push({ code: 'NO_PRESERVE_ARGV0', severity: 'warning', message: NO_P });
      }
    } else {
      state = compatNative ? 'native' : 'unavailable';
      if (entry && !entry.enabled) {
        issues.push({ code: 'DISABLED', severity: 'warning', message: `${entry.name} is registered but disabled (echo 1 > /proc/sys/fs/binfmt_misc/${entry.name} enables it).` });
      }
      if (entry && !binfmtEnabled) {
        issues.push({ code: 'BINFMT_DISABLED', severity: 'warning', message: 'binfmt_misc is switched off on the Docker host (echo 1 > /proc/sys/fs/binfmt_misc/status).' });
      }
      if (state === 'native' && uncertain.includes(architecture)) {
        issues.push({
          code: 'NATIVE_UNCERTAIN',
          severity: 'info',
          message: 'Runs natively only if the CPU can execute 32-bit ARM code (many arm64 server CPUs and Apple silicon cannot): press Test to be sure, and install the emulator if it fails.',
        });
      }
    }
    return {
      architecture,
      platform: platformOf(architecture),
      state,
      ...(entry ? { entry } : {}),
      issues,
      installerName: installerNameOf(architecture),
      entryName: entry?.name ?? canonicalEntryOf(architecture),
      sharedWith: sharingEmulator(architecture),
    };
  });
  return { binfmtEnabled, rows, otherQemu, nonQemu };
}

/** Architectures that run on the host now (natively or through an enabled emulator with F). */
export function runnableArchitectures(table: EmulatorTable): EmulatorArchitecture[] {
  return table.rows
    .filter((r) => r.state === 'native' || (r.state === 'emulated' && !r.issues.some((i) => i.code === 'NO_FIX_BINARY')))
    .map((r) => r.architecture);
}
