import { z } from 'zod';
import { absolutePath } from '../domain/build-request/request';
import { RECORD_REF } from '../domain/buildx/history';
import { BUILDER_NAME } from '../domain/buildx/names';
import { request, stream, type StreamFlow } from '../rpc/define';
import { buildChunk, LOG_WINDOW_CHARS, type BuildChunk } from './builds';

/**
 * Build records the builder keeps itself (`docker buildx history`): builds made in a terminal, by other tools or
 * by this app, and records imported from `.dockerbuild` files. Apart from `builds` (the app's own History) so that
 * a failure here never touches that list.
 */

export const recordStatus = z.enum(['completed', 'failed', 'running', 'canceled']);

/** `builder/node/id` of a record the builder keeps, or `imported/<bundle>/<id>` for one read from a file. */
export const recordKey = z.string().max(300).regex(/^(?:imported\/[0-9a-f]{16}\/[a-z0-9]{10,64}|[a-zA-Z][a-zA-Z0-9._-]{0,62}\/[a-zA-Z0-9][a-zA-Z0-9._-]{0,127}\/[a-z0-9]{10,64})$/, 'Not a build record.');

const steps = z.object({ total: z.number().int(), completed: z.number().int(), cached: z.number().int() });

export const recordSummary = z.object({
  key: recordKey,
  source: z.enum(['builder', 'imported']),
  /** `builder/node/id` as buildx printed it (for an imported record: where it was made). */
  ref: z.string(),
  builder: z.string(),
  id: z.string(),
  name: z.string(),
  status: recordStatus,
  createdAt: z.string(),
  completedAt: z.string().optional(),
  durationMs: z.number().optional(),
  steps,
  /** Platforms, when known from the list (imported records; the builder's list has none until a record is opened). */
  platforms: z.array(z.string()).optional(),
  /** The app's own History record of this build, when the app ran it. */
  appBuildId: z.string().optional(),
  /** The `.dockerbuild` file an imported record came from. */
  file: z.string().optional(),
});

export const sourceLine = z.object({ number: z.number().int(), text: z.string(), marked: z.boolean() });

export const recordError = z.object({
  message: z.string(),
  step: z.string().optional(),
  platform: z.string().optional(),
  logs: z.array(z.string()),
  source: z.object({ file: z.string(), line: z.number().int(), lines: z.array(sourceLine) }).optional(),
});

export const recordDetail = recordSummary.extend({
  platforms: z.array(z.string()),
  context: z.string().optional(),
  dockerfile: z.string().optional(),
  error: recordError.optional(),
  /** Why the log is not shown, when it is not. */
  logsNote: z.string().optional(),
  /** The command that printed the log, as the user would type it. */
  command: z.string().optional(),
});

const problem = z.object({ message: z.string(), hint: z.string() });

export const recordList = z.object({
  /** Whether this buildx keeps build records (`docker buildx history`). */
  available: z.boolean(),
  /** Why the builder's records are missing, when they are. */
  reason: z.string().optional(),
  buildxVersion: z.string().optional(),
  /** Whether one record can be exported to a `.dockerbuild` file, and why not. */
  export: z.object({ available: z.boolean(), reason: z.string().optional() }),
  /** The builder whose records these are (the current one unless asked). */
  builder: z.string().optional(),
  records: z.array(recordSummary),
  /** More records than listed (the newest are listed). */
  truncated: z.boolean(),
  /** `history ls` failed: the imported records are still listed. */
  problem: problem.optional(),
});

export const exportInput = z.object({
  ref: z.string().regex(RECORD_REF, 'Not a build record of a builder.'),
  dest: absolutePath.refine((p) => p.endsWith('.dockerbuild'), 'A build record file ends in .dockerbuild.'),
  /** Replace a file already there (the user confirmed it). */
  overwrite: z.boolean().optional(),
});

export const exportResult = z.object({ path: z.string(), bytes: z.number().int(), command: z.string() });

export const importInput = z.object({ file: absolutePath });
export const importResult = z.object({ records: z.array(recordSummary) });

/** Data of a FILE_EXISTS error: the file the export would replace. */
export type RecordSummary = z.infer<typeof recordSummary>;
export type RecordDetail = z.infer<typeof recordDetail>;
export type RecordList = z.infer<typeof recordList>;
export type RecordError = z.infer<typeof recordError>;

const logFlow: StreamFlow<BuildChunk> = { units: (c) => Math.max(1, c.terminal?.text.length ?? 0), window: LOG_WINDOW_CHARS };

export const recordsContract = {
  /** The builder's own records (`docker buildx history ls`) and the imported ones, newest first; never fails for buildx's sake. */
  list: request(z.object({ builder: z.string().regex(BUILDER_NAME).optional() }), recordList),
  /** A record's details and log (`history inspect`, `history logs --progress rawjson`) as lanes and terminal text. */
  open: stream(z.object({ key: recordKey }), buildChunk, recordDetail, logFlow),
  /** `docker buildx history export <id> -o <dest>`; FILE_EXISTS (data: the file) unless `overwrite`. */
  export: request(exportInput, exportResult),
  /** Reads a `.dockerbuild` file the user picked and keeps its records in the app's data folder. */
  import: request(importInput, importResult),
};
