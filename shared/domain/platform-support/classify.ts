import { archRow, isArchId } from '../arch';
import { nativelyRuns, normalizePlatform, parsePlatform } from '../platform';
import type { EmulatorFacts, NodePlatforms, PlatformSupport, PlatformVerdict } from './model';

/** A builder node as buildx reports it, and where it runs. */
export interface NodeFacts {
  name: string;
  driver: string;
  /** The node's platforms as buildx reports them (empty until the node has started). */
  reported: readonly string[];
  /** Platforms the user pinned with `--platform` (buildx lists them first). */
  preferred?: readonly string[];
  /** True when the node runs on the app's engine host (so that host's CPU and emulators apply). */
  local: boolean;
  /** The engine's native platform, e.g. `linux/amd64`. */
  enginePlatform: string;
  running: boolean;
  /** buildx's status text (`running`, `inactive`, `stopped`, `error`…), when known. */
  status?: string;
  /** Where buildx reaches the node (named in what to do when it is down). */
  endpoint?: string;
}

const RANK: Record<PlatformSupport, number> = { native: 0, emulated: 1, unavailable: 2 };

const OMITTED_NOTE = 'The docker driver leaves this platform out of its list, but builds for it work.';

/** Looks a platform up in the emulators' facts by platform, then by architecture. */
function emulatorSupport(facts: EmulatorFacts | undefined, platform: string): PlatformSupport | undefined {
  if (!facts) return undefined;
  const wanted = parsePlatform(platform);
  if (!wanted) return undefined;
  let byArch: PlatformSupport | undefined;
  for (const [key, support] of Object.entries(facts)) {
    const p = parsePlatform(key.includes('/') ? key : `linux/${key}`);
    if (!p || p.os !== wanted.os || p.architecture !== wanted.architecture) continue;
    if ((p.variant ?? '') === (wanted.variant ?? '')) return support;
    // `linux/amd64` speaks for `linux/amd64/v2` and `arm` for every arm variant.
    if (!p.variant) byArch = support;
  }
  return byArch;
}

/**
 * Platforms BuildKit's docker-driver worker leaves out of its list although they build: those an
 * earlier listed platform "matches" (platforms.Only), i.e. the 32-bit modes the table says that
 * platform's CPU runs (amd64 → 386, arm64 → arm/v7 and arm/v6), with the listed platform.
 */
function dockerDriverOmissions(listed: readonly string[]): Array<{ platform: string; because: string }> {
  const out: Array<{ platform: string; because: string }> = [];
  for (const because of listed) {
    const id = because.replace(/^linux\//, '');
    if (!isArchId(id)) continue;
    for (const other of archRow(id).runs) {
      const platform = `linux/${other}`;
      if (!listed.includes(platform) && !out.some((o) => o.platform === platform)) out.push({ platform, because });
    }
  }
  return out;
}

/**
 * Is the node down in a way buildx cannot mend? buildx's `driver.Boot` calls the driver's
 * `Bootstrap` for a node that is not running: the docker-container and kubernetes drivers create or
 * start their BuildKit there, but the remote driver's only waits up to 20 s for the daemon to answer
 * (`driver/remote/driver.go`, buildx 0.13.1 and 0.29.1), so a remote node that is not running stays
 * down. Any node buildx reports as `error` could not even be reached to ask.
 */
export function isDownNode(node: Pick<NodeFacts, 'driver' | 'running' | 'status'>): boolean {
  if (node.running || !node.status) return false;
  return node.status === 'error' || (node.driver === 'remote' && ['inactive', 'stopped'].includes(node.status));
}

/** What to do about a node that is down, in words, naming it and where it should answer. */
function downNote(node: NodeFacts): string {
  const where = node.endpoint ? ` at ${node.endpoint}` : '';
  const start = node.driver === 'remote' ? `start its BuildKit daemon${where}` : `make sure the Docker engine${where} answers`;
  return `Node "${node.name}" is down (buildx reports it ${node.status}) and buildx cannot start it: ${start}, or remove the node from the builder.`;
}

/** A down node's answer: every platform unavailable, each with what to do. */
function classifyDown(node: NodeFacts, reported: readonly string[]): NodePlatforms {
  const note = downNote(node);
  return {
    node: node.name,
    local: node.local,
    platforms: reported.map((platform) => ({ platform, support: 'unavailable', listed: true, reason: 'node-down', note })),
    unlisted: { native: [], otherwise: { support: 'unavailable', reason: 'node-down', note } },
    notes: [note],
    restartSuggested: false,
  };
}

/** Is this classification of a node that is down (see `isDownNode`)? */
export const isDown = (node: NodePlatforms): boolean => node.unlisted.otherwise.reason === 'node-down';

/**
 * Which platforms a builder node can build, and how (native / emulated / unavailable), and why.
 * `emulators` is the Emulators domain's view of the engine host; it applies to local nodes only.
 * A node's native platform is the engine's when it runs on the engine host; otherwise the first
 * platform BuildKit lists that the user did not pin (BuildKit lists its own platform first).
 * A node that is down and that buildx cannot start builds nothing, whatever it lists (its pins).
 */
export function classify(node: NodeFacts, emulators: EmulatorFacts | undefined): NodePlatforms {
  const reported = [...new Set(node.reported.map(normalizePlatform))];
  if (isDownNode(node)) return classifyDown(node, reported);
  const preferred = new Set((node.preferred ?? []).map(normalizePlatform));
  const nativePlatform = node.local ? normalizePlatform(node.enginePlatform) : reported.find((p) => !preferred.has(p));
  const native = nativePlatform ? nativelyRuns(nativePlatform) : [];
  const facts = node.local ? emulators : undefined;
  const started = node.running || reported.length > 0;
  const notes: string[] = [];
  let restartSuggested = false;

  const platforms: PlatformVerdict[] = reported.map((platform) => {
    const known = emulatorSupport(facts, platform);
    if (native.includes(platform) && known !== 'emulated') return { platform, support: 'native', listed: true, reason: 'native' };
    if (known === 'unavailable') {
      return {
        platform,
        support: 'unavailable',
        listed: true,
        reason: 'emulator-missing',
        note: 'The builder lists it, but its emulator is no longer registered: install it on the Emulators page.',
      };
    }
    if (known) return { platform, support: known, listed: true, reason: known === 'native' ? 'native' : 'emulator' };
    return { platform, support: 'emulated', listed: true, reason: 'listed' };
  });
  const has = (platform: string) => platforms.some((v) => v.platform === platform);
  const add = (verdict: PlatformVerdict) => {
    if (!has(verdict.platform)) platforms.push(verdict);
  };

  if (node.local && node.driver === 'docker' && reported.length > 0) {
    for (const { platform, because } of dockerDriverOmissions(reported)) {
      const known = emulatorSupport(facts, platform);
      if (native.includes(platform)) add({ platform, support: 'native', listed: false, reason: 'docker-driver-omits', note: OMITTED_NOTE });
      else if (known && known !== 'unavailable') add({ platform, support: known, listed: false, reason: 'docker-driver-omits', note: OMITTED_NOTE });
      else if (!facts) {
        add({
          platform,
          support: 'emulated',
          listed: false,
          reason: 'docker-driver-omits',
          note: `The docker driver does not list it, but it builds when ${because} does and the engine host has its emulator (not known: the emulators could not be read).`,
        });
      }
    }
    if (!facts) {
      notes.push('The docker driver leaves linux/386, linux/arm/v7 and linux/arm/v6 out of its list even when they build; the Emulators page says which emulators are registered.');
    }
  }

  if (facts) {
    for (const [key, support] of Object.entries(facts)) {
      const p = parsePlatform(key.includes('/') ? key : `linux/${key}`);
      if (!p || support === 'unavailable') continue;
      const platform = normalizePlatform(key.includes('/') ? key : `linux/${key}`);
      // An architecture-wide fact (e.g. `amd64`) is already covered by a listed variant.
      if (has(platform) || (!p.variant && platforms.some((v) => parsePlatform(v.platform)?.architecture === p.architecture))) continue;
      if (!started) {
        add({ platform, support, listed: false, reason: 'when-started', note: 'The builder has not started; the engine host runs it, so the builder will list it.' });
      } else {
        // BuildKit refreshes its list by itself (the docker driver's with the engine); a restart makes sure.
        const restartable = node.driver !== 'docker';
        restartSuggested ||= restartable;
        add({
          platform,
          support,
          listed: false,
          reason: 'not-listed-yet',
          note: `Its emulator was registered after the builder started: builds use it${restartable ? '; restart the builder to see it in its list' : ''}.`,
        });
      }
    }
  }

  if (node.local && !started) {
    for (const platform of native) add({ platform, support: 'native', listed: false, reason: 'when-started', note: 'Runs natively on this CPU.' });
    notes.push('Start (bootstrap) the builder to see its platforms.');
  }
  if (!node.local && nativePlatform) notes.push(`This node runs on another machine; its native platform appears to be ${nativePlatform}.`);

  platforms.sort((a, b) => RANK[a.support] - RANK[b.support]);
  return {
    node: node.name,
    local: node.local,
    ...(nativePlatform ? { nativePlatform } : {}),
    platforms,
    unlisted: {
      native: node.local ? native : [],
      otherwise: node.local
        ? {
            support: 'unavailable',
            reason: 'no-emulator',
            note: facts
              ? 'No emulator is registered for it: install one on the Emulators page.'
              : 'Neither the builder nor an emulator can run it: install its emulator on the Emulators page.',
          }
        : { support: 'unavailable', reason: 'not-listed', note: 'The builder does not list it.' },
    },
    notes,
    restartSuggested,
  };
}

/** What the engine host itself can run, for when no builder is known: a local node that has not started. */
export function classifyHost(enginePlatform: string, emulators: EmulatorFacts | undefined): NodePlatforms {
  const host = classify({ name: '', driver: '', reported: [], local: true, enginePlatform, running: false }, emulators);
  const note = (v: PlatformVerdict) => (v.support === 'native' ? 'Runs natively on this CPU.' : "The engine host has this platform's emulator.");
  return { ...host, platforms: host.platforms.map((v) => ({ ...v, reason: v.support === 'native' ? 'native' : 'emulator', note: note(v) })), notes: [] };
}

/** The node's verdict on any platform: its own entry, else what it says about unlisted ones. */
export function verdictOf(node: NodePlatforms, platform: string): PlatformVerdict {
  const p = normalizePlatform(platform);
  const entry = node.platforms.find((v) => v.platform === p);
  if (entry) return entry;
  if (node.unlisted.native.includes(p)) return { platform: p, support: 'native', listed: false, reason: 'native', note: 'Runs natively on this CPU.' };
  return { ...node.unlisted.otherwise, platform: p, listed: false };
}

/**
 * The best node of a builder for a platform and its verdict (native before emulated; the earlier
 * node on a tie). Per-node answers are kept so a later check can follow buildx's own routing.
 */
export function bestNode(nodes: readonly NodePlatforms[], platform: string): { node: string; verdict: PlatformVerdict } | undefined {
  let best: { node: string; verdict: PlatformVerdict } | undefined;
  for (const node of nodes) {
    const verdict = verdictOf(node, platform);
    if (!best || RANK[verdict.support] < RANK[best.verdict.support]) best = { node: node.node, verdict };
  }
  return best;
}

/** Platforms at least one node can build (native or emulated), in node order. */
export function usablePlatforms(nodes: readonly NodePlatforms[]): string[] {
  const out: string[] = [];
  for (const node of nodes) {
    for (const v of node.platforms) if (v.support !== 'unavailable' && !out.includes(v.platform)) out.push(v.platform);
  }
  return out;
}

/** The Emulators domain's rows as classifier facts: platform → native / emulated / unavailable. */
export function emulatorFactsFromRows(rows: readonly { platform: string; state: PlatformSupport }[]): EmulatorFacts {
  const facts: Record<string, PlatformSupport> = {};
  for (const row of rows) facts[normalizePlatform(row.platform)] = row.state;
  return facts;
}
