import { z } from 'zod';
import { normalizePlatform, parsePlatform } from '../platform';
import { checkTagReference } from './reference';

/**
 * What the Build form asks for. The input schema refuses anything malformed before a process
 * starts (the server answers BAD_INPUT with the field); `buildRequestData` is the same shape as
 * plain JSON, for records and outputs (no transforms).
 */

// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

export const isAbsolutePath = (s: string): boolean => s.startsWith('/') || /^[A-Za-z]:[\\/]/.test(s) || s.startsWith('\\\\');

export const absolutePath = z
  .string()
  .trim()
  .min(1, 'Give a folder or file path.')
  .max(4096)
  .refine(isAbsolutePath, 'Give an absolute path (starting with / or a drive letter) on the computer running the app.')
  .refine((s) => !CONTROL.test(s), 'A path cannot contain control characters.');

/** A path relative to the context folder, or absolute. */
export const dockerfilePath = z
  .string()
  .trim()
  .min(1)
  .max(4096)
  .refine((s) => !CONTROL.test(s), 'A path cannot contain control characters.')
  .refine((s) => !s.startsWith('-'), 'A Dockerfile path cannot start with "-".');

export const platformName = z
  .string()
  .trim()
  .refine((s) => s.includes('/') && parsePlatform(s) !== undefined, 'A platform looks like linux/arm64 or linux/arm/v7.')
  .transform(normalizePlatform);

export const tagReference = z
  .string()
  .trim()
  .superRefine((s, ctx) => {
    const check = checkTagReference(s);
    if (!check.ok) ctx.addIssue({ code: 'custom', message: check.reason });
  });

export const BUILD_ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const STAGE_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,127}$/;
export const BUILDER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

// eslint-disable-next-line no-control-regex -- tabs are fine in a value; other control characters are not
const CONTROL_BUT_TAB = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/**
 * What an argv can carry. Each `--build-arg KEY=VALUE` is one argument, and Linux refuses an
 * argument over 128 KiB and a command line over about 2 MiB with everything else on it (`spawn
 * E2BIG`). These bounds keep every build's command well inside both, and its history record small.
 */
export const BUILD_ARG_LIMITS = {
  /** Characters of a name. */
  nameChars: 256,
  /** UTF-8 bytes of one value. */
  valueBytes: 64 * 1024,
  /** UTF-8 bytes of all `KEY=VALUE` arguments of a build together. */
  totalBytes: 256 * 1024,
} as const;

const utf8 = new TextEncoder();
export const utf8Bytes = (s: string): number => utf8.encode(s).length;

/**
 * One `--build-arg` value: one line. A newline would split the copyable command shown to the user
 * (and the build-arg lines buildx echoes into the log and history) into lines that read as more
 * arguments or commands than were given.
 */
const VALUE_TOO_LARGE = `A build argument value is at most ${BUILD_ARG_LIMITS.valueBytes / 1024} KiB.`;
export const buildArgValue = z
  .string()
  // characters first (cheap), then the UTF-8 bytes the argument really takes
  .max(BUILD_ARG_LIMITS.valueBytes, VALUE_TOO_LARGE)
  .refine((s) => s.length > BUILD_ARG_LIMITS.valueBytes || utf8Bytes(s) <= BUILD_ARG_LIMITS.valueBytes, VALUE_TOO_LARGE)
  .refine((s) => !CONTROL_BUT_TAB.test(s), 'A build argument value is one line: no newlines or other control characters.');

export const buildArgName = z
  .string()
  .trim()
  .max(BUILD_ARG_LIMITS.nameChars, `A build argument name is at most ${BUILD_ARG_LIMITS.nameChars} characters.`)
  .regex(BUILD_ARG_NAME, 'A build argument name is letters, digits and "_", not starting with a digit.');

export const buildArg = z.object({ key: buildArgName, value: buildArgValue });

/** True when all build arguments together fit the command line (see BUILD_ARG_LIMITS). */
export const buildArgsFit = (args: ReadonlyArray<{ key: string; value: string }>): boolean =>
  args.reduce((n, a) => n + utf8Bytes(a.key) + 1 + utf8Bytes(a.value), 0) <= BUILD_ARG_LIMITS.totalBytes;

export const BUILD_ARGS_TOO_LARGE = `The build arguments together are over ${BUILD_ARG_LIMITS.totalBytes / 1024} KiB, more than a command line should carry; pass large data with a file in the context or a BuildKit secret.`;

/** `--cache-from` / `--cache-to`: `type=registry,ref=…` (key=value list) or an image reference (shorthand for a registry cache). */
export const cacheSpec = z
  .string()
  .trim()
  .min(1)
  .max(4096)
  .refine((s) => !CONTROL.test(s), 'A cache setting cannot contain control characters.')
  .refine((s) => !s.startsWith('-'), 'A cache setting cannot start with "-".')
  .refine(
    (s) => (s.includes('=') ? /(?:^|,)type=[a-z0-9-]+(?:,|$)/.test(s) : checkTagReference(s).ok),
    'Write a cache as type=registry,ref=host/repo:cache (or type=local,src=/path, type=inline, type=gha…), or as an image reference.',
  );

export const outputKind = z.enum(['push', 'load', 'oci', 'local', 'cacheonly']);
export type OutputKind = z.infer<typeof outputKind>;

export const buildOutput = z.discriminatedUnion('type', [
  /** Push the image (an index for several platforms) to the registry named by each tag. */
  z.object({ type: z.literal('push') }),
  /** Load into the engine's image store. */
  z.object({ type: z.literal('load') }),
  /** An OCI layout tarball at `dest`. */
  z.object({ type: z.literal('oci'), dest: absolutePath }),
  /** The image's files in the folder `dest` (one sub-folder per platform when several). */
  z.object({ type: z.literal('local'), dest: absolutePath }),
  /** Build only: keep nothing but the build cache. */
  z.object({ type: z.literal('cacheonly') }),
]);

export const buildRequestInput = z.object({
  /** The build context folder on the computer running the app. */
  context: absolutePath,
  /** Default `<context>/Dockerfile`; a relative path is taken from the context folder. */
  dockerfile: dockerfilePath.optional(),
  tags: z.array(tagReference).max(32).default([]),
  platforms: z
    .array(platformName)
    .min(1, 'Tick at least one platform.')
    .max(32)
    .transform((list) => [...new Set(list)]),
  buildArgs: z.array(buildArg).max(200).refine(buildArgsFit, BUILD_ARGS_TOO_LARGE).default([]),
  target: z.string().trim().regex(STAGE_NAME, 'A stage name is letters, digits, "_", "." or "-", starting with a letter.').optional(),
  output: buildOutput,
  /** Adds a provenance attestation (an `unknown/unknown` entry per platform in the index). */
  provenance: z.boolean().default(false),
  /** Adds an SBOM attestation (also an `unknown/unknown` entry per platform). */
  sbom: z.boolean().default(false),
  noCache: z.boolean().default(false),
  pull: z.boolean().default(false),
  cacheFrom: z.array(cacheSpec).max(16).default([]),
  cacheTo: z.array(cacheSpec).max(16).default([]),
  /** Default: the current builder. */
  builder: z.string().trim().regex(BUILDER_NAME, 'A builder name is letters, digits, "_", "." or "-".').optional(),
  /**
   * Destinations (OCI tarball, local export or cache folder) the user confirmed may be replaced,
   * each by its exact path: main replaces an existing file or non-empty folder only when it is
   * named here. Not kept in history: a re-run asks again.
   */
  overwrite: z.array(absolutePath).max(4).optional(),
});

/** The request as plain data (stored in history, sent back to the renderer). */
export const buildRequestData = z.object({
  context: z.string(),
  dockerfile: z.string().optional(),
  tags: z.array(z.string()),
  platforms: z.array(z.string()),
  buildArgs: z.array(z.object({ key: z.string(), value: z.string() })),
  target: z.string().optional(),
  output: z.discriminatedUnion('type', [
    z.object({ type: z.literal('push') }),
    z.object({ type: z.literal('load') }),
    z.object({ type: z.literal('oci'), dest: z.string() }),
    z.object({ type: z.literal('local'), dest: z.string() }),
    z.object({ type: z.literal('cacheonly') }),
  ]),
  provenance: z.boolean(),
  sbom: z.boolean(),
  noCache: z.boolean(),
  pull: z.boolean(),
  cacheFrom: z.array(z.string()),
  cacheTo: z.array(z.string()),
  builder: z.string().optional(),
});

export type BuildRequestInput = z.input<typeof buildRequestInput>;
export type BuildRequest = z.output<typeof buildRequestInput>;
export type BuildOutput = BuildRequest['output'];
