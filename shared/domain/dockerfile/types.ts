import { z } from 'zod';

/**
 * Result shapes of the Dockerfile analysis, as zod schemas so they can cross the RPC boundary
 * (the renderer analyses, the main process checks base images) with the same validation as the
 * other contracts. Lines and columns are 1-based, as an editor shows them.
 */

export const findingRule = z.enum([
  'parse-error',
  'hardcoded-arch',
  'pinned-arch-arg',
  'arch-in-base-image',
  'arch-coverage',
  'undeclared-platform-arg',
  'undeclared-global-arg',
  'constant-from-platform',
  'redundant-target-platform',
  'final-stage-build-platform',
  'ineffective-from-platform',
  'compile-under-emulation',
  'cross-compile-ok',
  'cross-compile-missing-target',
  // What the advice does not check (PowerShell/cmd scripts, Windows stages), said once per stage.
  'not-covered',
  'unknown-suppression',
  // Preflight: base images against the ticked platforms.
  'base-missing-platform',
  'base-platform-fallback',
  'base-unresolved-arg',
]);
export type FindingRule = z.infer<typeof findingRule>;

export const findingSeverity = z.enum(['error', 'warning', 'info']);
export type FindingSeverity = z.infer<typeof findingSeverity>;

/** Lines `line`..`endLine` (1-based, inclusive) of the analysed text replaced by `text` (lines joined by `\n`). */
export const dockerfileEdit = z.object({
  line: z.number().int().min(1),
  endLine: z.number().int().min(1),
  text: z.string(),
  /** The lines replaced, as they are: the page shows the change before it is written. */
  before: z.string(),
});
export type DockerfileEdit = z.infer<typeof dockerfileEdit>;

export const dockerfileFinding = z.object({
  rule: findingRule,
  severity: findingSeverity,
  line: z.number().int().min(1),
  endLine: z.number().int().min(1).optional(),
  column: z.number().int().min(1).optional(),
  endColumn: z.number().int().min(1).optional(),
  stageIndex: z.number().int().min(0).optional(),
  /** The offending text: an architecture word, an arg name, a platform, an image. */
  subject: z.string().optional(),
  /** Platforms concerned (preflight findings). */
  platforms: z.array(z.string()).optional(),
  message: z.string(),
  why: z.string(),
  /** A rewrite snippet to paste into the Dockerfile. */
  suggestion: z.string().optional(),
  /**
   * The rewrite as edits of whole instructions, correct for every requested platform: what
   * "Apply" writes. Absent when no mechanical rewrite is right (the suggestion then explains).
   */
  edits: z.array(dockerfileEdit).optional(),
  /** The name of BuildKit's build check that reports the same thing (`docker build --check`). */
  buildkitCheck: z.string().optional(),
});
export type DockerfileFinding = z.infer<typeof dockerfileFinding>;

export const parseError = z.object({
  line: z.number().int().min(1),
  column: z.number().int().min(1).optional(),
  message: z.string(),
});
export type ParseError = z.infer<typeof parseError>;

export const argDeclaration = z.object({
  name: z.string(),
  /** The default as written (unexpanded); absent for `ARG NAME`. */
  default: z.string().optional(),
  line: z.number().int().min(1),
});
export type ArgDeclaration = z.infer<typeof argDeclaration>;

/**
 * How a stage chooses its platform:
 * none: no flag, inherits a parent stage's or builds once per target platform;
 * build: `--platform=$BUILDPLATFORM` (runs natively on the builder);
 * target: `--platform=$TARGETPLATFORM` (same as none for a base image);
 * constant: a literal such as `linux/amd64`;
 * variable: another arg, resolved at build time.
 */
export const platformKind = z.enum(['none', 'build', 'target', 'constant', 'variable']);
export type PlatformKind = z.infer<typeof platformKind>;

export const toolchain = z.enum(['go', 'rust', 'c', 'node', 'java', 'dotnet']);
export type Toolchain = z.infer<typeof toolchain>;

export const stageReference = z.object({
  /** `from`: the FROM image; `copy-from`: `COPY --from=`; `mount-from`: `RUN --mount=...,from=`. */
  source: z.enum(['from', 'copy-from', 'mount-from']),
  /** As written, before variable expansion. */
  ref: z.string(),
  line: z.number().int().min(1),
});
export type StageReference = z.infer<typeof stageReference>;

export const dockerfileStage = z.object({
  index: z.number().int().min(0),
  name: z.string().optional(),
  line: z.number().int().min(1),
  endLine: z.number().int().min(1),
  /** The FROM image as written (may hold `${VAR}`); empty when missing. */
  image: z.string(),
  /** The `--platform=` value as written. */
  platformFlag: z.string().optional(),
  platformKind,
  /** What the stage actually runs on, following `FROM <earlier stage>` to its parent. */
  effectivePlatformKind: platformKind,
  /** Index of the earlier stage this one is built FROM, when the image names one (the same for every platform). */
  parentStage: z.number().int().min(0).optional(),
  /** Stages the FROM picks per requested platform when an expression chooses it (`FROM tool-$TARGETARCH`). */
  parentCandidates: z.array(z.number().int().min(0)).optional(),
  /** The shell RUN's shell form uses here (SHELL, or the Windows default `cmd`). */
  shell: z.enum(['posix', 'powershell', 'cmd']),
  /** Built on a Windows base image or platform. */
  windows: z.boolean(),
  args: z.array(argDeclaration),
  /** Images or stages this stage reads: its FROM, `COPY --from=`, `RUN --mount=from=`. */
  references: z.array(stageReference),
  toolchains: z.array(toolchain),
});
export type DockerfileStage = z.infer<typeof dockerfileStage>;

/** Where a predefined platform arg is named, for hover. */
export const argReference = z.object({
  name: z.string(),
  line: z.number().int().min(1),
  column: z.number().int().min(1),
  endColumn: z.number().int().min(1),
});
export type ArgReference = z.infer<typeof argReference>;

export const dockerfileAnalysis = z.object({
  stages: z.array(dockerfileStage),
  globalArgs: z.array(argDeclaration),
  findings: z.array(dockerfileFinding),
  /** Findings silenced by `# multiarch-ignore: rule-id` on the line before their instruction. */
  suppressed: z.array(dockerfileFinding),
  /** The target platforms the analysis assumed (coverage, expression-chosen stages, rewrites). */
  platforms: z.array(z.string()),
  parseErrors: z.array(parseError),
  platformArgRefs: z.array(argReference),
  escapeChar: z.string(),
});
export type DockerfileAnalysis = z.infer<typeof dockerfileAnalysis>;

export const preflightEntry = z.object({
  stageIndex: z.number().int().min(0),
  stageName: z.string().optional(),
  line: z.number().int().min(1),
  source: stageReference.shape.source,
  /** Fully resolved image reference, ready to inspect. */
  image: z.string(),
  /** Normalised platforms (`linux/arm/v7`) the image must provide. */
  platformsNeeded: z.array(z.string()),
  /** Args the reference uses that have neither a default nor a build arg: they expand to empty. */
  unresolvedArgs: z.array(z.string()).optional(),
});
export type PreflightEntry = z.infer<typeof preflightEntry>;

export const preflightOptions = z.object({
  targetPlatforms: z.array(z.string()),
  buildPlatform: z.string(),
  buildArgs: z.record(z.string(), z.string()).optional(),
  /** Stage built (`--target`); defaults to the last one. Only stages it needs are planned. */
  target: z.string().optional(),
});
export type PreflightOptions = z.infer<typeof preflightOptions>;
