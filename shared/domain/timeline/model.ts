import { z } from 'zod';
import { laneStatusSchema, stepKindSchema, stepStatusSchema } from '../build-progress/model';

/**
 * A build's timeline: every step of every platform as a bar from its start to its end (ms from
 * the build's first timestamp), with how it ran. Kept beside the History record (compact, on
 * disk) and computed the same way from a live build's lanes. Plain JSON.
 */

export const timelineStepSchema = z.object({
  /** buildx's `#N`. */
  index: z.number().int(),
  /** The vertex digest: live timelines only (the log tail is asked for by it). */
  digest: z.string().optional(),
  /** The name without its bracket prefix: `RUN go build -o /out/app .`. */
  name: z.string(),
  /** `build 2/3`, `internal`. */
  label: z.string().optional(),
  status: stepStatusSchema,
  kind: stepKindSchema,
  why: z.string(),
  /** A RUN step (a program of the image ran). */
  runs: z.boolean(),
  /** The platform the work ran on, when not the lane's (cross steps). */
  on: z.string().optional(),
  /** Milliseconds from the build's start. */
  start: z.number().optional(),
  end: z.number().optional(),
  /** Time spent running (may be less than end − start when BuildKit ran it in pieces). */
  durationMs: z.number().optional(),
  /** The Dockerfile instruction (1-based lines) and its stage. */
  line: z.number().int().optional(),
  endLine: z.number().int().optional(),
  stageIndex: z.number().int().optional(),
  /** The last lines of its log (finished builds). */
  tail: z.array(z.string()).optional(),
});
export type TimelineStep = z.infer<typeof timelineStepSchema>;

export const timelineLaneSchema = z.object({
  platform: z.string(),
  status: laneStatusSchema,
  start: z.number().optional(),
  end: z.number().optional(),
  durationMs: z.number().optional(),
  /** By start time. */
  steps: z.array(timelineStepSchema),
});
export type TimelineLane = z.infer<typeof timelineLaneSchema>;

/** A compile stage the Dockerfile advice says runs under QEMU, and whether it offers a rewrite. */
export const crossFormSchema = z.object({
  /** The advice's finding (rule and line name it for "Apply"). */
  rule: z.string(),
  line: z.number().int(),
  endLine: z.number().int().optional(),
  stageIndex: z.number().int(),
  /** What it compiles with (`go build`, `cargo build`). */
  subject: z.string().optional(),
  message: z.string(),
  /** The rewrite (or the template, when no mechanical rewrite is safe), as text. */
  suggestion: z.string().optional(),
  /** The advice offers a mechanical rewrite: "Measure it" and "Apply" can use it. */
  rewrite: z.boolean(),
});
export type CrossForm = z.infer<typeof crossFormSchema>;

export const buildTimelineSchema = z.object({
  schema: z.literal(1),
  /** Epoch milliseconds of the build's first timestamp. */
  startedAt: z.number().optional(),
  durationMs: z.number().optional(),
  lanes: z.array(timelineLaneSchema),
  /** Steps of no single platform (context, metadata, export). */
  shared: z.array(timelineStepSchema),
  /** The Dockerfile lines the steps come from, by 1-based number. */
  lines: z.record(z.string(), z.string()),
  /** The Dockerfile as the build read it. */
  dockerfile: z.object({ path: z.string(), sha256: z.string() }).optional(),
  crossForms: z.array(crossFormSchema),
  /** What could not be known (the Dockerfile unreadable, the builder's nodes unknown), in words. */
  notes: z.array(z.string()),
});
export type BuildTimeline = z.infer<typeof buildTimelineSchema>;

// ---- comparing two builds, and one context's trend ---------------------------------------------

export const inputChangeSchema = z.object({ what: z.string(), a: z.string(), b: z.string() });
export type InputChange = z.infer<typeof inputChangeSchema>;

export const platformSideSchema = z.object({ status: z.string(), durationMs: z.number().optional(), steps: z.number().int(), cached: z.number().int() });
export type PlatformSide = z.infer<typeof platformSideSchema>;

export const platformDeltaSchema = z.object({
  platform: z.string(),
  a: platformSideSchema.optional(),
  b: platformSideSchema.optional(),
  /** b − a, when both have a duration. */
  deltaMs: z.number().optional(),
});
export type PlatformDelta = z.infer<typeof platformDeltaSchema>;

export const stepSideSchema = z.object({ durationMs: z.number().optional(), kind: stepKindSchema, status: stepStatusSchema });
export type StepSide = z.infer<typeof stepSideSchema>;

export const stepDeltaSchema = z.object({
  platform: z.string(),
  name: z.string(),
  label: z.string().optional(),
  a: stepSideSchema.optional(),
  b: stepSideSchema.optional(),
  deltaMs: z.number().optional(),
});
export type StepDelta = z.infer<typeof stepDeltaSchema>;

const cacheCount = z.object({ cached: z.number().int(), steps: z.number().int() });

export const buildComparisonSchema = z.object({
  /** The inputs that differ (none: the same build run twice). */
  inputs: z.array(inputChangeSchema),
  platforms: z.array(platformDeltaSchema),
  /** Steps whose time changed, largest change first; then steps of one build only. */
  steps: z.array(stepDeltaSchema),
  cache: z.object({ a: cacheCount, b: cacheCount }),
});
export type BuildComparison = z.infer<typeof buildComparisonSchema>;

export const trendPointSchema = z.object({
  id: z.string(),
  startedAt: z.string(),
  status: z.string(),
  dockerfileSha256: z.string().optional(),
  /** Platforms that finished (done): their lane's time. */
  durations: z.record(z.string(), z.number()),
});
export type TrendPoint = z.infer<typeof trendPointSchema>;

export const trendSchema = z.object({
  context: z.string(),
  dockerfile: z.string(),
  /** Oldest first. */
  points: z.array(trendPointSchema),
  /** Every platform of the points, in first-seen order. */
  platforms: z.array(z.string()),
});
export type Trend = z.infer<typeof trendSchema>;
