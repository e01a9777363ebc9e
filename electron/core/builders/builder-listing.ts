import type { BuilderList, BuilderNode, BuilderSummary, CommandRun, InspectResult } from '../../../shared/contract/builders';
import type { EngineEndpoint } from '../../../shared/contract/engine';
import { containerName, inspectArgs, lsJsonArgs, lsTextArgs } from '../../../shared/domain/buildx/commands';
import { parseInspect } from '../../../shared/domain/buildx/inspect-text';
import { parseLsJson } from '../../../shared/domain/buildx/ls-json';
import { parseLsText } from '../../../shared/domain/buildx/ls-text';
import type { ParsedBuilder, ParsedNode } from '../../../shared/domain/buildx/model';
import { classify, usablePlatforms, type EmulatorFacts } from '../../../shared/domain/platform-support';
import { buildxHas } from '../../../shared/domain/buildx/capabilities';
import { RpcError } from '../../../shared/rpc/errors';
import type { CoreContext } from '../context';
import type { BuilderProblems } from './builder-problems';
import { commandFailed, describeFailure, failIfMissing, MINUTE, notFound, type BuildxRunner } from './buildx-runner';

export interface EngineFacts {
  generation: number;
  platform: string;
  containerdImageStore: boolean;
  buildxVersion: string;
  endpoint: EngineEndpoint;
}

/** The engine host's emulators as a listing uses them, or why they could not be read. */
type EmulatorRead = { facts: EmulatorFacts; problem?: undefined } | { facts?: undefined; problem: string };

interface RawList {
  builders: ParsedBuilder[];
  current: string;
  source: BuilderList['source'];
  commands: CommandRun[];
}

/**
 * What buildx says about builders (`ls --format json`, or the table before 0.13; `inspect`), with
 * each node classified against the engine host and the start failures the app remembers.
 */
export class BuilderListing {
  private facts: EngineFacts | undefined;

  constructor(
    private readonly ctx: CoreContext,
    private readonly buildx: BuildxRunner,
    private readonly problems: BuilderProblems,
    /** The engine host's emulators (the Emulators domain's rows), read alongside each listing. */
    private readonly emulators?: () => Promise<EmulatorFacts>,
  ) {}

  async list(signal?: AbortSignal): Promise<BuilderList> {
    const facts = await this.engineFacts();
    const emulatorRead = this.readEmulators();
    const raw = await this.listRaw(facts, signal);
    const [contexts, pins] = await Promise.all([this.contextHosts(raw.builders, facts, signal), this.readPins(raw, signal)]);
    const emulators = await emulatorRead;
    const builders = raw.builders.map((b) => this.summarize(b, raw.current, facts, contexts.hosts, emulators.facts));
    return {
      builders,
      current: raw.current,
      buildxVersion: facts.buildxVersion,
      source: raw.source,
      enginePlatform: facts.platform,
      containerdImageStore: facts.containerdImageStore,
      ...(emulators.problem ? { emulatorsProblem: emulators.problem } : {}),
      commands: [...raw.commands, ...pins, ...contexts.commands],
    };
  }

  /**
   * `ls --format json` does not say which platforms were pinned with `--platform`; `inspect`
   * marks them. buildx routes a build by those pins, so they are read for builders of several nodes.
   */
  private async readPins(raw: RawList, signal?: AbortSignal): Promise<CommandRun[]> {
    if (raw.source !== 'ls-json') return [];
    const multi = raw.builders.filter((b) => b.nodes.length > 1);
    const runs = await Promise.all(multi.map((b) => this.buildx.run(inspectArgs(b.name, false), { signal, timeoutMs: MINUTE })));
    multi.forEach((b, i) => {
      const run = runs[i]!;
      const inspected = run.command.exitCode === 0 ? parseInspect(run.stdout) : undefined;
      for (const node of b.nodes) {
        const found = inspected?.nodes.find((n) => n.name === node.name);
        if (found) node.preferredPlatforms = found.preferredPlatforms;
      }
    });
    return runs.map((r) => r.command);
  }

  /** One builder as listed; BUILDER_NOT_FOUND when buildx does not know it. */
  async summary(name: string, signal?: AbortSignal): Promise<BuilderSummary> {
    const list = await this.list(signal);
    const found = list.builders.find((b) => b.name === name);
    if (!found) throw notFound(name);
    return found;
  }

  /** The builders' names only (one buildx call), e.g. to refuse a name that is taken. */
  async names(signal?: AbortSignal): Promise<string[]> {
    const raw = await this.listRaw(await this.engineFacts(), signal);
    return raw.builders.map((b) => b.name);
  }

  async inspect(name: string, bootstrap: boolean, signal?: AbortSignal): Promise<InspectResult> {
    const facts = await this.engineFacts();
    const emulatorRead = this.readEmulators();
    const args = inspectArgs(name, bootstrap);
    const [run, current] = await Promise.all([
      this.buildx.run(args, { signal, timeoutMs: bootstrap ? 10 * MINUTE : MINUTE }),
      this.currentName(facts, signal),
    ]);
    const parsed = run.command.exitCode === 0 ? parseInspect(run.stdout) : undefined;
    if (!parsed) {
      failIfMissing(name, run);
      const failure = describeFailure(run.command);
      if (bootstrap) this.problems.record(name, `"${name}" did not start: ${failure.reason}`, failure.hint, run.command);
      throw commandFailed(`${bootstrap ? 'Starting' : 'Inspecting'} builder "${name}" failed`, run.command, [run.command]);
    }
    // A node that failed to boot is reported inside the text, with exit 0.
    const bootError = parsed.error ?? parsed.nodes.find((n) => n.error)?.error;
    if (bootstrap && bootError) {
      this.problems.record(name, `"${name}" did not start: ${bootError}`, describeFailure({ output: bootError }).hint, run.command);
    } else if (bootstrap) {
      this.problems.forget(name);
      this.ctx.emit('builders.onChanged', { reason: 'started', name });
    }
    const contexts = await this.contextHosts([parsed], facts, signal);
    return {
      builder: this.summarize(parsed, current.name, facts, contexts.hosts, (await emulatorRead).facts),
      commands: [...current.commands, run.command, ...contexts.commands],
      text: run.stdout,
    };
  }

  /** The engine host's emulators; a failure is kept as the reason, never fails the listing. */
  private async readEmulators(): Promise<EmulatorRead> {
    if (!this.emulators) return { problem: 'the emulators status is not available in this version' };
    try {
      return { facts: await this.emulators() };
    } catch (error) {
      return { problem: (error as Error).message };
    }
  }

  /** Engine facts the builders need, cached until the engine comes back up (a new generation). */
  async engineFacts(): Promise<EngineFacts> {
    const generation = this.ctx.engine.state.generation;
    if (this.facts && this.facts.generation === generation && this.ctx.engine.state.status === 'connected') return this.facts;
    const info = await this.ctx.engine.info();
    if (!info.buildx.installed || !info.buildx.version) {
      throw new RpcError('BUILDX_MISSING', info.buildx.problem?.message ?? 'The docker buildx plugin is not installed.', {
        hint: info.buildx.problem?.hint ?? 'Install the buildx plugin (Debian/Ubuntu: apt install docker-buildx).',
      });
    }
    this.facts = {
      generation,
      platform: info.platform,
      containerdImageStore: info.containerdImageStore,
      buildxVersion: info.buildx.version,
      endpoint: info.endpoint,
    };
    return this.facts;
  }

  private async listRaw(facts: EngineFacts, signal?: AbortSignal): Promise<RawList> {
    if (buildxHas(facts.buildxVersion, 'ls-json')) {
      const needCurrent = !buildxHas(facts.buildxVersion, 'ls-json-current');
      const [ls, current] = await Promise.all([
        this.buildx.runOrFail(lsJsonArgs(), { signal, timeoutMs: MINUTE, failure: 'Listing builders failed' }),
        needCurrent ? this.currentName(facts, signal) : undefined,
      ]);
      const parsed = parseLsJson(ls.stdout);
      let currentName = current?.name ?? parsed.builders.find((b) => b.current)?.name;
      const commands = [...(current?.commands ?? []), ls.command];
      if (!currentName) {
        const fallback = await this.currentName(facts, signal);
        currentName = fallback.name;
        commands.push(...fallback.commands);
      }
      return { builders: parsed.builders, current: currentName, source: 'ls-json', commands };
    }
    const ls = await this.buildx.runOrFail(lsTextArgs(), { signal, timeoutMs: MINUTE, failure: 'Listing builders failed' });
    const parsed = parseLsText(ls.stdout);
    return { builders: parsed.builders, current: parsed.current ?? 'default', source: 'ls-text', commands: [ls.command] };
  }

  /**
   * The current builder. buildx < 0.24 says so only in its table (`*`); `buildx inspect` without a
   * name prints the current builder and loads only that one, so it is the cheaper question.
   */
  private async currentName(facts: EngineFacts, signal?: AbortSignal): Promise<{ name: string; commands: CommandRun[] }> {
    const inspect = await this.buildx.run(inspectArgs(undefined, false), { signal, timeoutMs: MINUTE });
    const name = inspect.command.exitCode === 0 ? parseInspect(inspect.stdout)?.name : undefined;
    if (name) return { name, commands: [inspect.command] };
    const ls = await this.buildx.run(lsTextArgs(), { signal, timeoutMs: MINUTE });
    const current = ls.command.exitCode === 0 ? parseLsText(ls.stdout).current : undefined;
    // buildx itself falls back to the context's builder when its pointer is stale.
    return { name: current ?? facts.endpoint.context ?? 'default', commands: [inspect.command, ls.command] };
  }

  private summarize(b: ParsedBuilder, current: string, facts: EngineFacts, contexts: ReadonlyMap<string, string>, emulators: EmulatorFacts | undefined): BuilderSummary {
    const nodes: BuilderNode[] = b.nodes.map((n) => nodeSummary(b.driver, n, facts, contexts, emulators));
    const status = builderStatus(b, nodes);
    if (status === 'running' && nodes.every((n) => n.status === 'running')) this.problems.forget(b.name);
    const problem = this.problems.get(b.name);
    const platforms = usablePlatforms(nodes.map((n) => n.support));
    const summary: BuilderSummary = {
      name: b.name,
      driver: b.driver,
      current: b.name === current,
      status,
      healthy: status === 'running' && !b.error && nodes.every((n) => !n.error) && !problem,
      nodes,
      platforms,
      restartSuggested: nodes.some((n) => n.support.restartSuggested),
    };
    if (b.lastActivity) summary.lastActivity = b.lastActivity;
    if (b.error) summary.error = b.error;
    if (problem) summary.problem = problem;
    return summary;
  }

  /**
   * Where the Docker contexts that nodes name as endpoints point, so a node on a context that is
   * really this engine counts as local. Asked only when some node names another context.
   */
  private async contextHosts(builders: ParsedBuilder[], facts: EngineFacts, signal?: AbortSignal): Promise<{ hosts: Map<string, string>; commands: CommandRun[] }> {
    const own = facts.endpoint.context ?? 'default';
    const wanted = new Set<string>();
    for (const b of builders) for (const n of b.nodes) if (n.endpoint && !n.endpoint.includes('://') && n.endpoint !== own) wanted.add(n.endpoint);
    const hosts = new Map<string, string>();
    if (wanted.size === 0) return { hosts, commands: [] };
    const run = await this.buildx.run(['context', 'ls', '--format', '{{.Name}}\t{{.DockerEndpoint}}'], { signal, timeoutMs: 30_000 });
    if (run.command.exitCode === 0) {
      for (const line of run.stdout.split('\n')) {
        const [name, host] = line.trim().split('\t');
        if (name && host && wanted.has(name)) hosts.set(name, host);
      }
    }
    return { hosts, commands: [run.command] };
  }
}

/** One node, classified against the engine host's CPU and emulators (the one `classify`). */
function nodeSummary(driver: string, n: ParsedNode, facts: EngineFacts, contexts: ReadonlyMap<string, string>, emulators: EmulatorFacts | undefined): BuilderNode {
  const local = isLocalNode(driver, n.endpoint, facts.endpoint, contexts);
  const status = n.error ? 'error' : (n.status ?? 'unknown');
  const support = classify(
    { name: n.name, driver, reported: n.platforms, preferred: n.preferredPlatforms, local, enginePlatform: facts.platform, running: status === 'running', status, endpoint: n.endpoint },
    emulators,
  );
  const node: BuilderNode = {
    name: n.name,
    endpoint: n.endpoint,
    status,
    platforms: n.platforms,
    preferredPlatforms: n.preferredPlatforms,
    support,
    driverOpts: n.driverOpts,
    buildkitdFlags: n.buildkitdFlags,
    local,
  };
  if (n.error) node.error = n.error;
  if (n.buildkitVersion) node.buildkitVersion = n.buildkitVersion;
  if (driver === 'docker-container') node.container = containerName(n.name);
  return node;
}

function builderStatus(b: ParsedBuilder, nodes: BuilderNode[]): BuilderSummary['status'] {
  if (b.error) return 'error';
  if (nodes.some((n) => n.status === 'running')) return 'running';
  if (nodes.length > 0 && nodes.every((n) => n.status === 'error')) return 'error';
  if (nodes.some((n) => n.status === 'stopped')) return 'stopped';
  if (nodes.some((n) => n.status === 'inactive')) return 'inactive';
  return 'unknown';
}

/** Does this node run on the engine the app is connected to (so its host's emulators apply)? */
export function isLocalNode(driver: string, endpoint: string, engine: EngineEndpoint, contexts: ReadonlyMap<string, string> = new Map()): boolean {
  const contextName = engine.context ?? 'default';
  if (endpoint === contextName || endpoint === engine.host || contexts.get(endpoint) === engine.host) return true;
  if (driver === 'remote') {
    // A container on this engine, or a socket on the machine that also runs a local engine.
    if (endpoint.startsWith('docker-container://')) return true;
    const engineIsLocal = engine.host.startsWith('unix://') || engine.host.startsWith('npipe://');
    if (engineIsLocal && (endpoint.startsWith('unix://') || /^tcp:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(endpoint))) return true;
  }
  return false;
}
