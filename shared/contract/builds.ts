import { z } from 'zod';
import { buildProgressSnapshotSchema, failureClassificationSchema, laneStatusSchema } from '../domain/build-progress/model';
import { absolutePath, buildRequestData, buildRequestInput, dockerfilePath, platformName } from '../domain/build-request/request';
import { distributedStateSchema, placementSchema } from '../domain/distributed/model';
import { nodePlatformsSchema } from '../domain/platform-support';
import { terminalBatch } from '../domain/terminal-batch';
import { event, request, stream, type StreamFlow } from '../rpc/define';
import { builderName, nodeName } from './builders';
import { contextProblem } from './errors';
import { integritySummary } from './integrity';

// ---- form helpers ------------------------------------------------------------------------------------

/** What the engine, its builders and emulators can do: the input of the platform ticks and the checks. */
export const buildFactsSchema = z.object({
  nativePlatform: z.string(),
  containerdImageStore: z.boolean(),
  builders: z.array(
    z.object({
      name: z.string(),
      driver: z.string(),
      status: z.string(),
      current: z.boolean(),
      /** Each node's classification, in buildx's node order. */
      nodes: z.array(nodePlatformsSchema),
      /** The same nodes as buildx's build routing sees them: what each has pinned, lists, and whether it is down. */
      routing: z.array(z.object({ name: z.string(), pinned: z.array(z.string()).readonly(), reported: z.array(z.string()).readonly(), down: z.boolean().optional() })).optional(),
    }),
  ),
  /** What the engine host itself runs (natively or through its emulators), for when the builder is not known. */
  host: nodePlatformsSchema,
  currentBuilder: z.string().optional(),
  /** The builder list could not be read: builder checks are left to buildx. */
  buildersUnknown: z.boolean().optional(),
  /** Facts that could not be read, in words (the form still works with what is known). */
  notes: z.array(z.string()),
});

export const contextInput = z.object({
  context: absolutePath,
  dockerfile: dockerfilePath.optional(),
});

export const contextInfo = z.object({
  context: z.string(),
  /** The Dockerfile the build would use (absolute). */
  dockerfile: z.string(),
  ok: z.boolean(),
  problems: z.array(contextProblem),
  /** Named stages (`FROM … AS name`), the choices for the target stage. */
  stages: z.array(z.object({ name: z.string(), line: z.number().int() })),
  /** `analysis`: the Dockerfile analyser; `minimal`: a plain `FROM … AS name` scan. */
  stagesSource: z.enum(['analysis', 'minimal', 'none']),
});

export const browseInput = z.object({ path: absolutePath.optional() });

export const dirListing = z.object({
  path: z.string(),
  parent: z.string().optional(),
  /** Sub-folders only (hidden ones left out), sorted by name. */
  entries: z.array(z.object({ name: z.string(), path: z.string(), hasDockerfile: z.boolean() })),
  hasDockerfile: z.boolean(),
  /** More folders than shown. */
  truncated: z.boolean(),
});

// ---- builds ------------------------------------------------------------------------------------------

export const buildStatus = z.enum(['running', 'succeeded', 'failed', 'cancelled', 'interrupted']);

export const platformOutcome = z.object({
  platform: z.string(),
  status: z.union([laneStatusSchema, z.literal('interrupted')]),
  durationMs: z.number().optional(),
  steps: z.number().int(),
  cached: z.number().int(),
  failedStep: z.object({ name: z.string(), error: z.string() }).optional(),
});

export const buildFailure = z.object({
  /** Platforms whose own steps failed. Empty when the failure was not platform-specific. */
  platforms: z.array(z.string()),
  steps: z.array(
    z.object({
      platform: z.string().optional(),
      name: z.string(),
      stepLabel: z.string().optional(),
      error: z.string(),
      lastLogLines: z.array(z.string()),
    }),
  ),
  /** buildx's final `ERROR:` message. */
  message: z.string().optional(),
  cause: failureClassificationSchema,
});

export const buildRecord = z.object({
  schema: z.literal(1),
  id: z.string(),
  request: buildRequestData,
  /** The command as the user would type it. */
  command: z.string(),
  builder: z.object({ name: z.string(), driver: z.string().optional() }),
  platforms: z.array(z.string()),
  status: buildStatus,
  startedAt: z.string(),
  endedAt: z.string().optional(),
  durationMs: z.number().optional(),
  exitCode: z.number().int().optional(),
  outcomes: z.array(platformOutcome),
  /** `containerimage.digest` from the metadata file: the index digest for several platforms. */
  digest: z.string().optional(),
  mediaType: z.string().optional(),
  /** `builder/node/id` of the builder's own record of this build (`docker buildx history`), from the metadata file. */
  buildxRef: z.string().optional(),
  imageNames: z.array(z.string()),
  failure: buildFailure.optional(),
  /** Why it ended without buildx saying (cancelled, interrupted, could not start). */
  note: z.string().optional(),
  /** SHA-256 of the Dockerfile as the build read it (`sha256:…`): compare and trends tell Dockerfile versions apart by it. */
  dockerfileSha256: z.string().optional(),
  /** The full raw `--progress=rawjson` log on disk. */
  logFile: z.string(),
  logBytes: z.number().int(),
  /** The binary check run on what the build pushed or loaded. */
  integrity: integritySummary.optional(),
  /** The node of each platform: where buildx is expected to route it, or where a distributed build ran it. */
  placements: z.array(placementSchema).optional(),
  /** A build split over nodes: its per-platform sub-builds and their merge into one index. */
  distributed: distributedStateSchema.optional(),
});

export const buildChunk = z.object({
  id: z.string(),
  terminal: terminalBatch.optional(),
  /** The per-platform lanes, when they changed (at most every ~100 ms). Steps' log lines are left out except for failed steps. */
  progress: buildProgressSnapshotSchema.optional(),
  status: buildStatus.optional(),
  /** Output read back from the log on disk (opening a past build, or joining a running one late). */
  replay: z.boolean().optional(),
  /** The node of each platform (sent first, and when it changes). */
  placements: z.array(placementSchema).optional(),
  /** A distributed build's sub-builds and merge, when they changed. */
  distributed: distributedStateSchema.optional(),
});

/** Where one platform of a distributed build is built: a node of a builder, or a whole builder. */
export const laneChoice = z.object({
  platform: platformName,
  builder: builderName,
  /** A node of `builder`; without it, buildx routes the platform inside the builder. */
  node: nodeName.optional(),
});

export const distributeInput = z
  .object({
    request: buildRequestInput,
    /** One per platform of the request. */
    lanes: z.array(laneChoice).min(1).max(32),
    /** Without caches in the request, give each platform a registry cache of its own (`<repository>:buildcache-<platform>`). */
    registryCache: z.boolean().default(true),
  })
  .superRefine((input, ctx) => {
    if (input.request.output.type !== 'push') {
      ctx.addIssue({ code: 'custom', path: ['request', 'output'], message: 'A build over several nodes pushes each platform and merges them in the registry: choose "Push to registry".' });
    }
    if (input.request.tags.length === 0) ctx.addIssue({ code: 'custom', path: ['request', 'tags'], message: 'Give a tag: the platforms are merged under it.' });
    const asked = [...input.request.platforms].sort().join(',');
    const given = input.lanes.map((l) => l.platform);
    if (new Set(given).size !== given.length || [...given].sort().join(',') !== asked) {
      ctx.addIssue({ code: 'custom', path: ['lanes'], message: 'Choose exactly one node or builder for each ticked platform.' });
    }
  });
export type DistributeInput = z.input<typeof distributeInput>;
export type DistributeSpec = z.output<typeof distributeInput>;

/** A build folder whose record could not be read; it is kept, and shown with the reason until deleted. */
export const unreadableBuild = z.object({
  id: z.string(),
  /** `set-aside`: the record's content was not valid and it was moved to `path`; `unreadable`: it could not be read at all and is left as it is. */
  kind: z.enum(['set-aside', 'unreadable']),
  /** The record file (moved aside, or where it is). */
  path: z.string(),
  message: z.string(),
  hint: z.string(),
});

/** What the History list shows of a build: small and bounded, unlike the whole record (`builds.get`). */
export const buildSummary = z.object({
  id: z.string(),
  status: buildStatus,
  startedAt: z.string(),
  endedAt: z.string().optional(),
  durationMs: z.number().optional(),
  platforms: z.array(z.string()),
  outcomes: z.array(
    z.object({
      platform: z.string(),
      status: platformOutcome.shape.status,
      /** The failed step, in a line (cut to 300 characters). */
      failed: z.string().optional(),
    }),
  ),
  /** Platforms whose own steps failed. */
  failedPlatforms: z.array(z.string()),
  context: z.string(),
  tags: z.array(z.string()),
  digest: z.string().optional(),
  builder: z.string(),
  /** Why it ended without buildx saying (cancelled, interrupted, could not start). */
  note: z.string().optional(),
  /** The binary check of what it pushed or loaded (History shows the verdict and opens the image). */
  integrity: integritySummary.optional(),
  /** A build over several nodes: where each platform ran, and what the merge left out by choice. */
  distributed: z
    .object({
      lanes: z.array(z.object({ platform: z.string(), builder: z.string(), node: z.string().optional(), attempts: z.number().int() })),
      leftOut: z.array(z.string()),
    })
    .optional(),
});

export const buildListInput = z.object({
  /** The last id of the previous page; the page starts after it (older builds). */
  after: z.string().regex(/^[a-z0-9-]{8,64}$/, 'Not a build id.').optional(),
  limit: z.number().int().min(1).max(200).default(50),
});

/** One page of the history, newest first. */
export const buildList = z.object({
  builds: z.array(buildSummary),
  /** Build folders of this page whose record could not be read: kept, never deleted by the app itself. */
  unreadable: z.array(unreadableBuild),
  /** Give it as `after` for the next page; absent on the last page. */
  next: z.string().optional(),
  /** Build folders in the history, all pages together. */
  total: z.number().int(),
});

/** Processes one of the app's builds left running (see the Engine page). */
export const leftoverBuild = z.object({
  id: z.string(),
  processes: z.array(
    z.object({
      pid: z.number().int(),
      /** `cli`: the docker / buildx processes the app started; `run-step`: a RUN step BuildKit left when the engine stopped. */
      kind: z.enum(['cli', 'run-step']),
      command: z.string(),
    }),
  ),
});
export const leftovers = z.object({ builds: z.array(leftoverBuild) });

export const buildId = z.string().regex(/^[a-z0-9-]{8,64}$/, 'Not a build id.');

export type BuildFactsData = z.infer<typeof buildFactsSchema>;
export type ContextInfo = z.infer<typeof contextInfo>;
export type DirListing = z.infer<typeof dirListing>;
export type BuildStatusValue = z.infer<typeof buildStatus>;
export type BuildRecord = z.infer<typeof buildRecord>;
export type BuildChunk = z.infer<typeof buildChunk>;
export type BuildList = z.infer<typeof buildList>;
export type BuildSummary = z.infer<typeof buildSummary>;
export type LeftoverBuild = z.infer<typeof leftoverBuild>;
export type Leftovers = z.infer<typeof leftovers>;
export type UnreadableBuild = z.infer<typeof unreadableBuild>;
export type PlatformOutcome = z.infer<typeof platformOutcome>;
export type BuildFailure = z.infer<typeof buildFailure>;

/**
 * Build output is paced by the terminal: a window acknowledges the characters its terminal has
 * parsed, and the core sends while less than this many are waiting (when it falls behind, the
 * core keeps only what a terminal can still show).
 */
export const LOG_WINDOW_CHARS = 256 * 1024;

const logFlow: StreamFlow<BuildChunk> = { units: (c) => Math.max(1, c.terminal?.text.length ?? 0), window: LOG_WINDOW_CHARS };

export const buildsContract = {
  /** Engine, builders and emulators facts for the form's platform ticks and checks. */
  facts: request(z.object({}), buildFactsSchema),
  /** Checks a context folder (exists, is a folder, has the Dockerfile) and lists the Dockerfile's stages. */
  inspectContext: request(contextInput, contextInfo),
  /** Folders on the computer running the app (there is no native folder dialog in headless mode). */
  browse: request(browseInput, dirListing),
  /**
   * Runs `docker buildx build --progress=rawjson --metadata-file …`. Streams the terminal text
   * and lanes; the result is the finished record. Ending this call only stops watching: the
   * build goes on until `cancel`. Refused with BUILD_IMPOSSIBLE (data: problems) before starting.
   */
  run: stream(buildRequestInput, buildChunk, buildRecord, logFlow),
  /**
   * Builds each platform on its own node or builder in parallel, each pushing by digest with its
   * own cache, then merges the digests into one index under the tags and checks it. Streams like
   * `run`. One platform failing does not stop the others; the record then waits for a retry or an
   * explicit merge without it.
   */
  distribute: stream(distributeInput, buildChunk, buildRecord, logFlow),
  /** Builds one platform of an ended distributed build again; once every platform has its digest, merges. Follow it with `watch`. */
  retryPlatform: request(z.object({ id: buildId, platform: platformName }), buildRecord),
  /**
   * Merges an ended distributed build's digests. `leaveOut` must name exactly the platforms that
   * have none (the explicit choice to merge without them, kept in the record); empty to merge again.
   */
  merge: request(z.object({ id: buildId, leaveOut: z.array(platformName).max(32).default([]) }), buildRecord),
  /** Follows a build from its first line: replays the log on disk, then live output while it runs. */
  watch: stream(z.object({ id: buildId }), buildChunk, buildRecord, logFlow),
  /** Stops a running build (its whole process group). */
  cancel: request(z.object({ id: buildId }), z.object({ cancelled: z.boolean() })),
  /** The builds kept on disk, newest first, a page at a time (summaries: open one with `get`). */
  list: request(buildListInput, buildList),
  get: request(z.object({ id: buildId }), buildRecord),
  /** Deletes a finished build's record and log. */
  remove: request(z.object({ id: buildId }), z.object({ removed: z.boolean() })),
  /** Processes the app's earlier builds left running (the app was killed, or the engine stopped mid-build). */
  leftovers: request(z.object({}), leftovers),
  /** Stops one build's leftovers (checked again in main: only processes still recorded as that build's). */
  stopLeftovers: request(z.object({ id: buildId }), z.object({ stopped: z.number().int() })),
  /** Leftovers were found (at start, or after the engine came back). */
  onLeftovers: event(leftovers),
  onStarted: event(buildRecord),
  /** A build ended (succeeded, failed, cancelled): for notifications and the history list. */
  onEnded: event(buildRecord),
};
