import { normalizePlatform, parsePlatform } from '../platform';

export interface PlatformList {
  /** Normalised, de-duplicated, in the order given. */
  platforms: string[];
  /** Entries marked with `*` (platforms the user configured for the node). */
  preferred: string[];
  /** The list was shortened (the `ls` table of newer buildx, without `--no-trunc`): `platforms` is not all of them. */
  truncated?: true;
}

/**
 * Parses a platform list as buildx prints it: `linux/amd64, linux/arm64*, linux/arm/v7`.
 * The `ls` table of newer buildx (0.29.1 here; 0.13.1 printed whole lists) shortens long ones: `linux/amd64 (+4)`
 * stands for four platforms of that OS/architecture (which ones is not said), `(4 more)` for four others. Those are
 * left out and the list is marked truncated, rather than guessing members (`linux/arm (+2)` is arm/v7 and arm/v6,
 * neither of them "linux/arm").
 */
export function parsePlatformList(text: string): PlatformList {
  const platforms: string[] = [];
  const preferred: string[] = [];
  let truncated = false;
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (!item) continue;
    if (/^\(\d+ more\)$/.test(item) || /(^|\s)\(\+\d+\)$/.test(item)) {
      truncated = true;
      continue;
    }
    const entry = item.split(/\s+/)[0]!;
    const star = entry.endsWith('*');
    const bare = star ? entry.slice(0, -1) : entry;
    if (!bare.includes('/') || !parsePlatform(bare)) continue;
    const platform = normalizePlatform(bare);
    if (!platforms.includes(platform)) platforms.push(platform);
    if (star && !preferred.includes(platform)) preferred.push(platform);
  }
  return truncated ? { platforms, preferred, truncated } : { platforms, preferred };
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
