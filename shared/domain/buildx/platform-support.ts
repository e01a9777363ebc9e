import { nativelyRuns, normalizePlatform, parsePlatform } from '../platform';

/** How a node builds a platform. */
export type PlatformSupport = 'native' | 'emulated' | 'unavailable';

/**
 * What the Emulators domain knows about the engine host, by platform (`linux/arm/v7`) or
 * architecture (`arm64`): natively, through a registered emulator, or not at all.
 */
export type EmulatorFacts = Readonly<Record<string, PlatformSupport>>;

export interface PlatformEntry {
  platform: string;
  support: PlatformSupport;
  /** False when the node's own list leaves it out and the entry comes from the emulators' status. */
  listed: boolean;
  /** Why the entry is what it is, when that is not obvious. */
  note?: string;
}

export interface ClassifyInput {
  driver: string;
  /** The node's platforms as buildx reports them (empty until the node has started). */
  reported: readonly string[];
  /** Platforms the user pinned with `--platform` (buildx lists them first). */
  preferred?: readonly string[];
  /** True when the node runs on the app's engine host (so that host's emulators apply). */
  local: boolean;
  /** The engine's native platform, e.g. `linux/amd64`. */
  enginePlatform: string;
  running: boolean;
  /** The Emulators domain's view of the engine host; absent when not known. */
  emulators?: EmulatorFacts;
}

export interface Classification {
  platforms: PlatformEntry[];
  /** Something the user should know about this node's list. */
  notes: string[];
  /** An emulator is registered that this running node does not list yet. */
  restartSuggested: boolean;
}

/** BuildKit's docker-driver worker drops these when an earlier entry "matches" them (amd64 → 386, arm64 → arm/v7, arm/v6). */
export const DOCKER_DRIVER_UNDER_REPORTED = ['linux/386', 'linux/arm/v7', 'linux/arm/v6'] as const;

/** Looks a platform up in the emulators' facts by platform, then by architecture. */
function emulatorSupport(facts: EmulatorFacts | undefined, platform: string): PlatformSupport | undefined {
  if (!facts) return undefined;
  const wanted = parsePlatform(platform);
  if (!wanted) return undefined;
  let byArch: PlatformSupport | undefined;
  for (const [key, support] of Object.entries(facts)) {
    const p = parsePlatform(key);
    if (!p || p.os !== wanted.os || p.architecture !== wanted.architecture) continue;
    if ((p.variant ?? '') === (wanted.variant ?? '')) return support;
    // `linux/amd64` speaks for `linux/amd64/v2` and `arm` for every arm variant.
    if (!p.variant) byArch = support;
  }
  return byArch;
}

const ORDER: Record<PlatformSupport, number> = { native: 0, emulated: 1, unavailable: 2 };

/**
 * Says, per platform, whether a node builds it natively, under an emulator, or not at all.
 * A node's native platform is the engine's when it runs on the engine host; otherwise the first
 * platform BuildKit lists that the user did not pin (BuildKit lists its own platform first).
 */
export function classifyPlatforms(input: ClassifyInput): Classification {
  const reported = input.reported.map(normalizePlatform);
  const preferred = new Set((input.preferred ?? []).map(normalizePlatform));
  const nativePlatform = input.local ? normalizePlatform(input.enginePlatform) : reported.find((p) => !preferred.has(p));
  const native = new Set(nativePlatform ? nativelyRuns(nativePlatform) : []);
  const facts = input.local ? input.emulators : undefined;
  const notes: string[] = [];
  let restartSuggested = false;

  const entries: PlatformEntry[] = reported.map((platform) => {
    const known = emulatorSupport(facts, platform);
    if (known === 'unavailable' && !native.has(platform)) {
      return {
        platform,
        support: 'unavailable',
        listed: true,
        note: 'Listed by the builder, but its emulator is no longer registered: restart the builder to refresh its list.',
      };
    }
    if (known) return { platform, support: known, listed: true };
    return { platform, support: native.has(platform) ? 'native' : 'emulated', listed: true };
  });

  if (input.local && facts) {
    for (const [key, support] of Object.entries(facts)) {
      const p = parsePlatform(key);
      if (!p || support === 'unavailable') continue;
      const platform = normalizePlatform(key);
      if (entries.some((e) => e.platform === platform)) continue;
      // An architecture-wide fact (e.g. `amd64`) is already covered by a listed variant.
      if (!p.variant && entries.some((e) => parsePlatform(e.platform)?.architecture === p.architecture)) continue;
      if (input.driver === 'docker' && (DOCKER_DRIVER_UNDER_REPORTED as readonly string[]).includes(platform)) {
        entries.push({
          platform,
          support,
          listed: false,
          note: 'The docker driver leaves this platform out of its list, but builds for it work.',
        });
      } else if (input.running && reported.length > 0) {
        restartSuggested = true;
        entries.push({
          platform,
          support: 'unavailable',
          listed: false,
          note: 'An emulator is registered, but this builder does not list it yet: restart the builder.',
        });
      }
    }
  }

  if (input.local && !facts && input.driver === 'docker' && reported.length > 0) {
    // 32-bit x86 runs on any amd64 CPU, so that one is certain without asking the emulators.
    if (native.has('linux/386') && !entries.some((e) => e.platform === 'linux/386')) {
      entries.push({ platform: 'linux/386', support: 'native', listed: false, note: 'The docker driver leaves this platform out of its list, but builds for it work.' });
    }
    notes.push(
      'The docker driver leaves linux/386, linux/arm/v7 and linux/arm/v6 out of its list even when they build; the Emulators page says which emulators are registered.',
    );
  }
  if (reported.length === 0 && !input.running) notes.push('Start (bootstrap) the builder to see its platforms.');
  if (!input.local && nativePlatform) notes.push(`This node runs on another machine; its native platform appears to be ${nativePlatform}.`);

  entries.sort((a, b) => ORDER[a.support] - ORDER[b.support]);
  return { platforms: entries, notes, restartSuggested };
}

/** Platforms at least one node can build (native or emulated), in node order. */
export function usablePlatforms(nodes: readonly (readonly PlatformEntry[])[]): string[] {
  const out: string[] = [];
  for (const entries of nodes) {
    for (const entry of entries) if (entry.support !== 'unavailable' && !out.includes(entry.platform)) out.push(entry.platform);
  }
  return out;
}

/** The Emulators domain's rows as classifier facts: platform → native / emulated / unavailable. */
export function emulatorFactsFromRows(rows: readonly { platform: string; state: PlatformSupport }[]): EmulatorFacts {
  const facts: Record<string, PlatformSupport> = {};
  for (const row of rows) facts[row.platform] = row.state;
  return facts;
}
