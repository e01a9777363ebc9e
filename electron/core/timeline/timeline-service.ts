import type { BuildRecord } from '../../../shared/contract/builds';
import type { StepLog } from '../../../shared/contract/timeline';
import { compareBuilds, stepRun, timelineOf, trendOf, type BuildComparison, type BuildTimeline, type Trend } from '../../../shared/domain/timeline';
import { RpcError } from '../../../shared/rpc/errors';
import type { BuildService } from '../builds/build-service';
import { replayLog } from '../builds/log-pipeline';
import { planTimeline } from '../builds/run-context';
import { readTimeline, TIMELINE_TAIL_LINES, writeTimeline } from '../builds/timeline-file';
import type { CoreContext } from '../context';

/**
 * Where a build's time went: its timeline (live from its parser, or stored beside its record), the
 * trend of its context and Dockerfile, and the comparison of two builds. A build without a stored
 * timeline (made before the app kept them, or its file unreadable) gets one from its log.
 */
export class TimelineService {
  constructor(
    private readonly ctx: Pick<CoreContext, 'log'>,
    private readonly builds: BuildService,
  ) {}

  async get(id: string, signal?: AbortSignal): Promise<BuildTimeline> {
    const live = this.builds.liveBuild(id);
    if (live) return timelineOf(live.pipeline.tracker.snapshot(), { run: live.describe, digests: true, ...live.plan.extras });
    const record = await this.builds.store.get(id);
    const dir = this.builds.store.dirOf(id);
    const stored = await readTimeline(dir).catch((error: unknown) => {
      this.ctx.log(`build ${id}: ${(error as Error).message} It is made again from the log.`);
      return undefined;
    });
    return stored ?? this.fromLog(record, signal);
  }

  /** The last lines of one step of a running build (a finished build's timeline holds them). */
  stepLog(id: string, digest: string): StepLog {
    const live = this.builds.liveBuild(id);
    if (!live) throw new RpcError('BUILD_NOT_RUNNING', 'This build has ended: its timeline holds each step’s last lines.', { hint: 'Open the build again from History.' });
    const step = live.pipeline.tracker.step(digest);
    if (!step) throw new RpcError('STEP_NOT_FOUND', `Build ${id} has no step ${digest.slice(0, 19)}….`, { hint: 'The step may not have started yet.' });
    return { lines: step.lastLogLines, count: step.logLineCount };
  }

  async trend(id: string): Promise<Trend> {
    const record = this.builds.liveRecord(id) ?? (await this.builds.store.get(id));
    // the newest 200 builds: plenty for a trend of the last 30 builds of the same inputs
    const ids = (await this.builds.store.ids()).slice(0, 200);
    const builds = (await Promise.all(ids.map((other) => this.builds.store.read(other)))).flatMap((r) => (r.record ? [r.record] : []));
    return trendOf(builds, record);
  }

  async compare(a: string, b: string, signal?: AbortSignal): Promise<BuildComparison> {
    const side = async (id: string) => {
      const record = await this.builds.store.get(id);
      if (record.status === 'running') {
        throw new RpcError('BUILD_RUNNING', `Build ${id} is still running; compare it once it has ended.`, { hint: 'Wait for it to end.' });
      }
      return { ...record, builder: record.builder.name, timeline: await this.get(id, signal) };
    };
    return compareBuilds(await side(a), await side(b));
  }

  /** Parses the build's log again and saves what it gives (steps' kinds judged with today's builder facts). */
  private async fromLog(record: BuildRecord, signal?: AbortSignal): Promise<BuildTimeline> {
    const pipeline = await replayLog(record.logFile, record.id, record.platforms, async () => undefined, signal ? { signal } : {});
    if (record.status !== 'running') pipeline.end(record.exitCode ?? (record.status === 'succeeded' ? 0 : 1));
    const facts = await this.builds.recentFacts(signal).catch(() => undefined);
    const plan = facts ? await planTimeline({ ...record.request, builder: record.builder.name }, facts) : undefined;
    const timeline = timelineOf(pipeline.tracker.snapshot(), {
      tailLines: TIMELINE_TAIL_LINES,
      ...(plan ? { run: (s) => stepRun(s, plan.run), ...plan.extras } : {}),
      notes: [
        ...(plan?.extras.notes ?? []),
        facts
          ? 'This timeline was made from the build’s log after the build: how each step ran is judged with the builder and Dockerfile as they are now.'
          : 'This timeline was made from the build’s log; the builder could not be asked, so how each step ran is not known.',
      ],
    });
    await writeTimeline(this.builds.store.dirOf(record.id), timeline).catch((error: unknown) => this.ctx.log(`build ${record.id}: timeline not saved: ${(error as Error).message}`));
    return timeline;
  }
}
