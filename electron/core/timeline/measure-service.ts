import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Measurement, MeasuredRun, MeasureVariant } from '../../../shared/contract/timeline';
import { buildArgv, resolveDockerfile } from '../../../shared/domain/build-request/argv';
import { buildRequestInput, type BuildRequest } from '../../../shared/domain/build-request/request';
import { analyzeDockerfile } from '../../../shared/domain/dockerfile';
import { namedStage, speedUp, stageMs, stageSteps, timelineOf } from '../../../shared/domain/timeline';
import { RpcError } from '../../../shared/rpc/errors';
import { checkedContext } from '../builds/admission';
import type { BuildService } from '../builds/build-service';
import { sweepLeftovers } from '../builds/leftovers';
import { LogPipeline } from '../builds/log-pipeline';
import { failureOf } from '../builds/record';
import { nodeForBuild } from '../builds/run-context';
import type { CoreContext } from '../context';
import { contentDigest, offeredRewrite } from '../dockerfile/apply';
import { readDockerfile } from '../dockerfile/dockerfile-file';

/** Lines of a failed build's log kept in the measurement. */
const LOG_TAIL_LINES = 40;
const TEMP_PREFIX = 'measure-';

export interface MeasureInput {
  id: string;
  rule: 'compile-under-emulation';
  line: number;
}

/**
 * "Measure it": for each emulated platform of an ended build, builds the compile stage the advice
 * flags twice, with the Dockerfile as it is and with the advice's cross-compile rewrite, and
 * reports what BuildKit says the stage took in each. Both are temporary copies in the data
 * folder's `temp/` (the user's file is only read), built one after the other on the build's own
 * builder with its context and arguments, `--output type=cacheonly` and `--no-cache-filter` on the
 * measured stage alone, so each variant redoes exactly the work being compared and nothing else.
 */
export class MeasureService {
  private readonly running = new Set<AbortController>();
  private measuring = false;

  constructor(
    private readonly ctx: CoreContext,
    private readonly builds: BuildService,
  ) {}

  /** Copies a measurement left when the app was killed mid-way (each removes its own otherwise). */
  async sweep(): Promise<void> {
    const dir = join(this.ctx.dataDir, 'temp');
    const names = await readdir(dir).catch(() => [] as string[]);
    await Promise.all(names.filter((n) => n.startsWith(TEMP_PREFIX)).map((n) => rm(join(dir, n), { recursive: true, force: true })));
  }

  /** One measurement at a time: two would take CPU from each other and spoil both. */
  async measure(input: MeasureInput, send: (m: Measurement) => void, signal: AbortSignal): Promise<Measurement> {
    if (this.measuring) throw new RpcError('BUSY', 'A measurement is running already: measurements run one at a time so that they do not slow each other down.', { hint: 'Wait for it to end, or cancel it.' });
    this.measuring = true;
    try {
      return await this.measureOnce(input, send, signal);
    } finally {
      this.measuring = false;
    }
  }

  private async measureOnce(input: MeasureInput, send: (m: Measurement) => void, signal: AbortSignal): Promise<Measurement> {
    if (this.builds.isLive(input.id)) throw new RpcError('BUILD_RUNNING', 'This build is still running: measure once it has ended.', { hint: 'Wait for it to end, or cancel it.' });
    const record = await this.builds.store.get(input.id);
    const parsed = buildRequestInput.safeParse(record.request);
    if (!parsed.success) {
      throw new RpcError('BUILD_RECORD_OUTDATED', `Build ${input.id}'s request no longer passes today's checks: ${parsed.error.issues[0]?.message ?? ''}`, { hint: 'Build it again from the Build page, then measure.' });
    }
    // The same builder, context, arguments and target; nothing kept but the cache, nothing pushed or exported.
    const base: BuildRequest = {
      ...parsed.data,
      builder: record.builder.name,
      tags: [],
      output: { type: 'cacheonly' },
      provenance: false,
      sbom: false,
      noCache: false,
      pull: false,
      cacheTo: [],
    };
    delete base.overwrite;
    await this.builds.admit(base);
    await checkedContext(base, this.ctx.picked);

    // The user's file, read and analysed as "Apply" reads it; the copies are made from its text.
    const file = await readDockerfile({ contextDir: base.context, dockerfile: resolveDockerfile(base) }, this.ctx.picked);
    offeredRewrite(file.text, input, record.platforms, file.path);
    const analysis = analyzeDockerfile(file.text, { platforms: record.platforms });
    const finding = analysis.findings.find((f) => f.rule === input.rule && f.line === input.line && f.edits);
    const stage = analysis.stages[finding?.stageIndex ?? -1];
    if (!finding || !stage) throw new RpcError('REWRITE_NOT_OFFERED', `No stage of ${file.path} has a rewrite for ${input.rule} on line ${input.line}.`, { hint: 'Check the Dockerfile advice again.' });
    const named = namedStage(
      file.text,
      stage,
      analysis.stages.flatMap((s) => (s.name ? [s.name] : [])),
    );
    const rewritten = offeredRewrite(named.text, input, record.platforms, file.path);

    // Only platforms the builder emulates: cross-compiling changes nothing for native ones.
    const facts = await this.builds.recentFacts(signal);
    if (!facts.buildersUnknown && !facts.builders.some((b) => b.name === record.builder.name)) {
      throw new RpcError('BUILDER_NOT_FOUND', `The builder ${record.builder.name} that made this build is gone, so the measurement would not compare like with like.`, {
        hint: 'Build again on an existing builder, then measure.',
      });
    }
    const nodeFor = nodeForBuild(facts, record.builder.name);
    const emulated = record.platforms.filter((p) => nodeFor(p)?.support(p) === 'emulated');
    if (emulated.length === 0) {
      throw new RpcError('MEASURE_NOTHING_EMULATED', `The builder ${record.builder.name} runs none of ${record.platforms.join(', ')} under emulation: cross-compiling would change nothing to measure.`, {
        hint: 'Measure a build with a platform the Builders page marks as emulated.',
      });
    }

    const tempRoot = join(this.ctx.dataDir, 'temp');
    await mkdir(tempRoot, { recursive: true, mode: 0o700 });
    const tempDir = await mkdtemp(join(tempRoot, TEMP_PREFIX));
    const abort = new AbortController();
    const stop = () => abort.abort();
    signal.addEventListener('abort', stop, { once: true });
    this.running.add(abort);
    try {
      const files: Record<MeasureVariant, string> = { current: join(tempDir, 'current.Dockerfile'), rewrite: join(tempDir, 'rewrite.Dockerfile') };
      await writeFile(files.current, named.text, { mode: 0o600 });
      await writeFile(files.rewrite, rewritten.text, { mode: 0o600 });
      // buildx reads `<Dockerfile>.dockerignore` before the context's .dockerignore: the copies keep the original's.
      for (const variant of ['current', 'rewrite'] as const) {
        await copyFile(`${file.real}.dockerignore`, `${files[variant]}.dockerignore`).catch(() => undefined);
      }
      const requestOf = (variant: MeasureVariant, platform: string): BuildRequest => ({ ...base, platforms: [platform], dockerfile: files[variant] });
      const commandOf = (variant: MeasureVariant, platform: string) => this.ctx.cli.display(buildArgv(requestOf(variant, platform), { noCacheFilter: [named.name] }));
      const waiting = (variant: MeasureVariant, platform: string): MeasuredRun => ({ variant, status: 'waiting', command: commandOf(variant, platform) });
      const result: Measurement = {
        context: base.context,
        dockerfile: file.path,
        dockerfileSha256: contentDigest(file.text),
        finding,
        buildPlatforms: [...record.platforms],
        stage: named.name,
        stageNamed: named.named,
        builder: record.builder.name,
        tempDir,
        rewrite: rewritten.edits.map((e) => e.text).join('\n…\n'),
        platforms: emulated.map((platform) => ({ platform, current: waiting('current', platform), rewrite: waiting('rewrite', platform) })),
        notes: [],
      };
      if (record.dockerfileSha256 && record.dockerfileSha256 !== result.dockerfileSha256) {
        result.notes.push(`${file.path} changed since this build: the measurement builds it as it is now.`);
      }
      if (named.named) result.notes.push(`The stage had no name: both copies call it ${named.name} so that only its cache is bypassed.`);
      send(result);
      // One build at a time: two at once would take CPU from each other and spoil both numbers.
      for (const entry of result.platforms) {
        for (const variant of ['current', 'rewrite'] as const) {
          entry[variant] = { ...entry[variant], status: 'running' };
          send(result);
          entry[variant] = await this.runOne(requestOf(variant, entry.platform), entry[variant], named.name, join(tempDir, `${variant}-${entry.platform.replace(/\W+/g, '-')}.json`), abort.signal);
          const speed = speedUp(entry.current, entry.rewrite);
          if (speed !== undefined) entry.speedUp = speed;
          send(result);
        }
      }
      return result;
    } finally {
      signal.removeEventListener('abort', stop);
      this.running.delete(abort);
      await rm(tempDir, { recursive: true, force: true }).catch((error: unknown) => this.ctx.log(`measure: ${tempDir} not removed: ${(error as Error).message}`));
    }
  }

  /** One measured build; its failure is part of the result, a cancel ends the measurement. */
  private async runOne(request: BuildRequest, run: MeasuredRun, stage: string, marker: string, signal: AbortSignal): Promise<MeasuredRun> {
    const pipeline = new LogPipeline(request.platforms);
    const tail: string[] = [];
    const keep = () => {
      const text = pipeline.take()?.text;
      if (!text) return;
      // eslint-disable-next-line no-control-regex -- the terminal's colour codes are not part of a log line
      for (const line of text.replace(/\x1b\[[0-9;]*m/g, '').split(/\r?\n/)) if (line.trim()) tail.push(line);
      tail.splice(0, Math.max(0, tail.length - LOG_TAIL_LINES));
    };
    const started = Date.now();
    let code: number;
    try {
      await this.builds.admit(request);
      const argv = buildArgv(request, { progress: 'rawjson', metadataFile: marker, noCacheFilter: [stage] });
      ({ code } = await this.ctx.cli.run(argv, {
        build: true,
        signal,
        cwd: request.context,
        maxCaptureBytes: 64 * 1024,
        onStderr: (chunk) => {
          pipeline.push(chunk);
          keep();
        },
      }));
    } catch (error) {
      const e = RpcError.from(error);
      if (e.code === 'CANCELLED') {
        await sweepLeftovers(marker);
        throw new RpcError('CANCELLED', 'The measurement was cancelled: its build was stopped.');
      }
      return { ...run, status: 'failed', problem: { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) } };
    }
    const processMs = Date.now() - started;
    pipeline.end(code);
    keep();
    const snap = pipeline.tracker.snapshot();
    const lane = timelineOf(snap).lanes[0];
    const done: MeasuredRun = { ...run, status: code === 0 ? 'succeeded' : 'failed', processMs };
    const ms = lane ? stageMs(lane, stage) : undefined;
    if (ms !== undefined) done.stageMs = ms;
    if (lane) {
      done.steps = stageSteps(lane, stage)
        .filter((s) => s.status !== 'cached' && s.start !== undefined && s.end !== undefined)
        .map((s) => ({ name: `[${s.label ?? ''}] ${s.name}`, ms: (s.end ?? 0) - (s.start ?? 0) }));
    }
    if (lane?.durationMs !== undefined) done.buildMs = lane.durationMs;
    if (code !== 0) {
      const failure = failureOf(snap);
      const what = run.variant === 'current' ? 'The Dockerfile as it is' : 'The rewrite';
      done.problem = {
        code: 'MEASURE_BUILD_FAILED',
        message: `${what} did not build for ${request.platforms.join(', ')}: ${failure.message ?? failure.cause.explanation}`,
        hint: failure.cause.fix,
      };
      done.log = tail;
    } else if (ms === undefined) {
      done.problem = { code: 'MEASURE_BUILD_FAILED', message: `The build ran no step of stage ${stage} (BuildKit gave no times for it), so there is nothing to compare.`, hint: 'Check the stage name and that the stage is part of the built target.' };
      done.status = 'failed';
      done.log = tail;
    }
    return done;
  }

  /** Stops running measurements (the app closes). */
  dispose(): void {
    for (const abort of this.running) abort.abort();
  }
}
