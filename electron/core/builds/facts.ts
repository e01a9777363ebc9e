import type { BuilderList } from '../../../shared/contract/builders';
import type { BuildFactsData } from '../../../shared/contract/builds';
import type { BuilderFact, PlatformGroup } from '../../../shared/domain/build-request/checks';
import { normalizePlatform } from '../../../shared/domain/platform';
import { RpcError } from '../../../shared/rpc/errors';
import type { CoreContext } from '../context';

/**
 * Where the build form's facts come from: the builders and emulators domains, through their
 * services' own answers (their contract types), so this domain stays thinly coupled to them.
 */
export interface FactsSources {
  builders?: (signal?: AbortSignal) => Promise<BuilderList>;
  emulators?: (signal?: AbortSignal) => Promise<EmulatorRows>;
}

/** The part of the Emulators domain's status this domain reads: one row per architecture. */
export interface EmulatorRows {
  rows: ReadonlyArray<{ platform: string; state: PlatformGroup }>;
}

const RANK: Record<PlatformGroup, number> = { native: 0, emulated: 1, unavailable: 2 };

export function buildersToFacts(list: BuilderList): { builders: BuilderFact[]; currentBuilder: string } {
  const builders = list.builders.map((b): BuilderFact => {
    const platforms: string[] = [];
    const support = new Map<string, { platform: string; support: PlatformGroup; listed: boolean; note?: string }>();
    for (const node of b.nodes) {
      for (const p of node.platforms) if (!platforms.includes(normalizePlatform(p))) platforms.push(normalizePlatform(p));
      for (const entry of node.support) {
        const key = normalizePlatform(entry.platform);
        const before = support.get(key);
        // Several nodes: the best one builds it.
        if (!before || RANK[entry.support] < RANK[before.support]) support.set(key, { ...entry, platform: key });
      }
    }
    const fact: BuilderFact = {
      name: b.name,
      driver: b.driver,
      status: b.status,
      current: b.current,
      platforms,
      local: b.nodes.length === 0 || b.nodes.some((n) => n.local),
    };
    if (support.size > 0) fact.support = [...support.values()];
    return fact;
  });
  return { builders, currentBuilder: list.current };
}

export function emulatorsToFacts(status: EmulatorRows): Record<string, PlatformGroup> {
  const out: Record<string, PlatformGroup> = {};
  for (const row of status.rows) out[normalizePlatform(row.platform)] = row.state;
  return out;
}

/** Gathers what is known now; a source that fails becomes a note, never a failed form. */
export async function gatherFacts(ctx: CoreContext, sources: FactsSources, signal?: AbortSignal): Promise<BuildFactsData> {
  const info = await ctx.engine.info();
  const notes: string[] = [];
  const facts: BuildFactsData = {
    nativePlatform: info.platform,
    containerdImageStore: info.containerdImageStore,
    builders: [],
    notes,
  };
  const [builders, emulators] = await Promise.allSettled([
    sources.builders ? sources.builders(signal) : Promise.reject(new Error('the builders list is not available in this version')),
    sources.emulators ? sources.emulators(signal) : Promise.reject(new Error('the emulators status is not available in this version')),
  ]);
  if (builders.status === 'fulfilled') {
    const { builders: list, currentBuilder } = buildersToFacts(builders.value);
    facts.builders = list;
    if (currentBuilder) facts.currentBuilder = currentBuilder;
  } else {
    facts.buildersUnknown = true;
    notes.push(`Builders could not be listed (${reason(builders.reason)}); buildx will check the builder itself.`);
  }
  if (emulators.status === 'fulfilled') facts.emulators = emulatorsToFacts(emulators.value);
  else notes.push(`The emulators could not be read (${reason(emulators.reason)}); platform ticks rely on the builder's own list.`);
  return facts;
}

const reason = (error: unknown): string => (error instanceof RpcError || error instanceof Error ? error.message : String(error));
