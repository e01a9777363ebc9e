import { normalizePlatform, parsePlatform } from '../platform';

export interface PlatformList {
  /** Normalised, de-duplicated, in the order given. */
  platforms: string[];
  /** Entries marked with `*` (platforms the user configured for the node). */
  preferred: string[];
}

/**
 * Parses a platform list as buildx prints it: `linux/amd64, linux/arm64*, linux/arm/v7`.
 * Anything that is not a platform (a truncation marker such as `(+3)`) is left out.
 */
export function parsePlatformList(text: string): PlatformList {
  const platforms: string[] = [];
  const preferred: string[] = [];
  for (const raw of text.split(/[,\s]+/)) {
    const entry = raw.trim();
    if (!entry) continue;
    const star = entry.endsWith('*');
    const bare = star ? entry.slice(0, -1) : entry;
    if (!bare.includes('/') || !parsePlatform(bare)) continue;
    const platform = normalizePlatform(bare);
    if (!platforms.includes(platform)) platforms.push(platform);
    if (star && !preferred.includes(platform)) preferred.push(platform);
  }
  return { platforms, preferred };
}

/** Normalises and de-duplicates a JSON platform array, keeping order. */
export function normalizePlatforms(list: readonly string[]): string[] {
  const out: string[] = [];
  for (const entry of list) {
    if (!parsePlatform(entry)) continue;
    const platform = normalizePlatform(entry);
    if (!out.includes(platform)) out.push(platform);
  }
  return out;
}
