import { join } from 'node:path';
import type { BuilderList, BuilderNode, BuilderSummary } from '../../../../shared/contract/builders';
import type { BuildChunk, BuildRecord, DistributeSpec } from '../../../../shared/contract/builds';
import { buildRequestInput, type BuildRequest } from '../../../../shared/domain/build-request/request';
import { checkBuild } from '../../../../shared/domain/build-request/checks';
import { routeBuild, routingNodeOf } from '../../../../shared/domain/buildx/routing';
import { nodeSupport, withoutBuilderChecks } from '../../../../shared/domain/distributed/assign';
import type { LaneState, Placement } from '../../../../shared/domain/distributed/model';
import {
  digestPlaceholder,
  digestRepository,
  displayArgv,
  laneCache,
  laneCommands,
  mergeArgv,
  NODE_BUILDER_PREFIX,
  nodeBuilderName,
  nodeEndpoint,
  removeBuilderArgs,
} from '../../../../shared/domain/distributed/plan';
import { normalizePlatform } from '../../../../shared/domain/platform';
import { RpcError } from '../../../../shared/rpc/errors';
import type { CoreContext } from '../../context';
import type { ImageInspector } from '../../images/image-inspector';
import { checkedContext } from '../admission';
import type { BuildService } from '../build-service';
import { newBuildId, toData } from '../record';
import { LOG_FILE } from '../history-store';
import { follow, Watcher } from '../watcher';
import { DistributedRun, type Job } from './distributed-run';
import { LaneRun, type NodeReach } from './lane-run';
import { latestLog, replayDistributed, sendDistributedReplay } from './replay';

export interface DistributedBuildsOptions {
  builds: BuildService;
  /** The builders with their nodes, as the Builders page lists them. */
  builders: (signal?: AbortSignal) => Promise<BuilderList>;
  inspector: Pick<ImageInspector, 'inspectImage'>;
  batchMs?: number;
  progressMs?: number;
}

/** A lane's node as found in the builder list now. */
interface Target {
  builder: BuilderSummary;
  node?: BuilderNode;
  reach?: NodeReach;
  placement: Placement;
}

const MINUTE = 60_000;

/**
 * Builds split over nodes: each platform on the node or builder chosen for it, in parallel, each
 * pushed by digest with its own cache; then one index under the tags, checked through the Results
 * inspector. Runs as a build of the build service (History, watch, cancel, the binary check).
 */
export class DistributedBuilds {
  private readonly builds: BuildService;

  constructor(
    private readonly ctx: CoreContext,
    private readonly options: DistributedBuildsOptions,
  ) {
    this.builds = options.builds;
    this.builds.replayer = sendDistributedReplay;
  }

  /** Starts a distributed build and follows it from its first byte. Ending the call only stops following. */
  async run(spec: DistributeSpec, send: (chunk: BuildChunk) => Promise<void>, signal: AbortSignal): Promise<BuildRecord> {
    const watcher = new Watcher(send, { platforms: spec.request.platforms });
    const run = await this.start(spec, watcher, signal);
    watcher.setLogFile(run.record.logFile);
    return follow(run, watcher, signal, () => watcher.push({ id: run.record.id, status: 'running' }));
  }

  async start(spec: DistributeSpec, first?: Watcher, signal?: AbortSignal): Promise<DistributedRun> {
    const request = spec.request;
    await this.builds.admit(request);
    const [context, list] = await Promise.all([checkedContext(request, this.ctx.picked), this.options.builders(signal)]);
    const stages = context.stagesSource === 'none' ? {} : { stages: context.stages.map((s) => s.name) };
    // The form's checks but those about its one builder: each platform has its own node here.
    await this.builds.admittedOnFacts((facts) => withoutBuilderChecks(checkBuild(request, facts, stages)), signal);
    const id = newBuildId();
    const targets = spec.lanes.map((choice) => resolveTarget(list, choice.platform, choice.builder, choice.node));
    const dir = await this.builds.store.createFolder(id);
    const lanes = request.platforms.map((platform) => laneState(id, request, platform, targets[spec.lanes.findIndex((l) => l.platform === platform)]!, spec.registryCache, this.ctx));
    const record: BuildRecord = {
      schema: 1,
      id,
      request: toData(request),
      command: [...lanes.flatMap((l) => l.commands), displayArgv(mergeArgv(request.tags, request.platforms.map((p) => `${digestRepository(request)}@${digestPlaceholder(p)}`)))].join('\n'),
      builder: { name: [...new Set(targets.map((t) => t.builder.name))].join(', '), ...(new Set(targets.map((t) => t.builder.driver)).size === 1 ? { driver: targets[0]!.builder.driver } : {}) },
      platforms: [...request.platforms],
      status: 'running',
      startedAt: new Date().toISOString(),
      outcomes: request.platforms.map((platform) => ({ platform, status: 'waiting', steps: 0, cached: 0 })),
      imageNames: [],
      logFile: join(dir, LOG_FILE),
      logBytes: 0,
      placements: request.platforms.map((p) => targets[spec.lanes.findIndex((l) => l.platform === p)]!.placement),
      distributed: { repository: digestRepository(request), registryCache: spec.registryCache, lanes, merge: { status: 'waiting', leftOut: [] } },
    };
    await this.builds.store.save(record);
    const run = this.runOf(record, request, targets);
    if (first) run.watchers.add(first);
    this.launch(run, { build: [...request.platforms] }, first);
    return run;
  }

  /** Builds one platform of an ended distributed build again; merges once every platform has its digest. */
  async retry(id: string, platform: string): Promise<BuildRecord> {
    const { record, request } = await this.ended(id);
    const wanted = normalizePlatform(platform);
    const lane = record.distributed!.lanes.find((l) => l.platform === wanted);
    if (!lane) throw new RpcError('BAD_INPUT', `Build ${id} has no platform ${wanted}.`, { hint: `Its platforms: ${record.platforms.join(', ')}.` });
    if (lane.status === 'succeeded') {
      throw new RpcError('DISTRIBUTE_NOTHING_TO_RETRY', `${wanted} was built already (${lane.digest ?? 'digest'}).`, { hint: 'Merge the platforms instead.' });
    }
    const list = await this.options.builders();
    const targets = record.distributed!.lanes.map((l) => (l.platform === wanted ? resolveTarget(list, l.platform, l.builder, l.node) : undefined));
    const run = this.runOf(record, request, targets);
    await this.replayEarlier(run, [wanted]);
    this.launch(run, { build: [wanted] });
    return run.record;
  }

  /** Merges the digests of an ended distributed build, leaving out exactly the platforms that have none (an explicit choice). */
  async merge(id: string, leaveOut: readonly string[]): Promise<BuildRecord> {
    const { record, request } = await this.ended(id);
    const state = record.distributed!;
    const missing = state.lanes.filter((l) => l.status !== 'succeeded').map((l) => l.platform);
    const chosen = [...new Set(leaveOut.map(normalizePlatform))];
    if (missing.length === state.lanes.length) {
      throw new RpcError('DISTRIBUTE_NOTHING_TO_MERGE', 'No platform of this build has an image yet.', { hint: 'Retry the platforms first.' });
    }
    if (chosen.length !== missing.length || !missing.every((p) => chosen.includes(p))) {
      throw new RpcError('DISTRIBUTE_MISSING_PLATFORMS', missing.length ? `${missing.join(', ')} ${missing.length === 1 ? 'has' : 'have'} no image: merging without ${missing.length === 1 ? 'it' : 'them'} must be chosen explicitly.` : `Nothing is missing: ${chosen.join(', ')} need not be left out.`, {
        hint: missing.length ? `Retry ${missing.join(', ')}, or merge again leaving out exactly ${missing.join(', ')}.` : 'Merge again without leaving anything out.',
        data: { missing },
      });
    }
    const run = this.runOf(record, request, []);
    await this.replayEarlier(run, []);
    this.launch(run, { build: [], leaveOut: missing });
    return run.record;
  }

  /**
   * Removes the single-node builders of this app's own builds that are no longer running (the app
   * stopped while a platform was building). Builders of builds it does not know (another data
   * folder, another instance) are left alone.
   */
  async sweep(): Promise<void> {
    const list = await this.options.builders().catch(() => undefined);
    const ours = (list?.builders ?? []).filter((b) => b.name.startsWith(NODE_BUILDER_PREFIX));
    if (ours.length === 0) return;
    const history = await this.builds.store.all().catch(() => [] as BuildRecord[]);
    for (const b of ours) {
      const owner = history.find((r) => r.distributed?.lanes.some((l) => l.runner === b.name));
      if (!owner || this.builds.isLive(owner.id)) continue;
      const rm = await this.ctx.cli.run(removeBuilderArgs(b.name), { timeoutMs: MINUTE }).catch(() => undefined);
      this.ctx.log(`distributed builds: left-over builder ${b.name} of build ${owner.id} ${rm?.code === 0 ? 'removed' : 'could not be removed'}`);
    }
  }

  private async ended(id: string): Promise<{ record: BuildRecord; request: BuildRequest }> {
    this.builds.assertOpen();
    if (this.builds.isLive(id)) throw new RpcError('BUILD_RUNNING', 'This build is still running.', { hint: 'Wait for it to end, or cancel it.' });
    const record = await this.builds.store.get(id);
    if (!record.distributed) throw new RpcError('BUILD_NOT_DISTRIBUTED', `Build ${id} was not split over nodes.`, { hint: 'Re-run it from History instead.' });
    const parsed = buildRequestInput.safeParse(record.request);
    if (!parsed.success) throw new RpcError('BUILD_RECORD_OUTDATED', `Build ${id}'s request no longer passes today's checks: ${parsed.error.issues[0]?.message ?? ''}`, { hint: 'Start it again from the Build page.' });
    return { record, request: parsed.data };
  }

  private runOf(record: BuildRecord, request: BuildRequest, targets: ReadonlyArray<Target | undefined>): DistributedRun {
    const dir = this.builds.store.dirOf(record.id);
    const state = structuredClone(record.distributed!);
    const next: BuildRecord = { ...record, distributed: state, status: 'running' };
    const lanes = (run: DistributedRun) =>
      state.lanes.map((lane, i) => {
        const reach = targets[i]?.reach;
        return new LaneRun(lane, this.ctx, {
          dir,
          request,
          registryCache: state.registryCache,
          ...(reach ? { reach } : {}),
          onOutput: (now) => run.output(now),
          onState: () => run.changed(),
        });
      });
    const run = new DistributedRun(next, lanes, this.ctx, {
      batchMs: this.options.batchMs ?? 10,
      progressMs: this.options.progressMs ?? 100,
      inspector: this.options.inspector,
      save: (r) => this.builds.store.save(r),
      conclude: (r, tell) => this.builds.conclude(r, tell),
    });
    return run;
  }

  /** Lanes this run does not build keep showing their last sub-build. */
  private async replayEarlier(run: DistributedRun, building: readonly string[]): Promise<void> {
    const { parts } = await replayDistributed(run.record);
    for (const lane of run.lanes) if (!building.includes(lane.platform) && latestLog(lane.state)) lane.earlier = parts.find((p) => p.platform === lane.platform)?.snapshot;
  }

  private launch(run: DistributedRun, job: Job, first?: Watcher): void {
    this.builds.adopt(run);
    first?.push({ id: run.record.id, status: 'running', ...(run.record.placements ? { placements: run.record.placements } : {}), distributed: structuredClone(run.record.distributed!) });
    void run.execute(job).catch((error: unknown) => this.ctx.log(`build ${run.record.id}: could not be finished: ${(error as Error).stack ?? String(error)}`));
  }
}

/**
 * A platform's builder and node as the list has them now, with how the app reaches that node
 * alone; refused when the builder or node is gone, cannot be reached on its own, or cannot build it.
 */
export function resolveTarget(list: BuilderList, platform: string, builderName: string, nodeName: string | undefined): Target {
  const builder = list.builders.find((b) => b.name === builderName);
  const refuse = (message: string, hint: string) => new RpcError('DISTRIBUTE_TARGET_INVALID', message, { hint, data: { platform } });
  if (!builder) throw refuse(`There is no builder "${builderName}" for ${platform}.`, 'Refresh the builders, then choose again.');
  if (!nodeName) {
    // buildx routes the platform inside the builder: the node it is expected to pick, as the map shows it.
    const routed = routeBuild(builder.nodes.map(routingNodeOf), [platform]).routes[0];
    const node = builder.nodes.find((n) => n.name === routed?.node);
    return { builder, ...(node ? { node } : {}), placement: placementOf(platform, builder, node, 'routed') };
  }
  const node = builder.nodes.find((n) => n.name === nodeName);
  if (!node) throw refuse(`Builder "${builderName}" has no node "${nodeName}" for ${platform}.`, `Its nodes: ${builder.nodes.map((n) => n.name).join(', ')}.`);
  if (nodeSupport(node, platform) === 'unavailable') {
    throw refuse(`Node "${nodeName}" of "${builderName}" cannot build ${platform}.`, 'Choose a node that runs it natively or has its emulator.');
  }
  if (builder.nodes.length === 1) return { builder, node, placement: placementOf(platform, builder, node, 'chosen') };
  const endpoint = nodeEndpoint(node, builder.driver);
  if (!endpoint) {
    throw refuse(`Node "${nodeName}" of "${builderName}" (${builder.driver} driver, ${node.endpoint}) cannot be reached on its own.`, `Choose the whole builder "${builderName}" for ${platform}: buildx then picks the node.`);
  }
  return { builder, node, reach: { endpoint, driverOpts: node.driverOpts }, placement: placementOf(platform, builder, node, 'chosen') };
}

function placementOf(platform: string, builder: BuilderSummary, node: BuilderNode | undefined, source: Placement['source']): Placement {
  const placement: Placement = { platform, builder: builder.name, source };
  if (node) {
    placement.node = node.name;
    placement.endpoint = node.endpoint;
    placement.support = nodeSupport(node, platform);
  }
  return placement;
}

function laneState(id: string, request: BuildRequest, platform: string, target: Target, registryCache: boolean, ctx: CoreContext): LaneState {
  const runner = target.reach ? nodeBuilderName(id, platform) : target.builder.name;
  const cache = laneCache(request, platform, registryCache);
  const commands = laneCommands(request, platform, runner, registryCache, target.reach).map((argv) => ctx.cli.display(argv));
  const lane: LaneState = { platform, builder: target.builder.name, runner, status: 'waiting', commands, cacheFrom: cache.from, cacheTo: cache.to, steps: 0, cached: 0, attempts: [] };
  if (target.reach && target.node) {
    lane.node = target.node.name;
    lane.endpoint = target.node.endpoint;
  }
  if (target.placement.support) lane.support = target.placement.support;
  return lane;
}
