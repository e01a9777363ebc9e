import { ARCH_ROWS, type ArchId, type ArchRow, type CommonArchId, type ElfFacts } from './table';

/** The naming schemes of the table, in the order a word is looked up in them. */
export const SPELLING_SCHEMES = ['docker', 'uname', 'debian', 'alpine', 'node', 'other', 'gnu-cpu', 'gnu', 'rust'] as const;
export type SpellingScheme = (typeof SPELLING_SCHEMES)[number];

const BY_ID = new Map<string, ArchRow>(ARCH_ROWS.map((r) => [r.id, r]));

export function archRow(id: ArchId): ArchRow {
  const row = BY_ID.get(id);
  if (!row) throw new Error(`no architecture row ${id}`);
  return row;
}

export const isArchId = (value: string): value is ArchId => BY_ID.has(value);

/** Rows the Emulators page lists and the Build form always offers, in table order. */
export const COMMON_ARCH_IDS = ARCH_ROWS.filter((r) => r.common).map((r) => r.id) as readonly CommonArchId[];

/** `linux/<id>` of the common rows. */
export const COMMON_PLATFORMS: readonly string[] = COMMON_ARCH_IDS.map((id) => `linux/${id}`);

/** The CPU part of a GNU triplet, as Debian names cross-compiler packages (`gcc-x86-64-linux-gnu`). */
const gnuCpu = (row: ArchRow): string => (row.gnu.split('-')[0] ?? '').replace(/_/g, '-');

/** How a row is spelled in a scheme (several words for uname: the first is the usual one). */
export function spellingsOf(row: ArchRow, scheme: SpellingScheme): string[] {
  switch (scheme) {
    case 'docker':
      return [row.id];
    case 'uname':
      return [...row.uname];
    case 'debian':
      return row.debian ? [row.debian] : [];
    case 'alpine':
      return row.alpine ? [row.alpine] : [];
    case 'node':
      return row.node ? [row.node] : [];
    case 'other':
      return [...(row.other ?? [])];
    case 'gnu-cpu':
      return [gnuCpu(row)];
    case 'gnu':
      return [row.gnu];
    case 'rust':
      return [row.rust];
  }
}

/** Rows a scheme spells this way (more than one for shared names such as Debian's armel). */
export function rowsSpelled(scheme: SpellingScheme, word: string): ArchRow[] {
  const key = word.trim().toLowerCase();
  return ARCH_ROWS.filter((r) => spellingsOf(r, scheme).includes(key));
}

/** Docker's architecture of a row plus its variant, as a platform names them. */
export interface ArchName {
  architecture: string;
  variant?: string;
}

const nameOf = (row: ArchRow): ArchName => (row.variant ? { architecture: row.architecture, variant: row.variant } : { architecture: row.architecture });

const DOCKER_ARCHITECTURES = new Set<string>(ARCH_ROWS.map((r) => r.architecture));

// Word → Docker name. A Docker architecture stands for itself (`arm` keeps no variant); any other
// word goes to the first row of the first scheme that spells it so, in SPELLING_SCHEMES order.
const WORDS = new Map<string, ArchName>();
for (const scheme of SPELLING_SCHEMES) {
  if (scheme === 'gnu' || scheme === 'rust') continue;
  for (const row of ARCH_ROWS) {
    for (const word of spellingsOf(row, scheme)) {
      if (!WORDS.has(word) && !DOCKER_ARCHITECTURES.has(word)) WORDS.set(word, nameOf(row));
    }
  }
}

/**
 * Docker's name for an architecture word as uname, Debian, Alpine, Node.js or a GNU triplet's CPU
 * part spell it (`aarch64` → arm64, `armhf` → arm/v7, `x86` → 386); a Docker architecture is
 * returned as it is. Undefined for words the table does not know.
 */
export function archOfWord(word: string): ArchName | undefined {
  const key = word.trim().toLowerCase();
  if (DOCKER_ARCHITECTURES.has(key)) return { architecture: key };
  const hit = WORDS.get(key);
  return hit ? { ...hit } : undefined;
}

/**
 * The row of a Docker architecture and variant, and the micro-architecture level when the variant
 * is one (`amd64`, `v3`). `arm` without a variant is arm/v7 and `amd64/v1` is amd64, as containerd
 * normalises them; arm64's only variant, v8, is the row itself.
 */
export function rowOf(architecture: string, variant?: string): { row: ArchRow; level?: string } | undefined {
  const v = variant || undefined;
  for (const row of ARCH_ROWS) {
    if (row.architecture !== architecture) continue;
    if (row.variant) {
      if ((v ?? 'v7') === row.variant) return { row };
      continue;
    }
    if (v === undefined || (row.id === 'arm64' && v === 'v8') || (row.id === 'amd64' && v === 'v1')) return { row };
    if (row.levels?.includes(v)) return { row, level: v };
  }
  return undefined;
}

/** `linux/<id>[/<level>]`. */
export const platformOfRow = (row: ArchRow, level?: string): string => `linux/${row.id}${level ? `/${level}` : ''}`;

/** Every platform a CPU of this row runs without an emulator: itself, its levels, its 32-bit modes. */
export function nativePlatformsOf(row: ArchRow): string[] {
  return [platformOfRow(row), ...(row.levels ?? []).map((l) => platformOfRow(row, l)), ...row.runs.map((id) => platformOfRow(archRow(id)))];
}

/** Rows whose ELF header this is (several rows share one: arm/v7, v6 and v5). */
export function rowsOfElf(elf: Pick<ElfFacts, 'bits' | 'endian' | 'machine'>): ArchRow[] {
  return ARCH_ROWS.filter((r) => r.elf.bits === elf.bits && r.elf.endian === elf.endian && r.elf.machine === elf.machine);
}

/** The row of a Docker Official Images per-architecture namespace on Docker Hub (`arm64v8` → arm64). */
export function rowOfOfficialNamespace(namespace: string): ArchRow | undefined {
  return ARCH_ROWS.find((r) => r.officialNamespaces?.includes(namespace));
}

/** Rows a QEMU linux-user target (`qemu-<target>`) emulates. */
export function rowsOfQemuTarget(target: string): ArchRow[] {
  return ARCH_ROWS.filter((r) => r.qemu.target === target || (r.qemu.aliases ?? []).includes(target));
}

/** Rows an installer name covers (`arm` → arm/v7, arm/v6 and arm/v5). */
export function rowsOfInstallerName(name: string): ArchRow[] {
  return ARCH_ROWS.filter((r) => r.qemu.installer === name);
}
