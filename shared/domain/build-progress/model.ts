import { z } from 'zod';

/**
 * What the build-progress parser hands out. Declared as zod schemas so a contract can validate
 * snapshots and events where they cross a process boundary; the parser itself never runs them
 * (too slow for the log path). Everything is plain JSON: numbers are epoch milliseconds.
 */

export const stepStatusSchema = z.enum(['waiting', 'running', 'done', 'cached', 'error', 'canceled']);
export type StepStatus = z.infer<typeof stepStatusSchema>;

export const laneStatusSchema = z.enum(['waiting', 'running', 'done', 'error', 'canceled']);
export type LaneStatus = z.infer<typeof laneStatusSchema>;

export const buildStatusSchema = z.enum(['waiting', 'running', 'done', 'error']);
export type BuildStatus = z.infer<typeof buildStatusSchema>;

/** How a step got its platform: its own `[linux/arm64 …]` prefix, its inputs, or the only requested platform. */
export const platformSourceSchema = z.enum(['name', 'inputs', 'requested']);
export type PlatformSource = z.infer<typeof platformSourceSchema>;

/** One BuildKit status of a step: `transferring context`, `pushing layers`, one layer's upload. */
export const progressItemSchema = z.object({
  id: z.string(),
  name: z.string(),
  current: z.number(),
  total: z.number().optional(),
  completed: z.boolean(),
  startedAt: z.number().optional(),
  completedAt: z.number().optional(),
});
export type ProgressItem = z.infer<typeof progressItemSchema>;

/**
 * How a step ran: `native` (the node's own CPU runs the step's platform, or BuildKit did the work
 * itself: no program of the image ran), `emulated` (a RUN step under QEMU), `cross` (a step of a
 * stage that runs on the build platform while producing another platform's output), `cached`.
 */
export const stepKindSchema = z.enum(['native', 'emulated', 'cross', 'cached']);
export type StepKind = z.infer<typeof stepKindSchema>;

/** A step's kind and where it comes from; set by the core's timeline (shared/domain/timeline), never by the parser. */
export const stepRunSchema = z.object({
  kind: stepKindSchema,
  /** Why, in words (the badge's title). */
  why: z.string(),
  /** The platform the step's work ran on, when it is not the lane's (a cross step). */
  on: z.string().optional(),
  /** The builder node that ran it, when known. */
  node: z.string().optional(),
  /** A RUN step: a program of the image ran (the only kind of step QEMU can slow down). */
  runs: z.boolean(),
  /** The Dockerfile instruction it comes from (1-based lines) and its stage's index. */
  line: z.number().int().optional(),
  endLine: z.number().int().optional(),
  stageIndex: z.number().int().optional(),
});
export type StepRun = z.infer<typeof stepRunSchema>;

/** A step without its bulky parts (logs, progress): what step events carry. */
export const stepInfoSchema = z.object({
  digest: z.string(),
  /** buildx's `#N`: order of first appearance, from 1. */
  index: z.number().int(),
  /** Resolved platform; absent for shared steps (internal loads, exporters, mixed inputs). */
  platform: z.string().optional(),
  platformSource: platformSourceSchema.optional(),
  /** The name without the bracket prefix: `RUN apk add curl`. */
  name: z.string(),
  /** The name exactly as BuildKit sent it. */
  fullName: z.string(),
  stage: z.string().optional(),
  /** bake / compose target that prefixed the name. */
  target: z.string().optional(),
  /** `2/3`, `internal` or `auth`. */
  stepLabel: z.string().optional(),
  stepIndex: z.number().int().optional(),
  stepTotal: z.number().int().optional(),
  internal: z.boolean(),
  status: stepStatusSchema,
  cached: z.boolean(),
  startedAt: z.number().optional(),
  completedAt: z.number().optional(),
  /** Time actually spent running (union of its run intervals), up to the latest timestamp seen. */
  durationMs: z.number().optional(),
  error: z.string().optional(),
  inputs: z.array(z.string()),
  run: stepRunSchema.optional(),
});
export type StepInfo = z.infer<typeof stepInfoSchema>;

export const stepSnapshotSchema = stepInfoSchema.extend({
  /** The last decoded log lines (bounded), stdout and stderr interleaved. */
  lastLogLines: z.array(z.string()),
  logLineCount: z.number().int(),
  progress: z.array(progressItemSchema),
});
export type StepSnapshot = z.infer<typeof stepSnapshotSchema>;

export const laneSchema = z.object({
  platform: z.string(),
  status: laneStatusSchema,
  steps: z.array(stepSnapshotSchema),
  startedAt: z.number().optional(),
  completedAt: z.number().optional(),
  durationMs: z.number().optional(),
  counts: z.object({
    total: z.number().int(),
    done: z.number().int(),
    cached: z.number().int(),
    running: z.number().int(),
    error: z.number().int(),
  }),
});
export type PlatformLane = z.infer<typeof laneSchema>;

export const failureKindSchema = z.enum([
  'emulator-missing',
  'emulator-crash',
  'docker-driver-multiplatform',
  'load-manifest-list',
  'base-image-platform-missing',
  'image-not-found',
  'registry-auth',
  'registry-insecure',
  'registry-unreachable',
  'registry-server-error',
  'file-not-found',
  'dockerfile-missing',
  'dockerfile-syntax',
  'command-failed',
  'out-of-space',
  'daemon-unreachable',
  'engine-lost',
  'builder-lost',
  'builder-missing',
  'canceled',
  'unknown',
]);
export type FailureKind = z.infer<typeof failureKindSchema>;

export const failureClassificationSchema = z.object({
  kind: failureKindSchema,
  /** What happened, in words for the user. */
  explanation: z.string(),
  /** What to do about it. */
  fix: z.string(),
  /** The line of the output that gave it away. */
  evidence: z.string().optional(),
  /** Platforms named by the evidence or the failed steps. */
  platforms: z.array(z.string()).optional(),
});
export type FailureClassification = z.infer<typeof failureClassificationSchema>;

export const failedStepSchema = z.object({
  digest: z.string(),
  index: z.number().int(),
  platform: z.string().optional(),
  name: z.string(),
  fullName: z.string(),
  stepLabel: z.string().optional(),
  error: z.string(),
  lastLogLines: z.array(z.string()),
});
export type FailedStep = z.infer<typeof failedStepSchema>;

export const failureSummarySchema = z.object({
  /** Platforms whose own steps failed (cancellations excluded). Empty when nothing platform-specific failed. */
  platforms: z.array(z.string()),
  /** Steps that failed for real, in `#N` order. */
  steps: z.array(failedStepSchema),
  /** The final `ERROR: …` message (with any continuation lines), when buildx printed one. */
  message: z.string().optional(),
  /** Every plain-text line buildx printed (Dockerfile excerpt, ERROR lines), bounded. */
  textLines: z.array(z.string()),
  exitCode: z.number().int().optional(),
  cause: failureClassificationSchema,
});
export type FailureSummary = z.infer<typeof failureSummarySchema>;

export const buildWarningSchema = z.object({
  digest: z.string().optional(),
  platform: z.string().optional(),
  level: z.number().optional(),
  short: z.string(),
  detail: z.array(z.string()),
  url: z.string().optional(),
});
export type BuildWarning = z.infer<typeof buildWarningSchema>;

export const buildProgressSnapshotSchema = z.object({
  status: buildStatusSchema,
  /** Whether the stream has ended (`end()` was called). */
  ended: z.boolean(),
  startedAt: z.number().optional(),
  completedAt: z.number().optional(),
  durationMs: z.number().optional(),
  /** Requested platforms first (in the order given), then others in order of appearance. */
  lanes: z.array(laneSchema),
  /** Steps of no single platform: `[internal]` loads, exporters, steps whose inputs span platforms. */
  shared: z.array(stepSnapshotSchema),
  failure: failureSummarySchema.optional(),
  textLines: z.array(z.string()),
  warnings: z.array(buildWarningSchema),
});
export type BuildProgressSnapshot = z.infer<typeof buildProgressSnapshotSchema>;

/** One decoded log line, tagged so a terminal can be filtered to one platform. */
export const logLineSchema = z.object({
  digest: z.string(),
  index: z.number().int(),
  platform: z.string().optional(),
  /** 1 stdout, 2 stderr. */
  stream: z.number().int(),
  text: z.string(),
  timestamp: z.number().optional(),
});
export type LogLine = z.infer<typeof logLineSchema>;

export const stepChangeSchema = z.enum(['new', 'running', 'done', 'cached', 'error', 'canceled', 'renamed']);
export type StepChange = z.infer<typeof stepChangeSchema>;

export const progressEventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('step'), change: stepChangeSchema, step: stepInfoSchema }),
  z.object({ kind: z.literal('log'), line: logLineSchema }),
  z.object({
    kind: z.literal('progress'),
    digest: z.string(),
    index: z.number().int(),
    platform: z.string().optional(),
    item: progressItemSchema,
  }),
  /** A step's platform became known or changed (its inputs arrived later): re-tag its lines. */
  z.object({
    kind: z.literal('platform'),
    digest: z.string(),
    index: z.number().int(),
    platform: z.string().optional(),
    previous: z.string().optional(),
  }),
  /** A plain-text line outside the JSON stream (the final error). */
  z.object({ kind: z.literal('text'), line: z.string() }),
  z.object({ kind: z.literal('warning'), warning: buildWarningSchema }),
  /** The overall build status changed. */
  z.object({ kind: z.literal('build'), status: buildStatusSchema }),
]);
export type ProgressEvent = z.infer<typeof progressEventSchema>;
