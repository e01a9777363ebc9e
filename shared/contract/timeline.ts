import { z } from 'zod';
import { buildComparisonSchema, buildTimelineSchema, trendSchema } from '../domain/timeline/model';
import { request } from '../rpc/define';
import { buildId } from './builds';

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

export const timelineContract = {
  /** A build's timeline: every step of every platform with how it ran; kept with the History record. */
  get: request(z.object({ id: buildId }), buildTimelineSchema),
  /** The last log lines of one step of a build (what hovering a running build's bar shows). */
  stepLog: request(stepLogInput, stepLog),
  /** Per-platform durations of the builds of the same context and Dockerfile, oldest first. */
  trend: request(z.object({ id: buildId }), trendSchema),
  /** Two builds side by side: changed inputs, per-platform and per-step time differences, cache hits. */
  compare: request(compareInput, buildComparisonSchema),
};
