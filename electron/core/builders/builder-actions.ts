import { stat } from 'node:fs/promises';
import type {
  ActionResult,
  AppendNodeSpec,
  BuilderSummary,
  BuildersChanged,
  CommandRun,
  CreateBuilderSpec,
  InspectResult,
  MultiPlatformCheck,
  PinPlatformsSpec,
  RestartAllResult,
} from '../../../shared/contract/builders';
import { appendArgs, buildxUseArgs, containerName, createArgs, leaveArgs, nextNodeName, pinArgs, removeArgs, stopArgs } from '../../../shared/domain/buildx/commands';
import { multiPlatformVerdict } from '../../../shared/domain/buildx/multi-platform';
import { buildxHas } from '../../../shared/domain/buildx/capabilities';
import { RpcError } from '../../../shared/rpc/errors';
import type { CoreContext } from '../context';
import type { BuilderListing } from './builder-listing';
import type { BuilderProblems } from './builder-problems';
import { describeFailure, isMissingBuilder, MINUTE, notFound, type BuildxRun, type BuildxRunner } from './buildx-runner';

/** Drivers whose BuildKit buildx can stop and start (the docker driver's is part of the engine). */
const RESTARTABLE = new Set(['docker-container', 'kubernetes', 'remote']);

/** What the user does to builders: create, append/remove nodes, use, stop, restart, remove; and the multi-platform check with its fix. */
export class BuilderActions {
  constructor(
    private readonly ctx: CoreContext,
    private readonly buildx: BuildxRunner,
    private readonly listing: BuilderListing,
    private readonly problems: BuilderProblems,
  ) {}

  async multiPlatform(name: string | undefined, signal?: AbortSignal): Promise<MultiPlatformCheck> {
    const list = await this.listing.list(signal);
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
        command: `${this.buildx.display(args)} && ${this.buildx.display(buildxUseArgs(fixName))}`,
      };
    }
    return check;
  }

  async create(spec: CreateBuilderSpec, signal?: AbortSignal): Promise<ActionResult> {
    const facts = await this.listing.engineFacts();
    if ((await this.listing.names(signal)).includes(spec.name)) {
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
    let created: BuildxRun;
    try {
      created = await this.buildx.run(args, { signal, timeoutMs: 10 * MINUTE });
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
        this.problems.record(spec.name, `Creating "${spec.name}" failed: ${failure.reason}`, failure.hint, created.command);
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
    this.problems.forget(spec.name);
    this.changed({ reason: 'created', name: spec.name });
    const notes: string[] = [];
    if (spec.use) {
      const use = await this.buildx.runOrFail(buildxUseArgs(spec.name), {
        signal,
        timeoutMs: MINUTE,
        failure: `Builder "${spec.name}" was created, but making it the current builder failed`,
        before: commands,
      });
      commands.push(use.command);
      this.changed({ reason: 'used', name: spec.name });
    }
    if (!spec.bootstrap) notes.push('It starts on its first build, or now with Inspect / Bootstrap.');
    const builder = await this.listing.summary(spec.name, signal);
    return {
      message: `Builder "${spec.name}" created${spec.bootstrap ? ' and started' : ''}${spec.use ? '; it is now the current builder' : ''}.`,
      commands,
      builder,
      notes,
    };
  }

  async appendNode(spec: AppendNodeSpec, signal?: AbortSignal): Promise<ActionResult> {
    const target = await this.listing.summary(spec.builder, signal);
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
    const run = await this.buildx.run(appendArgs({ ...spec, node }), { signal, timeoutMs: 10 * MINUTE });
    commands.push(run.command);
    if (run.command.exitCode !== 0) {
      const failure = describeFailure(run.command);
      // Like create, a failed start leaves the node in the builder: take it out again.
      const after = await this.listing.summary(spec.builder).catch(() => undefined);
      const ghost = after?.nodes.find((n) => n.name === node);
      let cleaned = '';
      if (ghost) {
        const leave = await this.buildx.run(leaveArgs(spec.builder, node), { timeoutMs: MINUTE });
        commands.push(leave.command);
        if (target.driver === 'docker-container' && ghost.local) await this.removeNodeContainer(node);
        cleaned = leave.command.exitCode === 0 ? ' The half-added node was taken out again.' : ` The half-added node "${node}" is still there: run ${this.buildx.display(leaveArgs(spec.builder, node))}.`;
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
      builder: await this.listing.summary(spec.builder, signal),
      notes: spec.bootstrap ? [] : ['The new node starts with the builder\'s next build, or now with Inspect / Bootstrap.'],
    };
  }

  /** Pins platforms on nodes, one `create --append` per node, so buildx routes each to its node. */
  async pin(spec: PinPlatformsSpec, signal?: AbortSignal): Promise<ActionResult> {
    const target = await this.listing.summary(spec.builder, signal);
    if (target.nodes.length < 2) {
      throw new RpcError('BUILDER_PIN_NEEDLESS', `"${spec.builder}" has one node: every platform goes there anyway.`, { hint: 'Pins matter for builders of several nodes.' });
    }
    const commands: CommandRun[] = [];
    for (const pin of spec.pins) {
      const node = target.nodes.find((n) => n.name === pin.node);
      if (!node) throw new RpcError('BUILDER_NODE_NOT_FOUND', `"${spec.builder}" has no node "${pin.node}".`, { hint: `Its nodes: ${target.nodes.map((n) => n.name).join(', ')}.`, data: { commands } });
      const run = await this.buildx.runOrFail(pinArgs(spec.builder, target.driver, node, pin.platforms), {
        signal,
        timeoutMs: 2 * MINUTE,
        failure: `Pinning ${pin.platforms.join(', ')} on node "${pin.node}" of "${spec.builder}" failed`,
        before: commands,
      });
      commands.push(run.command);
    }
    this.changed({ reason: 'pinned', name: spec.builder });
    return {
      message: `Pinned ${spec.pins.map((p) => `${p.platforms.join(', ')} on ${p.node}`).join('; ')}: buildx now sends each of them there when every platform of a build is pinned.`,
      commands,
      builder: await this.listing.summary(spec.builder, signal),
      notes: [],
    };
  }

  async removeNode(builderName: string, node: string, signal?: AbortSignal): Promise<ActionResult> {
    const target = await this.listing.summary(builderName, signal);
    const victim = target.nodes.find((n) => n.name === node);
    if (!victim) throw new RpcError('BUILDER_NODE_NOT_FOUND', `"${builderName}" has no node "${node}".`, { hint: `Its nodes: ${target.nodes.map((n) => n.name).join(', ')}.` });
    if (target.nodes.length === 1) {
      throw new RpcError('BUILDER_LAST_NODE', `"${node}" is the only node of "${builderName}".`, { hint: 'Remove the builder instead.' });
    }
    const run = await this.buildx.runOrFail(leaveArgs(builderName, node), { signal, timeoutMs: MINUTE, failure: `Removing node "${node}" from "${builderName}" failed` });
    // `--leave` only edits buildx's store; the node's BuildKit container would stay behind.
    const notes: string[] = [];
    if (target.driver === 'docker-container' && victim.local) {
      const removed = await this.removeNodeContainer(node);
      if (removed) notes.push(`Its container ${containerName(node)} was removed too.`);
    }
    this.changed({ reason: 'node-removed', name: builderName });
    return { message: `Node "${node}" left "${builderName}".`, commands: [run.command], builder: await this.listing.summary(builderName, signal), notes };
  }

  async use(name: string, signal?: AbortSignal): Promise<ActionResult> {
    const run = await this.buildx.runOrFail(buildxUseArgs(name), { signal, timeoutMs: MINUTE, failure: `Making "${name}" the current builder failed`, builder: name });
    this.changed({ reason: 'used', name });
    return { message: `"${name}" is now the current builder: builds without --builder use it.`, commands: [run.command], builder: await this.listing.summary(name, signal), notes: [] };
  }

  async stop(name: string, signal?: AbortSignal): Promise<ActionResult> {
    const target = await this.listing.summary(name, signal);
    if (!RESTARTABLE.has(target.driver)) throw notStoppable(target);
    const run = await this.buildx.runOrFail(stopArgs(name), { signal, timeoutMs: 2 * MINUTE, failure: `Stopping "${name}" failed` });
    this.changed({ reason: 'stopped', name });
    return { message: `"${name}" stopped. It starts again on its next build.`, commands: [run.command], builder: await this.listing.summary(name, signal), notes: [] };
  }

  async restart(name: string, signal?: AbortSignal): Promise<ActionResult> {
    const target = await this.listing.summary(name, signal);
    const commands: CommandRun[] = [];
    if (RESTARTABLE.has(target.driver)) {
      const stop = await this.buildx.runOrFail(stopArgs(name), { signal, timeoutMs: 2 * MINUTE, failure: `Restarting "${name}" failed while stopping it` });
      commands.push(stop.command);
    }
    let inspected: InspectResult;
    try {
      inspected = await this.listing.inspect(name, true, signal);
    } catch (error) {
      const rpc = RpcError.from(error);
      if (rpc.code === 'CANCELLED') throw rpc;
      const data = rpc.data as { commands?: CommandRun[] } | undefined;
      throw new RpcError(rpc.code, rpc.message, { hint: rpc.hint, data: { commands: [...commands, ...(data?.commands ?? [])] } });
    }
    commands.push(...inspected.commands.filter((c) => c.command.includes('--bootstrap')));
    const notes = target.driver === 'docker' ? ['The docker driver\'s BuildKit is part of the engine: it was not stopped, only asked again for its platforms.'] : [];
    if (inspected.builder.problem) {
      const p = inspected.builder.problem;
      throw new RpcError('BUILDER_COMMAND_FAILED', p.message, { ...(p.hint ? { hint: p.hint } : {}), data: { commands } });
    }
    return {
      message: `"${name}" restarted; it now lists ${inspected.builder.platforms.length} platform${inspected.builder.platforms.length === 1 ? '' : 's'}.`,
      commands,
      builder: inspected.builder,
      notes,
    };
  }

  async restartRunning(signal?: AbortSignal): Promise<RestartAllResult> {
    const list = await this.listing.list(signal);
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
    const target = await this.listing.summary(name, signal);
    if (target.driver === 'docker') {
      throw new RpcError('BUILDER_NOT_REMOVABLE', `"${name}" is the builder of a Docker context (docker driver); buildx cannot remove it.`, {
        hint: `To get rid of it, remove the Docker context itself (docker context rm ${name}).`,
      });
    }
    const run = await this.buildx.runOrFail(removeArgs(name, keepState && target.driver === 'docker-container'), {
      signal,
      timeoutMs: 2 * MINUTE,
      failure: `Removing "${name}" failed`,
      builder: name,
    });
    this.problems.forget(name);
    this.changed({ reason: 'removed', name });
    const notes: string[] = [];
    if (target.current) notes.push('It was the current builder; buildx falls back to "default".');
    if (keepState && target.driver === 'docker-container') notes.push(`Its build cache was kept (volume ${containerName(target.nodes[0]?.name ?? name)}_state).`);
    return { message: `Builder "${name}" removed.`, commands: [run.command], notes };
  }

  /** Removes a builder a failed create left in buildx's store. */
  private async removeHalfMade(name: string, commands: CommandRun[]): Promise<'removed' | 'absent' | 'kept'> {
    const rm = await this.buildx.run(removeArgs(name, false), { timeoutMs: 2 * MINUTE });
    commands.push(rm.command);
    if (rm.command.exitCode === 0) {
      this.problems.forget(name);
      this.changed({ reason: 'removed', name });
      return 'removed';
    }
    return isMissingBuilder(rm) ? 'absent' : 'kept';
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

  private changed(payload: BuildersChanged): void {
    this.ctx.emit('builders.onChanged', payload);
  }
}

function notStoppable(b: BuilderSummary): RpcError {
  return new RpcError('BUILDER_NOT_STOPPABLE', `"${b.name}" uses the ${b.driver} driver: its BuildKit is part of the Docker engine and cannot be stopped on its own.`, {
    hint: 'Nothing to do: it is always running while the engine is.',
  });
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
