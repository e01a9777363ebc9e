import { z } from 'zod';

/**
 * A build split over nodes, as recorded: one sub-build per platform (its node, attempts, digest)
 * and the merge of their digests into one index. Plain JSON, stored in the build's record.
 */

const support = z.enum(['native', 'emulated', 'unavailable']);

/** Which node builds a platform, and how it runs it there. */
export const placementSchema = z.object({
  platform: z.string(),
  builder: z.string(),
  /** The node of `builder`; absent when buildx routes inside a builder whose nodes the app could not read. */
  node: z.string().optional(),
  endpoint: z.string().optional(),
  support: support.optional(),
  /**
   * `routed`: where buildx is expected to send it in an ordinary build (the app's reading of
   * buildx's routing, not a report from BuildKit); `chosen`: a distributed build ran it there.
   */
  source: z.enum(['routed', 'chosen']),
});
export type Placement = z.infer<typeof placementSchema>;

export const laneRunStatusSchema = z.enum(['waiting', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted']);
export type LaneRunStatus = z.infer<typeof laneRunStatusSchema>;

const problemSchema = z.object({ message: z.string(), hint: z.string().optional() });

/** One run of a platform's sub-build (the first, or a retry). */
export const laneAttemptSchema = z.object({
  attempt: z.number().int().min(1),
  status: laneRunStatusSchema,
  startedAt: z.string(),
  endedAt: z.string().optional(),
  durationMs: z.number().optional(),
  /** Its raw `--progress=rawjson` log. */
  logFile: z.string(),
  logBytes: z.number().int().optional(),
  digest: z.string().optional(),
  error: problemSchema.optional(),
});
export type LaneAttempt = z.infer<typeof laneAttemptSchema>;

export const laneStateSchema = z.object({
  platform: z.string(),
  /** The user's builder. */
  builder: z.string(),
  /** The node of `builder` it is built on; absent when the whole builder was chosen (buildx routes). */
  node: z.string().optional(),
  endpoint: z.string().optional(),
  support: support.optional(),
  /** The builder the build ran on: `builder` itself, or the app's single-node builder for `node`. */
  runner: z.string(),
  status: laneRunStatusSchema,
  /** The equivalent commands: making the single-node builder, the build, removing that builder. */
  commands: z.array(z.string()),
  cacheFrom: z.array(z.string()),
  cacheTo: z.array(z.string()),
  /** What this platform pushed (`containerimage.digest`: an index when attestations are on). */
  digest: z.string().optional(),
  steps: z.number().int(),
  cached: z.number().int(),
  durationMs: z.number().optional(),
  error: problemSchema.optional(),
  attempts: z.array(laneAttemptSchema),
});
export type LaneState = z.infer<typeof laneStateSchema>;

export const mergeVerificationSchema = z.object({
  /** The merged index lists exactly the platforms that were merged, each with the manifest its sub-build pushed. */
  ok: z.boolean(),
  /** What the Results inspector read: the index's platforms. */
  platforms: z.array(z.string()),
  /** Merged platforms the index lacks, or lists with another manifest. */
  missing: z.array(z.string()),
  /** Platforms in the index nobody merged. */
  unexpected: z.array(z.string()),
  /** Attestation manifests attached to the platforms. */
  attestations: z.number().int(),
  reference: z.string(),
  message: z.string(),
});
export type MergeVerification = z.infer<typeof mergeVerificationSchema>;

export const mergeStateSchema = z.object({
  status: z.enum(['waiting', 'running', 'succeeded', 'failed']),
  command: z.string().optional(),
  /** The index under the tags. */
  digest: z.string().optional(),
  /** Platforms the user chose to leave out of the index (after they failed); empty when nothing is missing. */
  leftOut: z.array(z.string()),
  decidedAt: z.string().optional(),
  error: problemSchema.optional(),
  verification: mergeVerificationSchema.optional(),
});
export type MergeState = z.infer<typeof mergeStateSchema>;

export const distributedStateSchema = z.object({
  /** Where every platform pushes by digest. */
  repository: z.string(),
  /** The app added a registry cache per platform (the form named none). */
  registryCache: z.boolean(),
  lanes: z.array(laneStateSchema),
  merge: mergeStateSchema,
});
export type DistributedState = z.infer<typeof distributedStateSchema>;

/** The node that built (or, in an ordinary build, is expected to build) a platform, for lanes and timings. */
export function placementOf(placements: readonly Placement[] | undefined, platform: string): Placement | undefined {
  return placements?.find((p) => p.platform === platform);
}
