import type { BuilderList } from '../../../shared/contract/builders';
import type { BuildFactsData } from '../../../shared/contract/builds';
import type { BuilderFact } from '../../../shared/domain/build-request/checks';
import { routingNodeOf } from '../../../shared/domain/buildx/routing';
import { classifyHost, type EmulatorFacts } from '../../../shared/domain/platform-support';
import { RpcError } from '../../../shared/rpc/errors';
import type { CoreContext } from '../context';

/**
 * Where the build form's facts come from: the builders and emulators domains, through their
 * services' own answers, so this domain stays thinly coupled to them. The builders list comes
 * classified (the one `classify`, per node); nothing is classified again here.
 */
export interface FactsSources {
  builders?: (signal?: AbortSignal) => Promise<BuilderList>;
  emulators?: () => Promise<EmulatorFacts>;
}

export function buildersToFacts(list: BuilderList): { builders: BuilderFact[]; currentBuilder: string } {
  const builders = list.builders.map(
    (b): BuilderFact => ({ name: b.name, driver: b.driver, status: b.status, current: b.current, nodes: b.nodes.map((n) => n.support), routing: b.nodes.map(routingNodeOf) }),
  );
  return { builders, currentBuilder: list.current };
}

/** Gathers what is known now; a source that fails becomes a note, never a failed form. */
export async function gatherFacts(ctx: CoreContext, sources: FactsSources, signal?: AbortSignal): Promise<BuildFactsData> {
  const info = await ctx.engine.info();
  const notes: string[] = [];
  const [builders, emulators] = await Promise.allSettled([
    sources.builders ? sources.builders(signal) : Promise.reject(new Error('the builders list is not available in this version')),
    sources.emulators ? sources.emulators() : Promise.reject(new Error('the emulators status is not available in this version')),
  ]);
  const facts: BuildFactsData = {
    nativePlatform: info.platform,
    containerdImageStore: info.containerdImageStore,
    builders: [],
    host: classifyHost(info.platform, emulators.status === 'fulfilled' ? emulators.value : undefined),
    notes,
  };
  if (builders.status === 'fulfilled') {
    const { builders: list, currentBuilder } = buildersToFacts(builders.value);
    facts.builders = list;
    if (currentBuilder) facts.currentBuilder = currentBuilder;
  } else {
    facts.buildersUnknown = true;
    notes.push(`Builders could not be listed (${reason(builders.reason)}); buildx will check the builder itself.`);
  }
  if (emulators.status === 'rejected') notes.push(`The emulators could not be read (${reason(emulators.reason)}); platform ticks rely on the builder's own list.`);
  return facts;
}

/**
 * The facts for a build's checks. Reading them runs buildx (which execs into each container
 * builder) and reads the emulators: hundreds of milliseconds of CPU. A build uses the last ones
 * read (the form has just read them); an old copy is refreshed once that build has ended, so the
 * reading never competes with a build starting and streaming its log.
 */
export class RecentFacts {
  private cached: { at: number; value: BuildFactsData } | undefined;
  private refreshing: Promise<unknown> | undefined;

  constructor(
    private readonly ctx: CoreContext,
    private readonly sources: FactsSources,
    /** Facts read this recently are used as they are. */
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Reads the facts now (and keeps them for the next build). */
  async read(signal?: AbortSignal): Promise<BuildFactsData> {
    const value = await gatherFacts(this.ctx, this.sources, signal);
    this.cached = { at: this.now(), value };
    return value;
  }

  /** The last facts read (read now when there are none). */
  async recent(signal?: AbortSignal): Promise<BuildFactsData> {
    return this.cached?.value ?? this.read(signal);
  }

  /**
   * The last facts read, unless `refuses` says they would refuse the work: a copy read earlier is
   * then read again and those are returned, since a builder made, a node started or an emulator
   * installed since would otherwise refuse work that can run now. Facts read just now are not read twice.
   */
  async recentUnlessRefused(refuses: (facts: BuildFactsData) => boolean, signal?: AbortSignal): Promise<BuildFactsData> {
    const copy = this.cached?.value;
    if (!copy) return this.read(signal);
    return refuses(copy) ? this.read(signal) : copy;
  }

  /** Reads them again in the background when the copy is old (a build has ended). */
  refreshIfOld(): void {
    const cached = this.cached;
    if (!cached || this.now() - cached.at < this.ttlMs || this.refreshing) return;
    this.refreshing = this.read()
      .catch((error: unknown) => this.ctx.log(`builds: facts not refreshed: ${(error as Error).message}`))
      .finally(() => (this.refreshing = undefined));
  }

  /** Settles once a refresh under way has ended (for shutdown and tests). */
  settled(): Promise<unknown> {
    return this.refreshing ?? Promise.resolve();
  }
}

const reason = (error: unknown): string => (error instanceof RpcError || error instanceof Error ? error.message : String(error));
