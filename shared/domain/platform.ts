import { archOfWord, nativePlatformsOf, rowOf } from './arch/lookup';

/**
 * Platforms as Docker spells them (`linux/arm/v7`) and the machine names the kernel reports
 * (`armv7l`). One place for the mapping, used by the engine, emulators, builders, builds and results.
 */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** Normalises an architecture as reported by `uname -m`, Go or Debian into Docker's spelling. */
export function normalizeArch(raw: string): { architecture: string; variant?: string } {
  return archOfWord(raw) ?? { architecture: raw.trim().toLowerCase() };
}

/** Parses `linux/arm64`, `linux/arm/v7`, `arm64` (os defaults to linux). Returns undefined when malformed. */
export function parsePlatform(text: string): Platform | undefined {
  const parts = text.trim().toLowerCase().split('/');
  // Each part starts with a letter or digit and is short: a platform lands in argv (`--platform`).
  if (parts.some((p) => !/^[a-z0-9][a-z0-9_.-]{0,31}$/.test(p))) return undefined;
  if (parts.length === 1) {
    const arch = normalizeArch(parts[0] ?? '');
    return { os: 'linux', ...arch };
  }
  if (parts.length > 3) return undefined;
  const [os = '', architecture = '', variant] = parts;
  const arch = normalizeArch(architecture);
  const platform: Platform = { os, architecture: arch.architecture };
  const v = variant ?? arch.variant;
  // arm64's only variant is v8, which Docker omits; keep it out so `linux/arm64/v8` equals `linux/arm64`.
  if (v && !(arch.architecture === 'arm64' && v === 'v8')) platform.variant = v;
  return platform;
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** Canonical string form, or the input unchanged when it cannot be parsed. */
export function normalizePlatform(text: string): string {
  const p = parsePlatform(text);
  return p ? formatPlatform(p) : text.trim();
}

/** The table row of a platform string, with its micro-architecture level. */
function rowOfPlatform(text: string): ReturnType<typeof rowOf> {
  const p = parsePlatform(text);
  return p && p.os === 'linux' ? rowOf(p.architecture, p.variant) : undefined;
}

/** Platforms a CPU of `native` runs without an emulator (32-bit modes and micro-architecture levels included). */
export function nativelyRuns(native: string): string[] {
  const p = normalizePlatform(native);
  const found = rowOfPlatform(p);
  if (!found) return [p];
  const all = nativePlatformsOf(found.row);
  return all.includes(p) ? all : [p, ...all];
}

/** The native platform of an engine from its `/info` (OSType + Architecture, Go or uname spelling). */
export function nativePlatform(osType: string, architecture: string): string {
  const arch = normalizeArch(architecture);
  return formatPlatform({ os: osType.toLowerCase() || 'linux', ...arch });
}

/** What `uname -m` may print inside a container of that platform (the table's `containerMachines`). */
export function expectedMachines(platform: string): string[] {
  return [...(rowOfPlatform(platform)?.row.containerMachines ?? [])];
}
