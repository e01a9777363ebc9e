import { z } from 'zod';
import { BUILD_ARGS_TOO_LARGE, STAGE_NAME, absolutePath, buildArgName, buildArgValue, buildArgsFit } from '../domain/build-request/request';
import { dockerfileAnalysis, dockerfileFinding, parseError, preflightEntry } from '../domain/dockerfile/types';
import { request, stream } from '../rpc/define';
import { platformInput } from './images';

/**
 * Several times the largest real Dockerfiles (tens of KiB); keeps a mistaken path (a log, an
 * image) from being read, and bounds the analysis, whose time grows faster than the file
 * (measured: 64 KiB 0.14 s, 256 KiB 1.5 s when every line has a finding).
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
  /** SHA-256 of the file as read: tells a changed file from the same one (the text itself is not sent). */
  contentDigest: z.string(),
  /**
   * Only the lines the report points at (findings, parse errors, stages and their references), each
   * cut to MAX_SOURCE_LINE characters: main never echoes a whole file back.
   */
  sourceLines: z.array(z.object({ line: z.number().int().min(1), text: z.string() })),
  analysis: dockerfileAnalysis,
  /** Named stages, the choices for `--target`. */
  targetStages: z.array(targetStage),
  /** Findings left out beyond MAX_FINDINGS (the most severe and earliest are kept). */
  omittedFindings: z.number().int().nonnegative(),
});

const preflightProblem = z.object({ code: z.string(), message: z.string(), hint: z.string().optional() });

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
  error: preflightProblem.optional(),
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

export type DockerfileLocation = z.infer<typeof dockerfileLocation>;
export type PreflightInput = z.infer<typeof preflightInput>;
export type DockerfileReport = z.infer<typeof dockerfileReport>;
export type PreflightImage = z.infer<typeof preflightImage>;
export type PreflightReport = z.infer<typeof preflightReport>;

export const dockerfileContract = {
  /** Reads the Dockerfile and reports architecture-independence findings and the named stages. */
  analyze: request(dockerfileLocation, dockerfileReport),
  /**
   * Checks each base image the target needs against the ticked platforms. A stream so a newer
   * tick can cancel an older check; each image's result is sent as soon as its registry answers.
   */
  preflight: stream(preflightInput, preflightImage, preflightReport),
};
