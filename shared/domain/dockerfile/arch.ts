/**
 * Architecture spellings as they show up in download URLs, package names and toolchain triples,
 * and the expressions that derive an architecture at build time (platform args, uname, dpkg).
 * The spellings themselves come from the architecture table.
 */
import { rowOf, rowsSpelled, spellingsOf, type SpellingScheme } from '../arch';

/** Which naming scheme a spelling belongs to: it decides the mapping suggested from TARGETARCH. */
export type ArchFamily = 'docker' | 'gnu' | 'gnu-dash' | 'debian' | 'node';

export interface ArchWord {
  word: string;
  /** Docker platform (`amd64`, `arm/v7`). */
  canonical: string;
  family: ArchFamily;
}

// Which scheme of the architecture table a word is read in first, and the family that makes of it.
const FAMILY_OF_SCHEME: ReadonlyArray<[SpellingScheme, ArchFamily]> = [
  ['docker', 'docker'],
  ['debian', 'debian'],
  ['uname', 'gnu'],
  ['node', 'node'],
  ['alpine', 'gnu'],
  ['other', 'gnu'],
  ['gnu-cpu', 'gnu-dash'],
];

// The spellings distinctive enough to flag in a Dockerfile: `arm`, `x86` or `mips64` alone name
// too many other things. What each means comes from the architecture table.
const FLAGGED_WORDS = [
  'x86_64', 'x86-64', 'amd64', 'x64', 'aarch64', 'arm64', 'armhf', 'armel', 'armv7l', 'armv7', 'armv6l', 'armv6',
  'i386', 'i686', 'ppc64le', 'ppc64el', 's390x', 'riscv64', 'mips64le', 'mips64el', 'loongarch64', 'loong64',
];

function spellingOfWord(word: string): ArchWord {
  for (const [scheme, family] of FAMILY_OF_SCHEME) {
    const row = rowsSpelled(scheme, word)[0];
    if (row) return { word, canonical: row.id, family };
  }
  throw new Error(`the architecture table does not know "${word}"`);
}

const SPELLINGS: ArchWord[] = FLAGGED_WORDS.map(spellingOfWord);

const BY_WORD = new Map(SPELLINGS.map((s) => [s.word, s]));

// Longest first so `armv7l` wins over `armv7`. Neighbours must not be letters or digits, so
// `arm64v8` (an image namespace) and `0x64` do not match, while `linux_amd64` and `tool-x64` do.
// `386` alone is too common a number: only count it after `linux-`, `linux_` or `linux/`.
const ARCH_RE = new RegExp(
  `(?<![A-Za-z0-9])(${[...SPELLINGS]
    .map((s) => s.word)
    .sort((a, b) => b.length - a.length)
    .join('|')})(?![A-Za-z0-9])|(?<=linux[-_/])386(?![0-9])`,
  'gi',
);

export interface ArchMatch extends ArchWord {
  /** Offset of the match in the scanned text. */
  index: number;
  /** Text as written (case kept). */
  text: string;
}

export function findArchWords(text: string): ArchMatch[] {
  const out: ArchMatch[] = [];
  for (const m of text.matchAll(ARCH_RE)) {
    const raw = m[0];
    const spelling = raw === '386' ? { word: '386', canonical: '386', family: 'docker' as const } : BY_WORD.get(raw.toLowerCase());
    if (spelling) out.push({ ...spelling, index: m.index, text: raw });
  }
  return out;
}

/** Distinct Docker architectures named in a text: two or more means deliberate multi-arch handling. */
export function distinctArches(text: string): Set<string> {
  return new Set(findArchWords(text).map((m) => m.canonical));
}

/** Args whose value is an architecture or platform chosen by the build, not by the author. */
export const PLATFORM_ARCH_ARGS = new Set([
  'TARGETPLATFORM',
  'TARGETARCH',
  'TARGETVARIANT',
  'BUILDPLATFORM',
  'BUILDARCH',
  'BUILDVARIANT',
  'HOSTTYPE',
  'MACHTYPE',
]);

// Commands that report the running or target architecture. Under emulation `uname -m` reports the
// emulated machine, so branching on it is as architecture-independent as branching on TARGETARCH.
const RUNTIME_ARCH_RE =
  /\buname\b[^;&|\n)]*\s-[a-z]*[mpi]|\$\(\s*arch\s*\)|`\s*arch\s*`|--print-arch|\bdpkg-architecture\b|\bgo\s+env\b[^;&|\n]*\bGOARCH\b|\bxx-info\b|\brpm\s+--eval\b|\bgetconf\s+LONG_BIT\b|\bnode\s+-p\s+["']?process\.arch/;

const VAR_REF_RE = /\$\{?#?([A-Za-z_][A-Za-z0-9_]*)/g;

/** Names of the variables a text references (`$A`, `${A}`, `${A:-x}`). */
export function referencedVariables(text: string): string[] {
  return [...text.matchAll(VAR_REF_RE)].map((m) => m[1] ?? '');
}

/**
 * Does the text derive an architecture from the build (a platform arg, a variable assigned from
 * one, or a command that asks the machine)? `derived` holds variable names known to carry one.
 */
export function isArchSource(text: string, derived: ReadonlySet<string>): boolean {
  for (const name of referencedVariables(text)) {
    if (PLATFORM_ARCH_ARGS.has(name) || derived.has(name)) return true;
  }
  return RUNTIME_ARCH_RE.test(text);
}

// The TARGETARCH values the mapping snippets cover, and how each family spells them (from the table).
const MAPPED_ARCHES = ['amd64', 'arm64', 'arm', 'ppc64le', 's390x', 'riscv64'];

function familySpelling(family: ArchFamily, targetArch: string): string | undefined {
  const row = rowOf(targetArch)?.row;
  if (!row) return undefined;
  if (family === 'docker') return row.architecture;
  const scheme: SpellingScheme = family === 'gnu' ? 'uname' : family === 'gnu-dash' ? 'gnu-cpu' : family;
  return spellingsOf(row, scheme)[0];
}

function familyTable(family: ArchFamily): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of MAPPED_ARCHES) {
    const word = familySpelling(family, a);
    if (word) out[a] = word;
  }
  return out;
}

const FAMILY_SPELLING: Record<ArchFamily, Record<string, string>> = {
  docker: familyTable('docker'),
  gnu: familyTable('gnu'),
  'gnu-dash': familyTable('gnu-dash'),
  debian: familyTable('debian'),
  node: familyTable('node'),
};

/** Docker architecture (TARGETARCH value) of a canonical platform part: `arm/v7` → `arm`. */
function targetArchOf(canonical: string): string {
  return canonical.split('/')[0] ?? canonical;
}

/**
 * The `case` mapping from TARGETARCH to a family's spelling, as shell lines (no continuations).
 * Always covers amd64 and arm64, plus whatever the Dockerfile named.
 */
export function caseMappingLines(family: ArchFamily, canonicals: string[], variable = 'ARCH'): string[] {
  const spelling = FAMILY_SPELLING[family];
  const wanted = ['amd64', 'arm64', ...canonicals.map(targetArchOf)];
  const arches = [...new Set(wanted)].filter((a) => spelling[a] !== undefined);
  const width = Math.max(...arches.map((a) => a.length));
  return [
    'case "${TARGETARCH}" in',
    ...arches.map((a) => `  ${(a + ')').padEnd(width + 1)} ${variable}=${spelling[a]} ;;`),
    `  ${'*)'.padEnd(width + 1)} echo "unsupported architecture: \${TARGETARCH}" >&2; exit 1 ;;`,
    'esac',
  ];
}

