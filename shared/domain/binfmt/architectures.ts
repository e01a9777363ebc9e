import { archRow, COMMON_ARCH_IDS, isArchId, archOfWord, nativePlatformsOf, rowOf, rowsOfElf, rowsOfInstallerName, rowsOfQemuTarget, type ArchRow, type CommonArchId } from '../arch';

/**
 * The architectures the Emulators page shows (the architecture table's common rows), and how each
 * maps to the installer's name (tonistiigi/binfmt `--install` keys) and to the binfmt_misc entry
 * that installer registers.
 */
export const EMULATOR_ARCHITECTURES: readonly CommonArchId[] = COMMON_ARCH_IDS;

export type EmulatorArchitecture = CommonArchId;

export const isEmulatorArchitecture = (value: string): value is EmulatorArchitecture =>
  (EMULATOR_ARCHITECTURES as readonly string[]).includes(value);

const onPage = (rows: readonly ArchRow[]): EmulatorArchitecture[] => rows.map((r) => r.id).filter(isEmulatorArchitecture);

/** The name `binfmt --install` takes (its `configs` key; `linux/arm/v7` and `linux/arm/v6` are both `arm`). */
export const installerNameOf = (arch: EmulatorArchitecture): string => archRow(arch).qemu.installer ?? arch;
/** The entry the installer registers: `qemu-<QEMU target>`. */
export const canonicalEntryOf = (arch: EmulatorArchitecture): string => `qemu-${archRow(arch).qemu.target}`;
export const platformOf = (arch: EmulatorArchitecture): string => `linux/${arch}`;

/** Architectures served by the same emulator (arm/v7 and arm/v6 both run through qemu-arm). */
export function sharingEmulator(arch: EmulatorArchitecture): EmulatorArchitecture[] {
  const name = installerNameOf(arch);
  return EMULATOR_ARCHITECTURES.filter((a) => a !== arch && installerNameOf(a) === name);
}

/** `--install` list: installer names, each once, in table order. */
export function installerList(archs: readonly EmulatorArchitecture[]): string[] {
  const names: string[] = [];
  for (const a of EMULATOR_ARCHITECTURES) {
    if (archs.includes(a) && !names.includes(installerNameOf(a))) names.push(installerNameOf(a));
  }
  return names;
}

/** Table architectures whose installer name is `name` (`arm` → arm/v7 and arm/v6; `linux/arm64`, `aarch64` → arm64). */
export function architecturesOfInstallerName(name: string): EmulatorArchitecture[] {
  const key = name.replace(/^linux\//, '').split('/')[0] ?? '';
  const direct = rowsOfInstallerName(key);
  if (direct.length > 0) return onPage(direct);
  // Another spelling of the architecture (`aarch64`, `armhf`): the installer name of its row.
  const word = archOfWord(key);
  const row = word ? rowOf(word.architecture, word.variant)?.row : undefined;
  return row?.qemu.installer ? onPage(rowsOfInstallerName(row.qemu.installer)) : [];
}

/** Decodes the ELF header an entry's magic matches (hex as /proc shows it); undefined when it is not an ELF magic. */
export function elfOfMagic(magicHex: string | undefined): { elfClass: number; littleEndian: boolean; machine: number } | undefined {
  if (!magicHex || !/^[0-9a-f]+$/i.test(magicHex) || magicHex.length < 40) return undefined;
  const byte = (i: number) => Number.parseInt(magicHex.slice(i * 2, i * 2 + 2), 16);
  if (magicHex.slice(0, 8).toLowerCase() !== '7f454c46') return undefined;
  const elfClass = byte(4);
  const littleEndian = byte(5) === 1;
  const machine = littleEndian ? byte(18) | (byte(19) << 8) : (byte(18) << 8) | byte(19);
  return { elfClass, littleEndian, machine };
}

/**
 * Which table architectures an entry emulates: by the ELF header its magic matches when it has
 * one at offset 0, else by the usual `qemu-<target>[-static]` name. Empty for anything else.
 */
export function architecturesOfEntry(entry: { name: string; magic?: string; offset?: number }): EmulatorArchitecture[] {
  const elf = (entry.offset ?? 0) === 0 ? elfOfMagic(entry.magic) : undefined;
  // The magic is what the kernel really matches, so it identifies the architecture even under an unusual entry name.
  if (elf) {
    const bits = elf.elfClass === 1 ? 32 : elf.elfClass === 2 ? 64 : undefined;
    return bits ? onPage(rowsOfElf({ bits, endian: elf.littleEndian ? 'little' : 'big', machine: elf.machine })) : [];
  }
  const target = /^qemu-(.+?)(?:-static)?$/.exec(entry.name)?.[1];
  return target ? onPage(rowsOfQemuTarget(target)) : [];
}

/**
 * The architectures a host of this native architecture runs without an emulator. 32-bit code of the
 * same family runs natively on most 64-bit kernels; for 32-bit ARM on arm64 that depends on the CPU
 * (many arm64 server CPUs and Apple silicon cannot), which `uncertain` marks.
 */
export function nativeArchitectures(nativeArch: string): { native: EmulatorArchitecture[]; uncertain: EmulatorArchitecture[] } {
  const row = hostRow(nativeArch);
  if (!row) return { native: [], uncertain: [] };
  const native = nativePlatformsOf(row)
    .map((p) => p.replace(/^linux\//, ''))
    .filter(isEmulatorArchitecture);
  return { native, uncertain: onPage((row.runsIfCpuAllows ?? []).map(archRow)) };
}

/** The table row of an engine's native architecture (`arm` is arm/v7, as containerd normalises it). */
function hostRow(nativeArch: string): ArchRow | undefined {
  if (isArchId(nativeArch)) return archRow(nativeArch);
  const [architecture = '', variant] = nativeArch.split('/');
  return rowOf(architecture, variant)?.row;
}

/** The architecture the host itself is (not its 32-bit companions): `arm` → arm/v7. */
export const primaryNative = (nativeArch: string): string => hostRow(nativeArch)?.id ?? nativeArch;
