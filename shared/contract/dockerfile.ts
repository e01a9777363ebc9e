import { z } from 'zod';
import { BUILD_ARGS_TOO_LARGE, STAGE_NAME, absolutePath, buildArgName, buildArgValue, buildArgsFit } from '../domain/build-request/request';
import { buildCheck, buildCheckError } from '../domain/buildx/check-output';
import { dockerfileAnalysis, dockerfileFinding, findingRule, parseError, preflightEntry } from '../domain/dockerfile/types';
import { request, stream } from '../rpc/define';
import { problem } from './errors';
import { platformInput } from './images';

/**
 * Several times the largest real Dockerfiles (tens of KiB); keeps a mistaken path (a log, an
 * image) from being read, and bounds the analysis (linear in the file; `npm run bench` times its
 * worst inputs at this size).
 */
export const MAX_DOCKERFILE_BYTES = 128 * 1024;

/** Characters sent of one source line (a minified one-line file could be the whole file). */
export const MAX_SOURCE_LINE = 1000;

/** Findings sent per analysis; a file with more has one mistake repeated, and the rest are counted. */
export const MAX_FINDINGS = 300;

// ---- inputs: refused with BAD_INPUT before any file is touched ----------------------------------

/**
 * Where the Dockerfile is. Both paths are absolute on the computer running the core (the renderer
 * resolves a Dockerfile path relative to the context, as the build does); existence, kind and size
 * are checked in main before anything is read.
 */
export const dockerfileLocation = z.object({
  contextDir: absolutePath,
  /** Defaults to `<contextDir>/Dockerfile`. */
  dockerfile: absolutePath.optional(),
});

/** The ticked platforms the advice is about (coverage, rewrites); the analysis assumes amd64 and arm64 without. */
const advicePlatforms = z.array(platformInput).max(32);

export const analyzeInput = dockerfileLocation.extend({ platforms: advicePlatforms.optional() });

/**
 * Writes one finding's rewrite into the Dockerfile that was analysed. The renderer names the
 * finding, not the text: main analyses the file again and writes only a rewrite the analysis
 * itself offers, and only if the file is still the one the page showed (its digest).
 */
export const applyInput = analyzeInput.extend({
  contentDigest: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'A content digest is sha256:<64 hex digits>.'),
  finding: z.object({ rule: findingRule, line: z.number().int().min(1).max(1_000_000) }),
});

export const preflightInput = dockerfileLocation.extend({
  /** The ticked platforms. */
  platforms: z.array(platformInput).min(1, 'Tick at least one platform.').max(32),
  buildArgs: z
    .record(buildArgName, buildArgValue)
    .refine((args) => Object.keys(args).length <= 200, 'At most 200 build arguments.')
    .refine((args) => buildArgsFit(Object.entries(args).map(([key, value]) => ({ key, value }))), BUILD_ARGS_TOO_LARGE)
    .optional(),
  /** `--target`: only the stages it needs are checked; defaults to the last stage. */
  target: z.string().regex(STAGE_NAME, 'A stage name is letters, digits, "_", "." and "-", starting with a letter.').optional(),
});

// ---- outputs (plain JSON: no transforms) --------------------------------------------------------

export const targetStage = z.object({ name: z.string(), index: z.number().int().min(0), line: z.number().int().min(1) });

export const dockerfileReport = z.object({
  /** The file that was read (absolute, resolved). */
  dockerfile: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  /** SHA-256 of the file as read: "Apply" writes only into the same file (the text itself is not sent). */
  contentDigest: z.string(),
  /**
   * Only the lines the report points at (findings, parse errors, stages and their references), each
   * cut to MAX_SOURCE_LINE characters: main never echoes a whole file back. A rewrite carries the
   * lines it replaces itself (its edits' `before`, bounded like the rewrite).
   */
  sourceLines: z.array(z.object({ line: z.number().int().min(1), text: z.string() })),
  analysis: dockerfileAnalysis,
  /** Named stages, the choices for `--target`. */
  targetStages: z.array(targetStage),
  /** Findings left out beyond MAX_FINDINGS (the most severe and earliest are kept). */
  omittedFindings: z.number().int().nonnegative(),
});

/** One base image as looked up in its registry: its platforms, or why it could not be checked. */
export const preflightImage = z.object({
  image: z.string(),
  status: z.enum(['ok', 'error']),
  /** Digest of the index (or single manifest) the tag pointed at. */
  digest: z.string().optional(),
  kind: z.enum(['oci-index', 'docker-manifest-list', 'single']).optional(),
  /** Normalised platforms the image offers (attestation entries left out). */
  platforms: z.array(z.string()).optional(),
  /** Set when status is `error`: this image is not judged; the others still are. */
  error: problem.optional(),
  /** Stages (and lines) that use it. */
  usedBy: z.array(z.object({ stageIndex: z.number().int().min(0), stageName: z.string().optional(), line: z.number().int().min(1) })),
  durationMs: z.number().nonnegative(),
});

export const preflightReport = z.object({
  dockerfile: z.string(),
  /** Normalised ticked platforms. */
  targetPlatforms: z.array(z.string()),
  /** What `$BUILDPLATFORM` stages run on: the engine's native platform. */
  buildPlatform: z.string(),
  /** `host`: the engine could not be asked, so the core's own platform was assumed. */
  buildPlatformSource: z.enum(['engine', 'host']),
  plan: z.array(preflightEntry),
  images: z.array(preflightImage),
  /** `base-missing-platform`, `base-platform-fallback`, `base-unresolved-arg`. */
  findings: z.array(dockerfileFinding),
  parseErrors: z.array(parseError),
  durationMs: z.number().nonnegative(),
});

/**
 * BuildKit's own build checks of the Dockerfile (`docker buildx build --call=check`), beside the app's analysis.
 * `done`: BuildKit ran them; `unavailable`: this buildx cannot (too old, missing); `failed`: the run failed
 * (builder, engine, time limit). The two last say why in `problem`; the app's own advice never depends on them.
 */
export const buildChecksReport = z.object({
  dockerfile: z.string(),
  state: z.enum(['done', 'unavailable', 'failed']),
  buildxVersion: z.string().optional(),
  /** The builder BuildKit ran on (the current one). */
  builder: z.string().optional(),
  /** SHA-256 of the Dockerfile as BuildKit read it: the page merges only results about the text it shows. */
  contentDigest: z.string().optional(),
  checks: z.array(buildCheck),
  /** Where BuildKit stopped (parse error, unresolvable base image): checks after it are missing. */
  buildError: buildCheckError.optional(),
  problem: problem.optional(),
  /** The command run (or that would run), for the user to run it themselves. */
  command: z.string(),
  /** The lines the checks point at, as BuildKit read them. */
  sourceLines: z.array(z.object({ line: z.number().int().min(1), text: z.string() })),
  durationMs: z.number().nonnegative(),
});

export const applyResult = z.object({
  dockerfile: z.string(),
  /** The copy of the file as it was, kept in the app's data folder. */
  backup: z.string(),
  /** Lines of the file that changed, as written. */
  edits: z.array(z.object({ line: z.number().int().min(1), endLine: z.number().int().min(1) })),
  /** The file analysed again, as written. */
  report: dockerfileReport,
});

export type DockerfileLocation = z.infer<typeof dockerfileLocation>;
export type AnalyzeInput = z.infer<typeof analyzeInput>;
export type ApplyInput = z.infer<typeof applyInput>;
export type ApplyResult = z.infer<typeof applyResult>;
export type PreflightInput = z.infer<typeof preflightInput>;
export type DockerfileReport = z.infer<typeof dockerfileReport>;
export type PreflightImage = z.infer<typeof preflightImage>;
export type PreflightReport = z.infer<typeof preflightReport>;
export type BuildChecksReport = z.infer<typeof buildChecksReport>;

export const dockerfileContract = {
  /** Reads the Dockerfile and reports architecture-independence findings and the named stages. */
  analyze: request(analyzeInput, dockerfileReport),
  /** Writes a finding's rewrite into the analysed Dockerfile, keeping a backup of it first. */
  apply: request(applyInput, applyResult),
  /**
   * Checks each base image the target needs against the ticked platforms. A stream so a newer
   * tick can cancel an older check; each image's result is sent as soon as its registry answers.
   */
  preflight: stream(preflightInput, preflightImage, preflightReport),
  /**
   * BuildKit's build checks of the Dockerfile with the current builder, when this buildx has them (else why not).
   * A stream only so a newer file can cancel an older check; it sends no chunks.
   */
  checks: stream(dockerfileLocation, z.never(), buildChecksReport),
};
