/**
 * What the binary check asks of the architecture table, and nothing more: which ELF identity a
 * platform's binaries carry, and which platforms an ELF identity belongs to. The facts themselves
 * live in the one architecture table (`shared/domain/arch`).
 */
import { platformOfRow, rowOf, rowsOfElf } from '../arch';
import { parsePlatform } from '../platform';
import type { ElfIdentity } from './elf';

/** The ELF identity of a platform's binaries; undefined for a platform the table does not know (nothing to compare). */
export function expectedElf(platform: string): ElfIdentity | undefined {
  const p = parsePlatform(platform);
  // Micro-architecture levels (amd64/v2) share their row's identity; `arm` alone is arm/v7.
  const row = p && p.os === 'linux' ? rowOf(p.architecture, p.variant)?.row : undefined;
  return row ? { elfClass: row.elf.bits === 64 ? 2 : 1, littleEndian: row.elf.endian === 'little', machine: row.elf.machine } : undefined;
}

/** `linux/amd64` for an x86-64 identity; arm/v7, v6 and v5 share one; empty when no platform of the table matches. */
export function platformsOfElf(elf: ElfIdentity): string[] {
  if (elf.elfClass !== 1 && elf.elfClass !== 2) return [];
  return rowsOfElf({ bits: elf.elfClass === 2 ? 64 : 32, endian: elf.littleEndian ? 'little' : 'big', machine: elf.machine }).map((r) => platformOfRow(r));
}
