import { arch } from 'node:os';
import {
  MAX_FINDINGS,
  MAX_SOURCE_LINE,
  type AnalyzeInput,
  type ApplyInput,
  type ApplyResult,
  type BuildChecksReport,
  type DockerfileLocation,
  type DockerfileReport,
  type PreflightImage,
  type PreflightInput,
  type PreflightReport,
} from '../../../shared/contract/dockerfile';
import { analyzeDockerfile, planPreflight, preflightFindings, targetStages, type PreflightEntry } from '../../../shared/domain/dockerfile';
import { nativePlatform, normalizePlatform } from '../../../shared/domain/platform';
import { RpcError } from '../../../shared/rpc/errors';
import type { CoreContext } from '../context';
import type { ImagePlatforms } from '../images';
import type { PickedPaths } from '../picked-paths';
import { applyRewrite, contentDigest } from './apply';
import { runBuildChecks } from './build-checks';
import { readDockerfile } from './dockerfile-file';
import { mapLimit } from '../map-limit';

/** What the preflight needs from the images domain (its registry access and per-digest cache). */
export interface PlatformLister {
  listPlatforms(reference: string, options: { signal?: AbortSignal }): Promise<ImagePlatforms>;
}

export interface DockerfileServiceOptions {
  /** Files the user picked in the desktop shell's file dialog (readable outside the context). */
  picked?: PickedPaths;
  /** Per base image, so one silent registry cannot hold the whole preflight. */
  imageTimeoutMs?: number;
  /** When one image's lookup gives up: `imageTimeoutMs` after it starts (a test gives its own signal instead of waiting). */
  imageDeadline?: (image: string) => AbortSignal;
  parallelLookups?: number;
  /** BuildKit's checks, bounded: a builder that is slow to start must not keep the panel waiting for ever. */
  checkTimeoutMs?: number;
}

const BUILD_PLATFORM_TTL_MS = 60_000;

// Node's names for the core's own CPU, in Docker's spelling (used only when the engine cannot be asked).
const NODE_ARCH: Record<string, string> = { x64: 'amd64', ia32: '386', arm: 'arm/v7', ppc64: 'ppc64le' };


/**
 * Dockerfile advice: the analysis of the file on disk, and the preflight of its base images
 * against the ticked platforms before a build.
 */
export class DockerfileService {
  private readonly imageTimeoutMs: number;
  private readonly imageDeadline: (image: string) => AbortSignal;
  private readonly parallel: number;
  private readonly checkTimeoutMs: number;
  private readonly picked: PickedPaths | undefined;
  private buildPlatformCache?: { value: { platform: string; source: 'engine' | 'host' }; at: number };

  constructor(
    private readonly context: Pick<CoreContext, 'engine' | 'cli' | 'log' | 'dataDir'>,
    private readonly images: PlatformLister,
    options: DockerfileServiceOptions = {},
  ) {
    this.imageTimeoutMs = options.imageTimeoutMs ?? 15_000;
    this.imageDeadline = options.imageDeadline ?? (() => AbortSignal.timeout(this.imageTimeoutMs));
    this.parallel = options.parallelLookups ?? 6;
    this.checkTimeoutMs = options.checkTimeoutMs ?? 60_000;
    this.picked = options.picked;
  }

  async analyze(input: AnalyzeInput): Promise<DockerfileReport> {
    const file = await readDockerfile(input, this.picked);
    const analysis = analyzeDockerfile(file.text, input.platforms ? { platforms: input.platforms } : {});
    const omittedFindings = Math.max(0, analysis.findings.length - MAX_FINDINGS);
    const severity = { error: 0, warning: 1, info: 2 } as const;
    const kept = new Set([...analysis.findings].sort((a, b) => severity[a.severity] - severity[b.severity] || a.line - b.line).slice(0, MAX_FINDINGS));
    const sent = {
      ...analysis,
      findings: analysis.findings.filter((f) => kept.has(f)),
      parseErrors: analysis.parseErrors.slice(0, MAX_FINDINGS),
      suppressed: analysis.suppressed.slice(0, MAX_FINDINGS),
      platformArgRefs: analysis.platformArgRefs.slice(0, 10 * MAX_FINDINGS),
    };
    return {
      dockerfile: file.path,
      sizeBytes: file.sizeBytes,
      contentDigest: contentDigest(file.text),
      sourceLines: linesShown(file.text, sent),
      analysis: sent,
      targetStages: targetStages(analysis),
      omittedFindings,
    };
  }

  /** Writes a finding's rewrite (see apply.ts), then analyses the file as written. */
  async apply(input: ApplyInput): Promise<ApplyResult> {
    const applied = await applyRewrite(input, { dataDir: this.context.dataDir, ...(this.picked ? { picked: this.picked } : {}) });
    this.context.log(`dockerfile: applied a ${input.finding.rule} rewrite to ${applied.dockerfile} (backup ${applied.backup})`);
    return { ...applied, report: await this.analyze(input) };
  }

  /** BuildKit's own checks of the file (build-checks.ts), read through the same checks as the analysis first. */
  async checks(input: DockerfileLocation, signal: AbortSignal): Promise<BuildChecksReport> {
    const file = await readDockerfile(input, this.picked);
    return runBuildChecks(file, { cli: this.context.cli, buildx: () => this.context.engine.buildx() }, { signal, timeoutMs: this.checkTimeoutMs });
  }

  async preflight(input: PreflightInput, options: { signal: AbortSignal; onImage?: (image: PreflightImage) => Promise<void> }): Promise<PreflightReport> {
    const started = performance.now();
    const file = await readDockerfile(input, this.picked);
    const analysis = analyzeDockerfile(file.text);
    const build = await this.buildPlatform();
    const targetPlatforms = [...new Set(input.platforms.map(normalizePlatform))];
    const plan = planPreflight(analysis, {
      targetPlatforms,
      buildPlatform: build.platform,
      ...(input.buildArgs ? { buildArgs: input.buildArgs } : {}),
      ...(input.target ? { target: input.target } : {}),
    });

    const users = new Map<string, PreflightEntry[]>();
    for (const entry of plan) users.set(entry.image, [...(users.get(entry.image) ?? []), entry]);
    const images = await mapLimit([...users.entries()], this.parallel, async ([image, entries]) => {
      const result = await this.lookUp(image, entries, options.signal);
      await options.onImage?.(result);
      return result;
    });

    const available = new Map(images.flatMap((i) => (i.status === 'ok' && i.platforms ? [[i.image, i.platforms] as const] : [])));
    return {
      dockerfile: file.path,
      targetPlatforms,
      buildPlatform: build.platform,
      buildPlatformSource: build.source,
      plan,
      images,
      findings: preflightFindings(plan, available),
      parseErrors: analysis.parseErrors,
      durationMs: performance.now() - started,
    };
  }

  private async lookUp(image: string, entries: PreflightEntry[], signal: AbortSignal): Promise<PreflightImage> {
    const started = performance.now();
    const usedBy = entries.map((e) => ({ stageIndex: e.stageIndex, line: e.line, ...(e.stageName ? { stageName: e.stageName } : {}) }));
    const timeout = this.imageDeadline(image);
    try {
      const found = await this.images.listPlatforms(image, { signal: AbortSignal.any([signal, timeout]) });
      return {
        image,
        status: 'ok',
        digest: found.digest,
        kind: found.kind,
        platforms: found.platforms.map(normalizePlatform),
        usedBy,
        durationMs: performance.now() - started,
      };
    } catch (error) {
      if (signal.aborted) throw new RpcError('CANCELLED', 'The preflight was cancelled.');
      const rpc = RpcError.from(error);
      const problem = timeout.aborted
        ? {
            code: 'REGISTRY_TIMEOUT' as const,
            message: `Could not check \`${image}\`: its registry did not answer within ${Math.round(this.imageTimeoutMs / 1000)} s.`,
            hint: 'Check the network or the registry address; the other base images are still checked.',
          }
        : {
            code: rpc.code,
            message: `Could not check \`${image}\`: ${rpc.message}`,
            ...(rpc.hint ? { hint: rpc.hint } : {}),
          };
      return { image, status: 'error', error: problem, usedBy, durationMs: performance.now() - started };
    }
  }

  /** `$BUILDPLATFORM` is the engine's native platform (the default builder runs there). */
  private async buildPlatform(): Promise<{ platform: string; source: 'engine' | 'host' }> {
    const cached = this.buildPlatformCache;
    if (cached && performance.now() - cached.at < BUILD_PLATFORM_TTL_MS) return cached.value;
    try {
      const info = (await this.context.engine.client().info()) as { OSType?: string; Architecture?: string };
      const value = { platform: nativePlatform(info.OSType ?? 'linux', info.Architecture ?? 'unknown'), source: 'engine' as const };
      this.buildPlatformCache = { value, at: performance.now() };
      return value;
    } catch (error) {
      this.context.log(`dockerfile preflight: engine info unavailable (${(error as Error).message}); assuming the core's platform`);
      return { platform: normalizePlatform(`linux/${NODE_ARCH[arch()] ?? arch()}`), source: 'host' };
    }
  }
}

/** The lines a report points at: findings (up to 6 lines each), parse errors, stages and what they reference. */
function linesShown(text: string, analysis: DockerfileReport['analysis']): DockerfileReport['sourceLines'] {
  const wanted = new Set<number>();
  for (const f of analysis.findings) for (let l = f.line; l <= Math.min(f.endLine ?? f.line, f.line + 5); l++) wanted.add(l);
  for (const e of analysis.parseErrors) wanted.add(e.line);
  for (const stage of analysis.stages) {
    wanted.add(stage.line);
    for (const r of stage.references) wanted.add(r.line);
  }
  const all = text.split(/\r\n|\r|\n/);
  return [...wanted]
    .filter((l) => l <= all.length)
    .sort((a, b) => a - b)
    .map((line) => ({ line, text: all[line - 1]!.slice(0, MAX_SOURCE_LINE) }));
}
