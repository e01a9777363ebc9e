import { z } from 'zod';
import { dockerfileFinding } from '../domain/dockerfile/types';
import { buildComparisonSchema, buildTimelineSchema, trendSchema } from '../domain/timeline/model';
import { request, stream } from '../rpc/define';
import { buildId } from './builds';
import { problem } from './errors';

/** A step's vertex digest, as BuildKit names it. */
const digest = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'Not a step digest.');

export const stepLogInput = z.object({ id: buildId, digest });
export const stepLog = z.object({
  /** The step's last log lines (at most 50). */
  lines: z.array(z.string()),
  /** Lines the step printed in all. */
  count: z.number().int(),
});

export const compareInput = z.object({ a: buildId, b: buildId }).refine((v) => v.a !== v.b, 'Pick two different builds.');

export type StepLog = z.infer<typeof stepLog>;

// ---- "Measure it" -----------------------------------------------------------------------------

/** A compile stage of a build's timeline (its cross form, by the advice's rule and line) to measure. */
export const measureInput = z.object({
  id: buildId,
  rule: z.literal('compile-under-emulation'),
  line: z.number().int().min(1).max(1_000_000),
});

export const measureVariant = z.enum(['current', 'rewrite']);
export type MeasureVariant = z.infer<typeof measureVariant>;

/** One of the two builds of one platform. */
export const measuredRun = z.object({
  variant: measureVariant,
  status: z.enum(['waiting', 'running', 'succeeded', 'failed', 'cancelled']),
  /** The command, as the user could type it (the temporary Dockerfile copy named). */
  command: z.string(),
  /** The measured stage's steps, start to end, by BuildKit's own step timestamps (overlaps once). */
  stageMs: z.number().optional(),
  /** The stage's steps that ran (not cached), each with its time: what was measured. */
  steps: z.array(z.object({ name: z.string(), ms: z.number() })).optional(),
  /** All of the build's steps, by the same timestamps. */
  buildMs: z.number().optional(),
  /** The buildx process from start to exit (its start-up, the context upload and the result included). */
  processMs: z.number().optional(),
  /** Why it failed (or was not run). */
  problem: problem.optional(),
  /** The last lines of its log, when it failed. */
  log: z.array(z.string()).optional(),
});
export type MeasuredRun = z.infer<typeof measuredRun>;

export const measuredPlatform = z.object({
  platform: z.string(),
  current: measuredRun,
  rewrite: measuredRun,
  /** current ÷ rewrite of the stage's time: only when both builds succeeded. */
  speedUp: z.number().optional(),
});
export type MeasuredPlatform = z.infer<typeof measuredPlatform>;

export const measurement = z.object({
  /** The build's context and the user's Dockerfile (never written by the measurement). */
  context: z.string(),
  dockerfile: z.string(),
  /** Its digest as measured: "Apply" writes the rewrite only into this very text. */
  dockerfileSha256: z.string(),
  /** The advice's finding in the user's file, with its rewrite: what "Apply" writes. */
  finding: dockerfileFinding,
  /** The build's platforms, which the advice (and so the rewrite) is about. */
  buildPlatforms: z.array(z.string()),
  /** The stage built without its cache in both variants. */
  stage: z.string(),
  /** The stage had no name: both copies named it, identically. */
  stageNamed: z.boolean(),
  builder: z.string(),
  /** Where the two copies were written (removed once the measurement ends). */
  tempDir: z.string(),
  /** The rewritten lines, as the rewrite copy has them. */
  rewrite: z.string(),
  /** Emulated platforms of the build, one after the other. */
  platforms: z.array(measuredPlatform),
  notes: z.array(z.string()),
});
export type Measurement = z.infer<typeof measurement>;

export const timelineContract = {
  /** A build's timeline: every step of every platform with how it ran; kept with the History record. */
  get: request(z.object({ id: buildId }), buildTimelineSchema),
  /** The last log lines of one step of a build (what hovering a running build's bar shows). */
  stepLog: request(stepLogInput, stepLog),
  /** Per-platform durations of the builds of the same context and Dockerfile, oldest first. */
  trend: request(z.object({ id: buildId }), trendSchema),
  /** Two builds side by side: changed inputs, per-platform and per-step time differences, cache hits. */
  compare: request(compareInput, buildComparisonSchema),
  /**
   * "Measure it": builds the build's emulated platforms with its Dockerfile and with the advice's
   * cross-compile rewrite (temporary copies; the user's file is never written), one after the
   * other, cache busted for the stage only, output `cacheonly`. Chunks are the measurement so far.
   */
  measure: stream(measureInput, measurement, measurement),
};
