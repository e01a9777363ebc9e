import { stat } from 'node:fs/promises';
import type {
  ActionResult,
  AppendNodeSpec,
  BuilderList,
  BuilderLogs,
  BuilderNode,
  BuilderProblem,
  BuilderSummary,
  BuildersChanged,
  CommandRun,
  CreateBuilderSpec,
  InspectResult,
  MultiPlatformCheck,
  RestartAllResult,
} from '../../../shared/contract/builders';
import type { EngineEndpoint } from '../../../shared/contract/engine';
import {
  appendArgs,
  containerName,
  createArgs,
  inspectArgs,
  leaveArgs,
  lsJsonArgs,
  lsTextArgs,
  nextNodeName,
  removeArgs,
  stopArgs,
  buildxUseArgs,
} from '../../../shared/domain/buildx/commands';
import { buildxHas } from '../../../shared/domain/buildx/capabilities';
import { parseInspect } from '../../../shared/domain/buildx/inspect-text';
import { parseLsJson } from '../../../shared/domain/buildx/ls-json';
import { parseLsText } from '../../../shared/domain/buildx/ls-text';
import type { ParsedBuilder, ParsedNode } from '../../../shared/domain/buildx/model';
import { multiPlatformVerdict } from '../../../shared/domain/buildx/multi-platform';
import { classify, usablePlatforms, type EmulatorFacts } from '../../../shared/domain/platform-support';
import { RpcError } from '../../../shared/rpc/errors';
import type { CoreContext } from '../context';
import type { CliRunOptions } from '../docker-cli';
import { demuxDockerLog } from './docker-logs';

interface EngineFacts {
  generation: number;
  platform: string;
  containerdImageStore: boolean;
  buildxVersion: string;
  endpoint: EngineEndpoint;
}

interface RawList {
  builders: ParsedBuilder[];
  current: string;
  source: BuilderList['source'];
  commands: CommandRun[];
}

const MINUTE = 60_000;
const OUTPUT_KEEP = 16_000;

/** Drivers whose BuildKit buildx can stop and start (the docker driver's is part of the engine). */
const RESTARTABLE = new Set(['docker-container', 'kubernetes', 'remote']);

/**
 * Builders through the real buildx CLI (argv arrays, never a shell): list, create, use,
 * inspect/bootstrap, stop, restart, remove, append/remove nodes, and the BuildKit container's log
 * through the engine. Remembers why a builder failed to start, since buildx itself forgets.
 */
export interface BuildersServiceOptions {
  /** The engine host's emulators (the Emulators domain's rows), read alongside each listing. */
  emulators?: () => Promise<EmulatorFacts>;
}

/** The engine host's emulators as a listing uses them, or why they could not be read. */
type EmulatorRead = { facts: EmulatorFacts; problem?: undefined } | { facts?: undefined; problem: string };

export class BuildersService {
  private facts: EngineFacts | undefined;
  private readonly problems = new Map<string, BuilderProblem>();

  constructor(
    private readonly ctx: CoreContext,
    private readonly options: BuildersServiceOptions = {},
  ) {}

  // ---- queries ---------------------------------------------------------------------------------

  async list(signal?: AbortSignal): Promise<BuilderList> {
    const facts = await this.engineFacts();
    const emulatorRead = this.readEmulators();
    const raw = await this.listRaw(facts, signal);
    const contexts = await this.contextHosts(raw.builders, facts, signal);
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
      commands: [...raw.commands, ...contexts.commands],
    };
  }

  async inspect(name: string, bootstrap: boolean, signal?: AbortSignal): Promise<InspectResult> {
    const facts = await this.engineFacts();
    const emulatorRead = this.readEmulators();
    const args = inspectArgs(name, bootstrap);
    const [run, current] = await Promise.all([
      this.run(args, { signal, timeoutMs: bootstrap ? 10 * MINUTE : MINUTE }),
      this.currentName(facts, signal),
    ]);
    const parsed = run.command.exitCode === 0 ? parseInspect(run.stdout) : undefined;
    if (!parsed) {
      this.failIfMissing(name, run);
      const failure = describeFailure(run.command);
      if (bootstrap) this.recordProblem(name, `"${name}" did not start: ${failure.reason}`, failure.hint, run);
      throw commandFailed(`${bootstrap ? 'Starting' : 'Inspecting'} builder "${name}" failed: ${failure.reason}`, failure.hint, [run.command]);
    }
    // A node that failed to boot is reported inside the text, with exit 0.
    const bootError = parsed.error ?? parsed.nodes.find((n) => n.error)?.error;
    if (bootstrap && bootError) {
      const failure = describeFailure({ ...run.command, output: bootError });
      this.recordProblem(name, `"${name}" did not start: ${bootError}`, failure.hint, run);
    } else if (bootstrap) {
      this.problems.delete(name);
      this.changed({ reason: 'started', name });
    }
    const contexts = await this.contextHosts([parsed], facts, signal);
    return {
      builder: this.summarize(parsed, current.name, facts, contexts.hosts, (await emulatorRead).facts),
      commands: [...current.commands, run.command, ...contexts.commands],
      text: run.stdout,
    };
  }

  async multiPlatform(name: string | undefined, signal?: AbortSignal): Promise<MultiPlatformCheck> {
    const list = await this.list(signal);
    const target = name ?? list.current;
    const builder = list.builders.find((b) => b.name === target);
    if (!builder) throw notFound(target);
    const verdict = multiPlatformVerdict({
      name: builder.name,
      driver: builder.driver,
      platforms: builder.platforms,
      running: builder.status === 'running',
      containerdImageStore: list.containerdImageStore,
    });
    const check: MultiPlatformCheck = { builder: builder.name, driver: builder.driver, ...verdict };
    if (verdict.suggestContainerBuilder) {
      const fixName = freeName('multiarch', list.builders.map((b) => b.name));
      const buildkitImage = this.ctx.settings.get().builders.buildkitImage;
      const driverOpts = ['network=host'];
      const args = createArgs({ name: fixName, driver: 'docker-container', buildkitImage, platforms: [], driverOpts, bootstrap: true });
      check.fix = {
        name: fixName,
        driver: 'docker-container',
        buildkitImage,
        driverOpts,
        bootstrap: true,
        use: true,
        command: `${this.ctx.cli.display(args)} && ${this.ctx.cli.display(buildxUseArgs(fixName))}`,
      };
    }
    return check;
  }

  async logs(name: string, nodeName: string | undefined, tail: number, signal?: AbortSignal): Promise<BuilderLogs> {
    const builder = await this.summary(name, signal);
    if (builder.driver !== 'docker-container') {
      throw new RpcError('BUILDER_NO_CONTAINER', `"${name}" uses the ${builder.driver} driver, which runs no BuildKit container of its own.`, {
        hint: builder.driver === 'docker' ? 'Its BuildKit is part of the Docker engine: read the engine\'s log (journalctl -u docker).' : 'Read the log where that BuildKit runs.',
      });
    }
    const node = nodeName ? builder.nodes.find((n) => n.name === nodeName) : builder.nodes[0];
    if (!node) throw new RpcError('BUILDER_NODE_NOT_FOUND', `"${name}" has no node "${nodeName ?? ''}".`, { hint: `Its nodes: ${builder.nodes.map((n) => n.name).join(', ')}.` });
    if (!node.local) {
      throw new RpcError('BUILDER_NODE_REMOTE', `Node "${node.name}" runs on another engine (${node.endpoint}), not the one this app is connected to.`, {
        hint: `Read it there: docker --host ${node.endpoint} logs ${containerName(node.name)}`,
      });
    }
    const container = containerName(node.name);
    const command = this.ctx.cli.display(['logs', '--tail', String(tail), container]);
    const docker = this.ctx.engine.client();
    let raw: Buffer;
    let tty = false;
    try {
      const handle = docker.getContainer(container);
      tty = Boolean((await handle.inspect()).Config?.Tty);
      const out: unknown = await handle.logs({ stdout: true, stderr: true, tail, follow: false, abortSignal: signal } as { follow: false });
      raw = Buffer.isBuffer(out) ? out : Buffer.from(String(out));
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) {
        throw new RpcError('BUILDER_NOT_STARTED', `Builder "${name}" has no container ${container} yet: it has never started, or was removed.`, {
          hint: 'Start it (Inspect / Bootstrap), then look again.',
          data: { command },
        });
      }
      throw RpcError.from(error);
    }
    const text = demuxDockerLog(raw, tty);
    const limit = 512 * 1024;
    return { builder: name, node: node.name, container, text: text.length > limit ? text.slice(-limit) : text, command, truncated: text.length > limit };
  }

  // ---- actions ---------------------------------------------------------------------------------

  async create(spec: CreateBuilderSpec, signal?: AbortSignal): Promise<ActionResult> {
    const facts = await this.engineFacts();
    const before = await this.listRaw(facts, signal);
    if (before.builders.some((b) => b.name === spec.name)) {
      throw new RpcError('BUILDER_EXISTS', `A builder named "${spec.name}" already exists.`, {
        hint: 'Choose another name, or append a node to the existing builder.',
      });
    }
    if (spec.buildkitdConfig) await assertBuildkitdConfig(spec.buildkitdConfig);
    const buildkitImage = spec.buildkitImage ?? this.ctx.settings.get().builders.buildkitImage;
    const args = createArgs(
      { ...spec, buildkitImage },
      { configFlag: buildxHas(facts.buildxVersion, 'buildkitd-config-flag') ? '--buildkitd-config' : '--config' },
    );
    const commands: CommandRun[] = [];
    let created: Awaited<ReturnType<BuildersService['run']>>;
    try {
      created = await this.run(args, { signal, timeoutMs: 10 * MINUTE });
    } catch (error) {
      // Cancelled or timed out while starting: buildx already saved the builder.
      await this.removeHalfMade(spec.name, commands);
      throw error;
    }
    commands.push(created.command);
    if (created.command.exitCode !== 0) {
      const failure = describeFailure(created.command, buildkitImage);
      const removed = await this.removeHalfMade(spec.name, commands);
      if (removed === 'kept') {
        this.recordProblem(spec.name, `Creating "${spec.name}" failed: ${failure.reason}`, failure.hint, created);
        throw new RpcError('BUILDER_CREATE_FAILED', `Creating builder "${spec.name}" failed: ${failure.reason}`, {
          hint: `${failure.hint} buildx kept a half-made builder "${spec.name}" that the app could not remove: run docker buildx rm ${spec.name}.`,
          data: { commands },
        });
      }
      throw new RpcError('BUILDER_CREATE_FAILED', `Creating builder "${spec.name}" failed: ${failure.reason}`, {
        hint: `${failure.hint}${removed === 'removed' ? ` The half-made builder buildx left behind was removed, so nothing is left over.` : ''}`,
        data: { commands },
      });
    }
    this.problems.delete(spec.name);
    this.changed({ reason: 'created', name: spec.name });
    const notes: string[] = [];
    if (spec.use) {
      const use = await this.run(buildxUseArgs(spec.name), { signal, timeoutMs: MINUTE });
      commands.push(use.command);
      if (use.command.exitCode !== 0) {
        const failure = describeFailure(use.command);
        throw commandFailed(`Builder "${spec.name}" was created, but making it the current builder failed: ${failure.reason}`, failure.hint, commands);
      }
      this.changed({ reason: 'used', name: spec.name });
    }
    if (!spec.bootstrap) notes.push('It starts on its first build, or now with Inspect / Bootstrap.');
    const builder = await this.summary(spec.name, signal);
    return {
      message: `Builder "${spec.name}" created${spec.bootstrap ? ' and started' : ''}${spec.use ? '; it is now the current builder' : ''}.`,
      commands,
      builder,
      notes,
    };
  }

  async appendNode(spec: AppendNodeSpec, signal?: AbortSignal): Promise<ActionResult> {
    const target = await this.summary(spec.builder, signal);
    if (target.driver === 'docker') {
      throw new RpcError('BUILDER_CANNOT_APPEND', `"${spec.builder}" uses the docker driver, which has exactly one node: the engine itself.`, {
        hint: 'Create a docker-container builder, then append nodes to it.',
      });
    }
    const node = spec.node ?? nextNodeName(spec.builder, target.nodes.map((n) => n.name));
    if (target.nodes.some((n) => n.name === node)) {
      throw new RpcError('BUILDER_NODE_EXISTS', `"${spec.builder}" already has a node named "${node}".`, { hint: 'Choose another node name.' });
    }
    const commands: CommandRun[] = [];
    const run = await this.run(appendArgs({ ...spec, node }), { signal, timeoutMs: 10 * MINUTE });
    commands.push(run.command);
    if (run.command.exitCode !== 0) {
      const failure = describeFailure(run.command);
      // Like create, a failed start leaves the node in the builder: take it out again.
      const after = await this.summary(spec.builder).catch(() => undefined);
      const ghost = after?.nodes.find((n) => n.name === node);
      let cleaned = '';
      if (ghost) {
        const leave = await this.run(leaveArgs(spec.builder, node), { timeoutMs: MINUTE });
        commands.push(leave.command);
        if (target.driver === 'docker-container' && ghost.local) await this.removeNodeContainer(node);
        cleaned = leave.command.exitCode === 0 ? ' The half-added node was taken out again.' : ` The half-added node "${node}" is still there: run ${this.ctx.cli.display(leaveArgs(spec.builder, node))}.`;
      }
      throw new RpcError('BUILDER_COMMAND_FAILED', `Appending node "${node}" (${spec.endpoint}) to "${spec.builder}" failed: ${failure.reason}`, {
        hint: `${failure.hint}${cleaned}`,
        data: { commands },
      });
    }
    this.changed({ reason: 'node-appended', name: spec.builder });
    return {
      message: `Node "${node}" (${spec.endpoint}) was added to "${spec.builder}".`,
      commands,
      builder: await this.summary(spec.builder, signal),
      notes: spec.bootstrap ? [] : ['The new node starts with the builder\'s next build, or now with Inspect / Bootstrap.'],
    };
  }

  async removeNode(builderName: string, node: string, signal?: AbortSignal): Promise<ActionResult> {
    const target = await this.summary(builderName, signal);
    const victim = target.nodes.find((n) => n.name === node);
    if (!victim) throw new RpcError('BUILDER_NODE_NOT_FOUND', `"${builderName}" has no node "${node}".`, { hint: `Its nodes: ${target.nodes.map((n) => n.name).join(', ')}.` });
    if (target.nodes.length === 1) {
      throw new RpcError('BUILDER_LAST_NODE', `"${node}" is the only node of "${builderName}".`, { hint: 'Remove the builder instead.' });
    }
    const run = await this.run(leaveArgs(builderName, node), { signal, timeoutMs: MINUTE });
    if (run.command.exitCode !== 0) {
      const failure = describeFailure(run.command);
      throw commandFailed(`Removing node "${node}" from "${builderName}" failed: ${failure.reason}`, failure.hint, [run.command]);
    }
    // `--leave` only edits buildx's store; the node's BuildKit container would stay behind.
    const notes: string[] = [];
    if (target.driver === 'docker-container' && victim.local) {
      const removed = await this.removeNodeContainer(node);
      if (removed) notes.push(`Its container ${containerName(node)} was removed too.`);
    }
    this.changed({ reason: 'node-removed', name: builderName });
    return { message: `Node "${node}" left "${builderName}".`, commands: [run.command], builder: await this.summary(builderName, signal), notes };
  }

  async use(name: string, signal?: AbortSignal): Promise<ActionResult> {
    const run = await this.run(buildxUseArgs(name), { signal, timeoutMs: MINUTE });
    if (run.command.exitCode !== 0) {
      this.failIfMissing(name, run);
      const failure = describeFailure(run.command);
      throw commandFailed(`Making "${name}" the current builder failed: ${failure.reason}`, failure.hint, [run.command]);
    }
    this.changed({ reason: 'used', name });
    return { message: `"${name}" is now the current builder: builds without --builder use it.`, commands: [run.command], builder: await this.summary(name, signal), notes: [] };
  }

  async stop(name: string, signal?: AbortSignal): Promise<ActionResult> {
    const target = await this.summary(name, signal);
    if (!RESTARTABLE.has(target.driver)) throw notStoppable(target);
    const run = await this.run(stopArgs(name), { signal, timeoutMs: 2 * MINUTE });
    if (run.command.exitCode !== 0) {
      const failure = describeFailure(run.command);
      throw commandFailed(`Stopping "${name}" failed: ${failure.reason}`, failure.hint, [run.command]);
    }
    this.changed({ reason: 'stopped', name });
    return { message: `"${name}" stopped. It starts again on its next build.`, commands: [run.command], builder: await this.summary(name, signal), notes: [] };
  }

  async restart(name: string, signal?: AbortSignal): Promise<ActionResult> {
    const target = await this.summary(name, signal);
    const commands: CommandRun[] = [];
    if (RESTARTABLE.has(target.driver)) {
      const stop = await this.run(stopArgs(name), { signal, timeoutMs: 2 * MINUTE });
      commands.push(stop.command);
      if (stop.command.exitCode !== 0) {
        const failure = describeFailure(stop.command);
        throw commandFailed(`Restarting "${name}" failed while stopping it: ${failure.reason}`, failure.hint, commands);
      }
    }
    let inspected: InspectResult;
    try {
      inspected = await this.inspect(name, true, signal);
    } catch (error) {
      const rpc = RpcError.from(error);
      if (rpc.code === 'CANCELLED') throw rpc;
      const data = rpc.data as { commands?: CommandRun[] } | undefined;
      throw new RpcError(rpc.code, rpc.message, { hint: rpc.hint, data: { commands: [...commands, ...(data?.commands ?? [])] } });
    }
    commands.push(...inspected.commands.filter((c) => c.command.includes('--bootstrap')));
    const notes = target.driver === 'docker' ? ['The docker driver\'s BuildKit is part of the engine: it was not stopped, only asked again for its platforms.'] : [];
    if (inspected.builder.problem) {
      throw commandFailed(inspected.builder.problem.message, inspected.builder.problem.hint, commands);
    }
    return {
      message: `"${name}" restarted; it now lists ${inspected.builder.platforms.length} platform${inspected.builder.platforms.length === 1 ? '' : 's'}.`,
      commands,
      builder: inspected.builder,
      notes,
    };
  }

  async restartRunning(signal?: AbortSignal): Promise<RestartAllResult> {
    const list = await this.list(signal);
    const results: RestartAllResult['results'] = [];
    for (const builder of list.builders) {
      if (builder.status !== 'running' || !RESTARTABLE.has(builder.driver)) continue;
      try {
        const done = await this.restart(builder.name, signal);
        results.push({ name: builder.name, ok: true, message: done.message, commands: done.commands });
      } catch (error) {
        const rpc = RpcError.from(error);
        const data = rpc.data as { commands?: CommandRun[] } | undefined;
        results.push({ name: builder.name, ok: false, message: rpc.message, commands: data?.commands ?? [] });
      }
    }
    return { results };
  }

  async remove(name: string, keepState: boolean, signal?: AbortSignal): Promise<ActionResult> {
    const target = await this.summary(name, signal);
    if (target.driver === 'docker') {
      throw new RpcError('BUILDER_NOT_REMOVABLE', `"${name}" is the builder of a Docker context (docker driver); buildx cannot remove it.`, {
        hint: `To get rid of it, remove the Docker context itself (docker context rm ${name}).`,
      });
    }
    const run = await this.run(removeArgs(name, keepState && target.driver === 'docker-container'), { signal, timeoutMs: 2 * MINUTE });
    if (run.command.exitCode !== 0) {
      this.failIfMissing(name, run);
      const failure = describeFailure(run.command);
      throw commandFailed(`Removing "${name}" failed: ${failure.reason}`, failure.hint, [run.command]);
    }
    this.problems.delete(name);
    this.changed({ reason: 'removed', name });
    const notes: string[] = [];
    if (target.current) notes.push('It was the current builder; buildx falls back to "default".');
    if (keepState && target.driver === 'docker-container') notes.push(`Its build cache was kept (volume ${containerName(target.nodes[0]?.name ?? name)}_state).`);
    return { message: `Builder "${name}" removed.`, commands: [run.command], notes };
  }

  // ---- internals -------------------------------------------------------------------------------

  /** Engine facts the builders need, cached until the engine comes back up (a new generation). */
  private async engineFacts(): Promise<EngineFacts> {
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
        this.run(lsJsonArgs(), { signal, timeoutMs: MINUTE }),
        needCurrent ? this.currentName(facts, signal) : undefined,
      ]);
      if (ls.command.exitCode !== 0) {
        const failure = describeFailure(ls.command);
        throw commandFailed(`Listing builders failed: ${failure.reason}`, failure.hint, [ls.command]);
      }
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
    const ls = await this.run(lsTextArgs(), { signal, timeoutMs: MINUTE });
    if (ls.command.exitCode !== 0) {
      const failure = describeFailure(ls.command);
      throw commandFailed(`Listing builders failed: ${failure.reason}`, failure.hint, [ls.command]);
    }
    const parsed = parseLsText(ls.stdout);
    return { builders: parsed.builders, current: parsed.current ?? 'default', source: 'ls-text', commands: [ls.command] };
  }

  /**
   * The current builder. buildx < 0.24 says so only in its table (`*`); `buildx inspect` without a
   * name prints the current builder and loads only that one, so it is the cheaper question.
   */
  private async currentName(facts: EngineFacts, signal?: AbortSignal): Promise<{ name: string; commands: CommandRun[] }> {
    const inspect = await this.run(inspectArgs(undefined, false), { signal, timeoutMs: MINUTE });
    const name = inspect.command.exitCode === 0 ? parseInspect(inspect.stdout)?.name : undefined;
    if (name) return { name, commands: [inspect.command] };
    const ls = await this.run(lsTextArgs(), { signal, timeoutMs: MINUTE });
    const current = ls.command.exitCode === 0 ? parseLsText(ls.stdout).current : undefined;
    // buildx itself falls back to the context's builder when its pointer is stale.
    return { name: current ?? facts.endpoint.context ?? 'default', commands: [inspect.command, ls.command] };
  }

  private async summary(name: string, signal?: AbortSignal): Promise<BuilderSummary> {
    const list = await this.list(signal);
    const found = list.builders.find((b) => b.name === name);
    if (!found) throw notFound(name);
    return found;
  }

  private summarize(
    b: ParsedBuilder,
    current: string,
    facts: EngineFacts,
    contexts: ReadonlyMap<string, string>,
    emulators: EmulatorFacts | undefined,
  ): BuilderSummary {
    const nodes: BuilderNode[] = b.nodes.map((n) => this.nodeSummary(b.driver, n, facts, contexts, emulators));
    const status = builderStatus(b, nodes);
    if (status === 'running' && nodes.every((n) => n.status === 'running')) this.problems.delete(b.name);
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

  /** One node, classified against the engine host's CPU and emulators (the one `classify`). */
  private nodeSummary(driver: string, n: ParsedNode, facts: EngineFacts, contexts: ReadonlyMap<string, string>, emulators: EmulatorFacts | undefined): BuilderNode {
    const local = isLocalNode(driver, n.endpoint, facts.endpoint, contexts);
    const status = n.error ? 'error' : (n.status ?? 'unknown');
    const support = classify(
      { name: n.name, driver, reported: n.platforms, preferred: n.preferredPlatforms, local, enginePlatform: facts.platform, running: status === 'running' },
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

  /** The engine host's emulators; a failure is kept as the reason, never fails the listing. */
  private async readEmulators(): Promise<EmulatorRead> {
    if (!this.options.emulators) return { problem: 'the emulators status is not available in this version' };
    try {
      return { facts: await this.options.emulators() };
    } catch (error) {
      return { problem: (error as Error).message };
    }
  }

  /** Removes a builder a failed create left in buildx's store. */
  private async removeHalfMade(name: string, commands: CommandRun[]): Promise<'removed' | 'absent' | 'kept'> {
    const rm = await this.run(removeArgs(name, false), { timeoutMs: 2 * MINUTE });
    commands.push(rm.command);
    if (rm.command.exitCode === 0) {
      this.problems.delete(name);
      this.changed({ reason: 'removed', name });
      return 'removed';
    }
    return /no builder ".*" found|failed to find instance/i.test(rm.command.output) ? 'absent' : 'kept';
  }

  /** Removes a docker-container node's BuildKit container and state volume on the app's engine. */
  private async removeNodeContainer(node: string): Promise<boolean> {
    const docker = this.ctx.engine.client();
    const name = containerName(node);
    try {
      await docker.getContainer(name).remove({ force: true, v: true });
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) this.ctx.log(`builders: could not remove ${name}: ${(error as Error).message}`);
      return false;
    }
    await docker
      .getVolume(`${name}_state`)
      .remove()
      .catch(() => undefined);
    return true;
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
    const run = await this.run(['context', 'ls', '--format', '{{.Name}}\t{{.DockerEndpoint}}'], { signal, timeoutMs: 30_000 });
    if (run.command.exitCode === 0) {
      for (const line of run.stdout.split('\n')) {
        const [name, host] = line.trim().split('\t');
        if (name && host && wanted.has(name)) hosts.set(name, host);
      }
    }
    return { hosts, commands: [run.command] };
  }

  private recordProblem(name: string, message: string, hint: string | undefined, run: { command: CommandRun }): void {
    this.problems.set(name, {
      message,
      ...(hint ? { hint } : {}),
      command: run.command.command,
      output: run.command.output,
      at: new Date().toISOString(),
    });
  }

  private failIfMissing(name: string, run: { command: CommandRun }): void {
    if (/no builder ".*" found|failed to find instance/i.test(run.command.output)) {
      throw notFound(name, [run.command]);
    }
  }

  private changed(payload: BuildersChanged): void {
    this.ctx.emit('builders.onChanged', payload);
  }

  private async run(args: string[], options: CliRunOptions): Promise<{ command: CommandRun; stdout: string }> {
    const started = Date.now();
    const result = await this.ctx.cli.run(args, options);
    const output = [result.stdout.trim(), result.stderr.trim()].filter(Boolean).join('\n');
    return {
      stdout: result.stdout,
      command: {
        command: this.ctx.cli.display(args),
        exitCode: result.code,
        output: output.length > OUTPUT_KEEP ? `…${output.slice(-OUTPUT_KEEP)}` : output,
        durationMs: Date.now() - started,
      },
    };
  }
}

// ---- helpers ---------------------------------------------------------------------------------------

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

function freeName(base: string, taken: readonly string[]): string {
  if (!taken.includes(base)) return base;
  for (let i = 2; ; i++) if (!taken.includes(`${base}-${i}`)) return `${base}-${i}`;
}

/** Far above any real buildkitd.toml; buildx reads the whole file and copies it into the builder. */
export const MAX_BUILDKITD_CONFIG_BYTES = 1024 * 1024;

/** The BuildKit config must be a regular file of sensible size: buildx reads it whole. */
export async function assertBuildkitdConfig(path: string): Promise<void> {
  const s = await stat(path).catch(() => undefined);
  if (!s?.isFile()) {
    throw new RpcError('BAD_INPUT', `The BuildKit config file ${path} does not exist or is not a file.`, {
      hint: 'Give the absolute path of a buildkitd.toml on this computer.',
      data: { field: 'buildkitdConfig' },
    });
  }
  if (s.size > MAX_BUILDKITD_CONFIG_BYTES) {
    throw new RpcError('BAD_INPUT', `The BuildKit config file ${path} is ${Math.ceil(s.size / 1024)} KiB: too large for a buildkitd.toml (at most 1 MiB).`, {
      hint: 'Check that the path names the buildkitd.toml, not another file.',
      data: { field: 'buildkitdConfig' },
    });
  }
}

function notFound(name: string, commands: CommandRun[] = []): RpcError {
  return new RpcError('BUILDER_NOT_FOUND', `There is no builder named "${name}".`, {
    hint: 'Refresh the list: it may have been removed from the command line.',
    ...(commands.length ? { data: { commands } } : {}),
  });
}

function notStoppable(b: BuilderSummary): RpcError {
  return new RpcError('BUILDER_NOT_STOPPABLE', `"${b.name}" uses the ${b.driver} driver: its BuildKit is part of the Docker engine and cannot be stopped on its own.`, {
    hint: 'Nothing to do: it is always running while the engine is.',
  });
}

function commandFailed(message: string, hint: string | undefined, commands: CommandRun[]): RpcError {
  return new RpcError('BUILDER_COMMAND_FAILED', message, { ...(hint ? { hint } : {}), data: { commands } });
}

/** The line that says why a buildx command failed, and what to do about the usual causes. */
export function describeFailure(run: Pick<CommandRun, 'output'>, image?: string): { reason: string; hint: string } {
  const lines = run.output.split('\n').map((l) => l.trim()).filter(Boolean);
  const errorLine = [...lines].reverse().find((l) => /^(ERROR|error)\b|^#\d+ ERROR/.test(l)) ?? lines[lines.length - 1] ?? 'no output';
  const reason = errorLine.replace(/^#\d+\s+/, '').replace(/^ERROR:\s*/i, '');
  const text = run.output;
  let hint = 'Read the command output below; run the same command in a terminal to dig further.';
  if (/pull access denied|failed to resolve reference|no such host|manifest unknown|not found: manifest|repository does not exist|failed to pull|pulling failed/i.test(text)) {
    hint = `The BuildKit image${image ? ` ${image}` : ''} could not be pulled and is not on the engine. Pull or load it first (docker pull / docker load), or choose another image in the form or in Settings.`;
  } else if (/permission denied/i.test(text)) {
    hint = 'The Docker engine refused access: check that your user may use the Docker socket.';
  } else if (/connection refused|no such file or directory|cannot connect/i.test(text)) {
    hint = 'The endpoint did not answer: check that the engine or BuildKit daemon at that address is running and reachable.';
  } else if (/existing instance/i.test(text)) {
    hint = 'A builder with that name already exists.';
  } else if (/waiting for connection/i.test(text)) {
    hint = 'Nothing answered at the builder\'s endpoint: start the BuildKit daemon (or engine) there, or check the address.';
  } else if (/deadline exceeded|timed out|timeout/i.test(text)) {
    hint = 'The builder took too long to answer: check the endpoint and try again.';
  }
  return { reason, hint };
}
