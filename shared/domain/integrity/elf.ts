/**
 * The few bytes of a file's header the binary check reads: the ELF identity (class, byte order,
 * e_machine, e_type) and a script's `#!` interpreter. Nothing else of a file is ever read.
 */

/** Bytes of a file's start that are enough for both checks (a `#!` line is at most 256 bytes on Linux). */
export const HEADER_BYTES = 256;

export interface ElfIdentity {
  /** 1: 32-bit, 2: 64-bit. */
  elfClass: number;
  littleEndian: boolean;
  /** e_machine. */
  machine: number;
}

export interface ElfHeader extends ElfIdentity {
  /** e_type: 1 relocatable, 2 executable, 3 shared object / PIE, 4 core. */
  type: number;
}

/** e_type values of files the kernel or the dynamic loader runs: executables and shared objects. */
export const isLoadable = (header: ElfHeader): boolean => header.type === 2 || header.type === 3;

/** The ELF header of a file's first bytes, or undefined when it is not an ELF file. */
export function readElfHeader(bytes: Uint8Array): ElfHeader | undefined {
  if (bytes.length < 20 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) return undefined;
  const elfClass = bytes[4]!;
  const data = bytes[5]!;
  if ((elfClass !== 1 && elfClass !== 2) || (data !== 1 && data !== 2)) return undefined;
  const littleEndian = data === 1;
  const half = (at: number) => (littleEndian ? bytes[at]! | (bytes[at + 1]! << 8) : (bytes[at]! << 8) | bytes[at + 1]!);
  return { elfClass, littleEndian, type: half(16), machine: half(18) };
}

/** e_machine names as `file` and readelf print them (the ones a container image is likely to hold). */
const MACHINE_NAMES: Record<number, string> = {
  0x02: 'SPARC',
  0x03: 'Intel 80386',
  0x08: 'MIPS',
  0x14: 'PowerPC',
  0x15: 'PowerPC64',
  0x16: 'IBM S/390',
  0x28: 'ARM',
  0x2b: 'SPARC V9',
  0x32: 'IA-64',
  0x3e: 'x86-64',
  0xb7: 'AArch64',
  0xf3: 'RISC-V',
  0x102: 'LoongArch',
};

/** `x86-64, 64-bit LSB` */
export function describeElf(elf: ElfIdentity): string {
  const name = MACHINE_NAMES[elf.machine] ?? `e_machine 0x${elf.machine.toString(16)}`;
  return `${name}, ${elf.elfClass === 2 ? '64' : '32'}-bit ${elf.littleEndian ? 'LSB' : 'MSB'}`;
}

export const sameElf = (a: ElfIdentity, b: ElfIdentity): boolean => a.elfClass === b.elfClass && a.littleEndian === b.littleEndian && a.machine === b.machine;

/**
 * The interpreter of a `#!` script (`/bin/sh`), and for `#!/usr/bin/env prog` the program env
 * looks up. Undefined when the bytes do not start with `#!`.
 */
export function readShebang(bytes: Uint8Array): { interpreter: string; envProgram?: string } | undefined {
  if (bytes.length < 3 || bytes[0] !== 0x23 || bytes[1] !== 0x21) return undefined;
  let end = 2;
  while (end < bytes.length && bytes[end] !== 0x0a) end++;
  // The kernel reads the line as bytes; a path is ASCII in practice, and anything else is kept as latin1.
  let line = '';
  for (let i = 2; i < end; i++) line += String.fromCharCode(bytes[i]!);
  const words = line.trim().split(/[ \t]+/).filter(Boolean);
  const interpreter = words[0];
  if (!interpreter) return undefined;
  if (!/(^|\/)env$/.test(interpreter)) return { interpreter };
  // `env -S prog args`, `env VAR=1 prog`: the first word that is neither an option nor an assignment.
  const program = words.slice(1).find((w) => !w.startsWith('-') && !w.includes('='));
  return program ? { interpreter, envProgram: program } : { interpreter };
}
