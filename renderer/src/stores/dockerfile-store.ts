import { create } from 'zustand';
import type { Api } from '../../../shared/contract';
import type {
  AnalyzeInput,
  ApplyResult,
  BuildChecksReport,
  DockerfileLocation,
  DockerfileReport,
  PreflightImage,
  PreflightInput,
  PreflightReport,
} from '../../../shared/contract/dockerfile';
import type { DockerfileFinding } from '../../../shared/domain/dockerfile';
import { resolveDockerfile } from '../../../shared/domain/build-request/argv';
import { BUILD_ARG_NAME, STAGE_NAME, isAbsolutePath } from '../../../shared/domain/build-request/request';
import { parsePlatform } from '../../../shared/domain/platform';
import { isCancelled } from '../../../shared/rpc/errors';
import { toProblem, type Problem } from './problem';

/** What the Build form holds, as typed: the Dockerfile may be relative to the context. */
export interface AdviceRequest {
  contextDir: string;
  dockerfile?: string;
  platforms: readonly string[];
  buildArgs?: ReadonlyArray<{ key: string; value: string }> | Readonly<Record<string, string>>;
  target?: string;
}

/**
 * The location to analyse, or undefined while the form cannot name one yet (no context, a relative
 * context). A relative Dockerfile is resolved against the context exactly as the build resolves it.
 */
export function adviceLocation(request: Pick<AdviceRequest, 'contextDir' | 'dockerfile'>): DockerfileLocation | undefined {
  const contextDir = request.contextDir.trim();
  if (!contextDir || !isAbsolutePath(contextDir)) return undefined;
  const dockerfile = request.dockerfile?.trim();
  return dockerfile ? { contextDir, dockerfile: resolveDockerfile({ context: contextDir, dockerfile }) } : { contextDir };
}

/**
 * The preflight input for the form, leaving out what is still being typed (an empty or half-typed
 * build-arg name, an unknown platform) so the check runs on what is valid; undefined without platforms.
 */
export function preflightInputFor(request: AdviceRequest): PreflightInput | undefined {
  const location = adviceLocation(request);
  const platforms = [...new Set(request.platforms.filter((p) => parsePlatform(p) !== undefined))].sort();
  if (!location || platforms.length === 0) return undefined;
  const pairs = Array.isArray(request.buildArgs)
    ? (request.buildArgs as ReadonlyArray<{ key: string; value: string }>).map((a) => [a.key.trim(), a.value] as const)
    : Object.entries(request.buildArgs ?? {});
  const buildArgs = Object.fromEntries(pairs.filter(([key]) => BUILD_ARG_NAME.test(key)));
  const target = request.target?.trim();
  return {
    ...location,
    platforms,
    ...(Object.keys(buildArgs).length > 0 ? { buildArgs } : {}),
    ...(target && STAGE_NAME.test(target) ? { target } : {}),
  };
}

export const locationKey = (location: DockerfileLocation): string => `${location.contextDir}\u0000${location.dockerfile ?? ''}`;

/** The ticked platforms the advice is about, valid and sorted: the same ticks are the same analysis. */
export function advicePlatforms(platforms: readonly string[]): string[] {
  return [...new Set(platforms.filter((p) => parsePlatform(p) !== undefined))].sort();
}

/** What the analysis is asked: the location and the ticked platforms (the analysis default without). */
export function analyzeInputFor(request: Pick<AdviceRequest, 'contextDir' | 'dockerfile' | 'platforms'>): AnalyzeInput | undefined {
  const location = adviceLocation(request);
  if (!location) return undefined;
  const platforms = advicePlatforms(request.platforms);
  return platforms.length > 0 ? { ...location, platforms } : location;
}

/** The last rewrite written, or why it was not. */
export type ApplyOutcome =
  | { state: 'written'; rule: string; line: number; dockerfile: string; backup: string; edits: ApplyResult['edits'] }
  | { state: 'failed'; rule: string; line: number; problem: Problem };

interface DockerfileStore {
  /** The location the report (or problem) is for. */
  key?: string;
  analyzing: boolean;
  report?: DockerfileReport;
  problem?: Problem;

  /** Key of the preflight input (and the text it read) the result is for. */
  preflightKey?: string;
  preflighting: boolean;
  /** Images answered so far (streamed while the preflight runs). */
  images: PreflightImage[];
  preflight?: PreflightReport;
  preflightProblem?: Problem;

  /** BuildKit's checks of the file (key: its location and the text's digest), or why they did not run. */
  checksKey?: string;
  checking: boolean;
  checks?: BuildChecksReport;
  checksProblem?: Problem;

  /** A rewrite being written (its finding), and the outcome of the last one. */
  applying?: { rule: string; line: number };
  applied?: ApplyOutcome;

  analyze(api: Api, input: AnalyzeInput | undefined): Promise<void>;
  /** Writes a finding's rewrite into the file the report is for, then shows the file as written. */
  apply(api: Api, input: AnalyzeInput, finding: DockerfileFinding): Promise<void>;
  runPreflight(api: Api, input: PreflightInput | undefined, options?: { force?: boolean }): Promise<void>;
  /** BuildKit's checks of the text the report shows (`contentDigest`); again only when forced or the text changed. */
  runChecks(api: Api, location: DockerfileLocation | undefined, contentDigest: string | undefined, options?: { force?: boolean }): Promise<void>;
}

let analyzeSeq = 0;
let running: { cancel(): void } | undefined;
let checking: { cancel(): void } | undefined;

export const useDockerfileStore = create<DockerfileStore>((set, get) => ({
  analyzing: false,
  preflighting: false,
  checking: false,
  images: [],

  async analyze(api, location) {
    const seq = ++analyzeSeq;
    if (!location) {
      running?.cancel();
      running = undefined;
      set({ key: undefined, report: undefined, problem: undefined, analyzing: false, preflight: undefined, preflightKey: undefined, images: [], preflighting: false });
      return;
    }
    const key = locationKey(location);
    // Another file: the old findings must not show under the new path while it is read.
    if (key !== get().key) set({ key, report: undefined, problem: undefined, preflight: undefined, preflightKey: undefined, images: [], applied: undefined, checks: undefined, checksKey: undefined, checksProblem: undefined });
    set({ analyzing: true });
    try {
      const report = await api.dockerfile.analyze(location);
      if (seq === analyzeSeq) set({ report, problem: undefined });
    } catch (error) {
      if (seq === analyzeSeq) set({ report: undefined, problem: toProblem(error) });
    } finally {
      if (seq === analyzeSeq) set({ analyzing: false });
    }
  },

  async apply(api, input, finding) {
    const report = get().report;
    if (!report || get().applying) return;
    const which = { rule: finding.rule, line: finding.line };
    set({ applying: which, applied: undefined });
    try {
      const result = await api.dockerfile.apply({ ...input, contentDigest: report.contentDigest, finding: which });
      ++analyzeSeq; // an analysis still running is of the old text
      set({ report: result.report, problem: undefined, analyzing: false, applied: { state: 'written', ...which, dockerfile: result.dockerfile, backup: result.backup, edits: result.edits } });
    } catch (error) {
      set({ applied: { state: 'failed', ...which, problem: toProblem(error) } });
    } finally {
      set({ applying: undefined });
    }
  },

  async runPreflight(api, input, options = {}) {
    const content = get().report?.contentDigest;
    const key = input && content !== undefined ? `${JSON.stringify(input)}\u0000${content}` : undefined;
    if (!options.force && key === get().preflightKey && (get().preflighting || get().preflight || get().preflightProblem)) return;
    running?.cancel();
    running = undefined;
    if (!input || !key) {
      set({ preflightKey: undefined, preflight: undefined, preflightProblem: undefined, images: [], preflighting: false });
      return;
    }
    const images: PreflightImage[] = [];
    const call = api.dockerfile.preflight(input, {
      onChunk: (image) => {
        images.push(image);
        if (running === call) set({ images: [...images] });
      },
    });
    running = call;
    // The previous answer was for other platforms (or another text): it must not stand for this one.
    set({ preflightKey: key, preflighting: true, images: [], preflight: undefined, preflightProblem: undefined });
    try {
      const preflight = await call.result;
      if (running === call) set({ preflight, images: preflight.images });
    } catch (error) {
      if (running === call && !isCancelled(error)) set({ preflight: undefined, preflightProblem: toProblem(error) });
    } finally {
      if (running === call) {
        running = undefined;
        set({ preflighting: false });
      }
    }
  },

  async runChecks(api, location, contentDigest, options = {}) {
    const key = location && contentDigest ? `${locationKey(location)}\u0000${contentDigest}` : undefined;
    if (!options.force && key === get().checksKey && (get().checking || get().checks || get().checksProblem)) return;
    checking?.cancel();
    checking = undefined;
    if (!location || !key) {
      set({ checksKey: undefined, checks: undefined, checksProblem: undefined, checking: false });
      return;
    }
    const call = api.dockerfile.checks({ contextDir: location.contextDir, ...(location.dockerfile ? { dockerfile: location.dockerfile } : {}) });
    checking = call;
    set({ checksKey: key, checking: true, checksProblem: undefined });
    try {
      const checks = await call.result;
      if (checking === call) set({ checks });
    } catch (error) {
      if (checking === call && !isCancelled(error)) set({ checks: undefined, checksProblem: toProblem(error) });
    } finally {
      if (checking === call) {
        checking = undefined;
        set({ checking: false });
      }
    }
  },
}));
