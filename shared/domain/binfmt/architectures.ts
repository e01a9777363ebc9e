/**
 * The architectures the Emulators page shows, and how each maps to the installer's name
 * (tonistiigi/binfmt `--install` keys) and to the binfmt_misc entry that installer registers.
 */
export const EMULATOR_ARCHITECTURES = [
  'amd64',
  'arm64',
  'arm/v7',
  'arm/v6',
  '386',
  'riscv64',
  'ppc64le',
  's390x',
  'mips64le',
  'mips64',
  'loong64',
] as const;

export type EmulatorArchitecture = (typeof EMULATOR_ARCHITECTURES)[number];

export const isEmulatorArchitecture = (value: string): value is EmulatorArchitecture =>
  (EMULATOR_ARCHITECTURES as readonly string[]).includes(value);

interface ArchFacts {
  /** The name `binfmt --install` takes (its `configs` key; `linux/arm/v7` and `linux/arm/v6` are both `arm`). */
  installerName: string;
  /** The entry the installer registers: `qemu-<QEMU target>`. */
  entryName: string;
}

const FACTS: Record<EmulatorArchitecture, ArchFacts> = {
  amd64: { installerName: 'amd64', entryName: 'qemu-x86_64' },
  arm64: { installerName: 'arm64', entryName: 'qemu-aarch64' },
  'arm/v7': { installerName: 'arm', entryName: 'qemu-arm' },
  'arm/v6': { installerName: 'arm', entryName: 'qemu-arm' },
  '386': { installerName: '386', entryName: 'qemu-i386' },
  riscv64: { installerName: 'riscv64', entryName: 'qemu-riscv64' },
  ppc64le: { installerName: 'ppc64le', entryName: 'qemu-ppc64le' },
  s390x: { installerName: 's390x', entryName: 'qemu-s390x' },
  mips64le: { installerName: 'mips64le', entryName: 'qemu-mips64el' },
  mips64: { installerName: 'mips64', entryName: 'qemu-mips64' },
  loong64: { installerName: 'loong64', entryName: 'qemu-loongarch64' },
};

export const installerNameOf = (arch: EmulatorArchitecture): string => FACTS[arch].installerName;
export const canonicalEntryOf = (arch: EmulatorArchitecture): string => FACTS[arch].entryName;
export const platformOf = (arch: EmulatorArchitecture): string => `linux/${arch}`;

/** Architectures served by the same emulator (arm/v7 and arm/v6 both run through qemu-arm). */
export function sharingEmulator(arch: EmulatorArchitecture): EmulatorArchitecture[] {
  const name = FACTS[arch].installerName;
  return EMULATOR_ARCHITECTURES.filter((a) => a !== arch && FACTS[a].installerName === name);
}

/** `--install` list: installer names, each once, in table order. */
export function installerList(archs: readonly EmulatorArchitecture[]): string[] {
  const names: string[] = [];
  for (const a of EMULATOR_ARCHITECTURES) {
    if (archs.includes(a) && !names.includes(FACTS[a].installerName)) names.push(FACTS[a].installerName);
  }
  return names;
}

/** Table architectures whose installer name is `name` (`arm` → arm/v7 and arm/v6; `linux/arm64` → arm64). */
export function architecturesOfInstallerName(name: string): EmulatorArchitecture[] {
  const key = name.replace(/^linux\//, '').split('/')[0] ?? '';
  const aliases: Record<string, string> = { aarch64: 'arm64', x86_64: 'amd64', i386: '386', armhf: 'arm', armel: 'arm' };
  const wanted = aliases[key] ?? key;
  return EMULATOR_ARCHITECTURES.filter((a) => FACTS[a].installerName === wanted);
}

/** QEMU target names (as in `qemu-<target>`) of the table's architectures. */
const QEMU_TARGETS: Record<string, EmulatorArchitecture[]> = {
  x86_64: ['amd64'],
  aarch64: ['arm64'],
  arm: ['arm/v7', 'arm/v6'],
  i386: ['386'],
  i486: ['386'],
  riscv64: ['riscv64'],
  ppc64le: ['ppc64le'],
  s390x: ['s390x'],
  mips64el: ['mips64le'],
  mips64: ['mips64'],
  loongarch64: ['loong64'],
};

/**
 * ELF class / byte order / e_machine of the table's architectures. The magic of an entry is what
 * the kernel really matches, so it identifies the architecture even under an unusual entry name.
 */
const ELF_MACHINES: { elfClass: 1 | 2; littleEndian: boolean; machine: number; archs: EmulatorArchitecture[] }[] = [
  { elfClass: 2, littleEndian: true, machine: 0x3e, archs: ['amd64'] },
  { elfClass: 2, littleEndian: true, machine: 0xb7, archs: ['arm64'] },
  { elfClass: 1, littleEndian: true, machine: 0x28, archs: ['arm/v7', 'arm/v6'] },
  { elfClass: 1, littleEndian: true, machine: 0x03, archs: ['386'] },
  { elfClass: 2, littleEndian: true, machine: 0xf3, archs: ['riscv64'] },
  { elfClass: 2, littleEndian: true, machine: 0x15, archs: ['ppc64le'] },
  { elfClass: 2, littleEndian: false, machine: 0x16, archs: ['s390x'] },
  { elfClass: 2, littleEndian: true, machine: 0x08, archs: ['mips64le'] },
  { elfClass: 2, littleEndian: false, machine: 0x08, archs: ['mips64'] },
  { elfClass: 2, littleEndian: true, machine: 0x102, archs: ['loong64'] },
];

/** ELF class / byte order / machine of an architecture's binaries (the binary check's expectation). */
export function elfIdentityOf(arch: EmulatorArchitecture): { elfClass: 1 | 2; littleEndian: boolean; machine: number } {
  const row = ELF_MACHINES.find((m) => m.archs.includes(arch))!;
  return { elfClass: row.elfClass, littleEndian: row.littleEndian, machine: row.machine };
}

/** The table architectures whose binaries carry this ELF identity (empty for any other machine). */
export function architecturesOfElf(elf: { elfClass: number; littleEndian: boolean; machine: number }): EmulatorArchitecture[] {
  const hit = ELF_MACHINES.find((m) => m.elfClass === elf.elfClass && m.littleEndian === elf.littleEndian && m.machine === elf.machine);
  return hit ? [...hit.archs] : [];
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
  if (elf) return architecturesOfElf(elf);
  const target = /^qemu-(.+?)(?:-static)?$/.exec(entry.name)?.[1];
  return target ? [...(QEMU_TARGETS[target] ?? [])] : [];
}

/**
 * The architectures a host of this native architecture runs without an emulator. 32-bit code of the
 * same family runs natively on most 64-bit kernels; for 32-bit ARM on arm64 that depends on the CPU
 * (many arm64 server CPUs and Apple silicon cannot), which `uncertainNative` marks.
 */
export function nativeArchitectures(nativeArch: string): { native: EmulatorArchitecture[]; uncertain: EmulatorArchitecture[] } {
  switch (nativeArch) {
    case 'amd64':
      return { native: ['amd64', '386'], uncertain: [] };
    case 'arm64':
      return { native: ['arm64', 'arm/v7', 'arm/v6'], uncertain: ['arm/v7', 'arm/v6'] };
    case 'arm':
    case 'arm/v7':
      return { native: ['arm/v7', 'arm/v6'], uncertain: [] };
    case 'arm/v6':
      return { native: ['arm/v6'], uncertain: [] };
    default:
      return { native: isEmulatorArchitecture(nativeArch) ? [nativeArch] : [], uncertain: [] };
  }
}
