import { z } from 'zod';
import { buildProgressSnapshotSchema, failureClassificationSchema, laneStatusSchema } from '../domain/build-progress/model';
import { absolutePath, buildRequestData, buildRequestInput, dockerfilePath } from '../domain/build-request/request';
import { event, request, stream } from '../rpc/define';

// ---- form helpers ------------------------------------------------------------------------------------

const platformGroup = z.enum(['native', 'emulated', 'unavailable']);

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
      platforms: z.array(z.string()),
      support: z
        .array(z.object({ platform: z.string(), support: platformGroup, listed: z.boolean(), note: z.string().optional() }))
        .optional(),
      local: z.boolean(),
    }),
  ),
  currentBuilder: z.string().optional(),
  /** The builder list could not be read: builder checks are left to buildx. */
  buildersUnknown: z.boolean().optional(),
  emulators: z.record(z.string(), platformGroup).optional(),
  /** Facts that could not be read, in words (the form still works with what is known). */
  notes: z.array(z.string()),
});

export const contextInput = z.object({
  context: absolutePath,
  dockerfile: dockerfilePath.optional(),
});

export const contextProblem = z.object({
  field: z.enum(['context', 'dockerfile']),
  message: z.string(),
  hint: z.string(),
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
  imageNames: z.array(z.string()),
  failure: buildFailure.optional(),
  /** Why it ended without buildx saying (cancelled, interrupted, could not start). */
  note: z.string().optional(),
  /** The full raw `--progress=rawjson` log on disk. */
  logFile: z.string(),
  logBytes: z.number().int(),
});

/**
 * Terminal text of one batch, with the platform of each stretch: one string and a flat list of
 * runs (far cheaper on the wire than an object per line when platforms interleave line by line).
 */
export const terminalBatch = z.object({
  /** Whole lines with ANSI colours, each ending in CRLF. */
  text: z.string(),
  /** The platforms `runs` refers to. */
  platforms: z.array(z.string()),
  /** Triples [platform index, or -1 for shared steps and buildx's own lines; characters; lines], in order, covering `text`. */
  runs: z.array(z.number().int()),
});

export const buildChunk = z.object({
  id: z.string(),
  terminal: terminalBatch.optional(),
  /** The per-platform lanes, when they changed (at most every ~100 ms). Steps' log lines are left out except for failed steps. */
  progress: buildProgressSnapshotSchema.optional(),
  status: buildStatus.optional(),
  /** Output read back from the log on disk (opening a past build, or joining a running one late). */
  replay: z.boolean().optional(),
});

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
export type TerminalBatch = z.infer<typeof terminalBatch>;
export type BuildList = z.infer<typeof buildList>;
export type BuildSummary = z.infer<typeof buildSummary>;
export type LeftoverBuild = z.infer<typeof leftoverBuild>;
export type Leftovers = z.infer<typeof leftovers>;
export type UnreadableBuild = z.infer<typeof unreadableBuild>;
export type PlatformOutcome = z.infer<typeof platformOutcome>;
export type BuildFailure = z.infer<typeof buildFailure>;

/** Data of a BUILD_IMPOSSIBLE error: the combinations that cannot work, each with its fix. */
export const buildImpossibleData = z.object({
  problems: z.array(
    z.object({
      code: z.string(),
      severity: z.enum(['error', 'warning']),
      field: z.string().optional(),
      message: z.string(),
      fix: z.string(),
      platforms: z.array(z.string()).optional(),
      page: z.string().optional(),
    }),
  ),
});

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
  run: stream(buildRequestInput, buildChunk, buildRecord),
  /** Follows a build from its first line: replays the log on disk, then live output while it runs. */
  watch: stream(z.object({ id: buildId }), buildChunk, buildRecord),
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

// ---- terminal batches ----------------------------------------------------------------------------

/** Calls `fn` for each stretch of a batch's text, with its platform (undefined: shared lines). */
export function forEachRun(batch: TerminalBatch, fn: (text: string, platform: string | undefined, lines: number) => void): void {
  const { runs, text, platforms } = batch;
  let at = 0;
  for (let i = 0; i + 2 < runs.length; i += 3) {
    const index = runs[i]!;
    const length = runs[i + 1]!;
    fn(text.slice(at, at + length), index < 0 ? undefined : platforms[index], runs[i + 2]!);
    at += length;
  }
}

export function batchLines(batch: TerminalBatch): number {
  let n = 0;
  for (let i = 2; i < batch.runs.length; i += 3) n += batch.runs[i]!;
  return n;
}

/** Accumulates terminal text into one batch, merging consecutive text of the same platform. */
export class TerminalBatchBuilder {
  private text = '';
  private runs: number[] = [];
  private platforms: string[] = [];
  private index = new Map<string, number>();
  private lastIndex = -2;
  lines = 0;

  get size(): number {
    return this.text.length;
  }

  add(text: string, platform: string | undefined, lines: number): void {
    if (text.length === 0) return;
    this.text += text;
    this.run(platform === undefined ? -1 : this.indexOf(platform), text.length, lines);
  }

  /** Appends another batch as it is: one string concatenation, its runs re-indexed (no slicing). */
  addBatch(batch: TerminalBatch): void {
    if (batch.text.length === 0) return;
    const remap = batch.platforms.map((p) => this.indexOf(p));
    this.text += batch.text;
    const runs = batch.runs;
    for (let i = 0; i + 2 < runs.length; i += 3) {
      const index = runs[i]!;
      this.run(index < 0 ? -1 : remap[index]!, runs[i + 1]!, runs[i + 2]!);
    }
  }

  private indexOf(platform: string): number {
    let index = this.index.get(platform);
    if (index === undefined) {
      index = this.platforms.length;
      this.platforms.push(platform);
      this.index.set(platform, index);
    }
    return index;
  }

  private run(index: number, length: number, lines: number): void {
    this.lines += lines;
    const n = this.runs.length;
    if (index === this.lastIndex && n >= 3) {
      this.runs[n - 2] = this.runs[n - 2]! + length;
      this.runs[n - 1] = this.runs[n - 1]! + lines;
    } else {
      this.runs.push(index, length, lines);
      this.lastIndex = index;
    }
  }

  /** The batch so far (undefined when empty), and a fresh start. */
  take(): TerminalBatch | undefined {
    if (this.text.length === 0) return undefined;
    const batch: TerminalBatch = { text: this.text, platforms: this.platforms, runs: this.runs };
    this.text = '';
    this.runs = [];
    this.platforms = [];
    this.index = new Map();
    this.lastIndex = -2;
    this.lines = 0;
    return batch;
  }
}

/** Lines the terminal keeps per view (everything, or one platform); the rest of the log is on disk. */
export const TERMINAL_SCROLLBACK = 5000;

/** Index just after the `n`-th newline counted from the end of `text` (so `text.slice(i)` holds the last `n` lines). */
function startOfLastLines(text: string, n: number): number {
  let at = text.length - 1; // the final newline ends the last line
  for (let i = 0; i < n; i++) {
    at = text.lastIndexOf('\n', at - 1);
    if (at < 0) return 0;
  }
  return at + 1;
}

/**
 * The part of a batch a terminal keeping `keep` lines per view can still show: the last `keep`
 * lines of everything and of each platform's view (its lines and the shared ones; `platforms`
 * names views that may have no lines in this batch). Whatever else is dropped would have
 * scrolled out of every view unseen. Returns the batch unchanged when nothing can go.
 */
export function tailOfBatch(batch: TerminalBatch, keep: number, platforms: readonly string[] = []): { batch: TerminalBatch; dropped: number } {
  const total = batchLines(batch);
  if (total <= keep) return { batch, dropped: 0 };
  const views = [...new Set([...batch.platforms, ...platforms])];
  const indexOfView = batch.platforms.map((p) => views.indexOf(p));
  const viewCounts = new Array<number>(views.length).fill(0);
  const { runs, text } = batch;
  // run starts in the text
  const starts: number[] = [];
  let at = 0;
  for (let i = 0; i + 2 < runs.length; i += 3) {
    starts.push(at);
    at += runs[i + 1]!;
  }
  let all = 0;
  const kept: Array<{ run: number; from: number; lines: number }> = [];
  for (let r = starts.length - 1; r >= 0; r--) {
    if (all >= keep && viewCounts.every((c) => c >= keep)) break;
    const index = runs[r * 3]!;
    const lines = runs[r * 3 + 2]!;
    const view = index < 0 ? -1 : indexOfView[index]!;
    // How many of this run's last lines some view still needs.
    let need = keep - all;
    if (view >= 0) need = Math.max(need, keep - viewCounts[view]!);
    else for (const c of viewCounts) need = Math.max(need, keep - c);
    if (need <= 0) continue;
    const take = Math.min(lines, need);
    const start = starts[r]!;
    const runText = text.slice(start, start + runs[r * 3 + 1]!);
    const from = take === lines ? start : start + startOfLastLines(runText, take);
    kept.push({ run: r, from, lines: take });
    all += take;
    if (view >= 0) viewCounts[view] = viewCounts[view]! + take;
    else for (let v = 0; v < viewCounts.length; v++) viewCounts[v] = viewCounts[v]! + take;
  }
  const out = new TerminalBatchBuilder();
  let keptLines = 0;
  for (let k = kept.length - 1; k >= 0; k--) {
    const { run, from, lines } = kept[k]!;
    const end = starts[run]! + runs[run * 3 + 1]!;
    const index = runs[run * 3]!;
    out.add(text.slice(from, end), index < 0 ? undefined : batch.platforms[index], lines);
    keptLines += lines;
  }
  return { batch: out.take() ?? { text: '', platforms: [], runs: [] }, dropped: total - keptLines };
}
