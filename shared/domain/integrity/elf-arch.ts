/**
 * What the binary check asks of the architecture table, and nothing more: which ELF identity a
 * platform's binaries carry, and which platforms an ELF identity belongs to. The facts themselves
 * live in the one architecture table (today `binfmt/architectures.ts`).
 */
import { architecturesOfElf, elfIdentityOf, isEmulatorArchitecture } from '../binfmt/architectures';
import { parsePlatform } from '../platform';
import type { ElfIdentity } from './elf';

/** `linux/arm/v7` → `arm/v7`; a variant the table does not list (amd64/v2, arm/v5) falls back to its architecture's row. */
function tableArchitecture(platform: string): Parameters<typeof elfIdentityOf>[0] | undefined {
  const p = parsePlatform(platform);
  if (!p || p.os !== 'linux') return undefined;
  const exact = p.variant ? `${p.architecture}/${p.variant}` : p.architecture;
  if (isEmulatorArchitecture(exact)) return exact;
  if (isEmulatorArchitecture(p.architecture)) return p.architecture;
  if (p.architecture === 'arm') return 'arm/v7';
  return undefined;
}

/** The ELF identity of a platform's binaries; undefined for a platform the table does not know (nothing to compare). */
export function expectedElf(platform: string): ElfIdentity | undefined {
  const arch = tableArchitecture(platform);
  return arch ? elfIdentityOf(arch) : undefined;
}

/** `linux/amd64` for an x86-64 identity; `linux/arm/v7` and `linux/arm/v6` share one; empty when no platform of the table matches. */
export function platformsOfElf(elf: ElfIdentity): string[] {
  return architecturesOfElf(elf).map((a) => `linux/${a}`);
}
