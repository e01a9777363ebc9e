import { z } from 'zod';
import { decodeBase64 } from '../build-progress/base64';
import { parseVertexName } from '../build-progress/vertex-name';
import { jsonLines } from './json-lines';
import { BUILDER_NAME } from './names';

/**
 * Build records the builder keeps itself (`docker buildx history`, buildx ≥ 0.21): every build it ran, from a
 * terminal, another tool or this app. Parsers of `history ls --format json` and `history inspect --format json`.
 */

export type RecordStatus = 'completed' | 'failed' | 'running' | 'canceled';

export interface RecordSteps {
  total: number;
  completed: number;
  cached: number;
}

/** What every record says of its build, however it was read. */
export interface RecordBasics {
  id: string;
  name: string;
  status: RecordStatus;
  createdAt: string;
  completedAt?: string;
  durationMs?: number;
  steps: RecordSteps;
}

/** One line of `history ls`. */
export interface HistoryEntry extends RecordBasics {
  /** `builder/node/id`, as buildx prints it. */
  ref: string;
  builder: string;
  node: string;
}

/** A source line around a failure, as BuildKit shows it (`>>>` marks the failing one). */
export interface SourceLine {
  number: number;
  text: string;
  marked: boolean;
}

export interface RecordError {
  message: string;
  /** The vertex that failed, e.g. `[linux/riscv64 3/3] RUN …`. */
  step?: string;
  /** The platform of that step, read from its name. */
  platform?: string;
  /** The last lines the step printed. */
  logs: string[];
  /** The Dockerfile lines BuildKit attached to the error. */
  source?: { file: string; line: number; lines: SourceLine[] };
}

/** `history inspect --format json` of one record. */
export interface HistoryDetail {
  id: string;
  name: string;
  context?: string;
  dockerfile?: string;
  platforms: string[];
  status: RecordStatus;
  startedAt?: string;
  completedAt?: string;
  durationMs?: number;
  steps: RecordSteps;
  error?: RecordError;
}

/** A record's id (the last part of a ref): BuildKit's random base-36 id. */
export const RECORD_ID = /^[a-z0-9]{10,64}$/;
/** `builder/node/id`; builder and node names follow buildx's rules. */
export const RECORD_REF = /^[a-zA-Z][a-zA-Z0-9._-]{0,62}\/[a-zA-Z0-9][a-zA-Z0-9._-]{0,127}\/[a-z0-9]{10,64}$/;

export function splitRef(ref: string): { builder: string; node: string; id: string } | undefined {
  if (!RECORD_REF.test(ref)) return undefined;
  const [builder, node, id] = ref.split('/') as [string, string, string];
  return BUILDER_NAME.test(builder) ? { builder, node, id } : undefined;
}

const LS_STATUS: Record<string, RecordStatus> = { completed: 'completed', error: 'failed', failed: 'failed', running: 'running', canceled: 'canceled', cancelled: 'canceled' };
const statusOf = (text: string): RecordStatus => LS_STATUS[text.toLowerCase()] ?? 'failed';

const count = z.number().int().nonnegative().catch(0);

const lsLine = z.object({
  ref: z.string(),
  name: z.string().catch(''),
  status: z.string(),
  created_at: z.string(),
  completed_at: z.string().optional(),
  total_steps: count.optional(),
  completed_steps: count.optional(),
  cached_steps: count.optional(),
});

/** Milliseconds between two RFC 3339 times (nanoseconds dropped), or undefined when either is not one. */
export function millisBetween(start: string, end: string | undefined): number | undefined {
  if (!end) return undefined;
  const a = Date.parse(start);
  const b = Date.parse(end);
  return Number.isFinite(a) && Number.isFinite(b) && b >= a ? b - a : undefined;
}

/**
 * Parses `docker buildx history ls --format json` (one object per line, newest first). At most `limit` records are
 * kept; lines that are not a record are counted, never fatal.
 */
export function parseHistoryLs(output: string, limit = 500): { entries: HistoryEntry[]; unreadable: number; truncated: boolean } {
  const entries: HistoryEntry[] = [];
  let unreadable = 0;
  let truncated = false;
  for (const { value } of jsonLines(output)) {
    const parsed = lsLine.safeParse(value);
    const parts = parsed.success ? splitRef(parsed.data.ref) : undefined;
    if (!parsed.success || !parts) {
      unreadable++;
      continue;
    }
    if (entries.length >= limit) {
      truncated = true;
      continue;
    }
    const r = parsed.data;
    const status = statusOf(r.status);
    const entry: HistoryEntry = {
      ref: r.ref,
      ...parts,
      name: r.name,
      status,
      createdAt: r.created_at,
      steps: { total: r.total_steps ?? 0, completed: r.completed_steps ?? 0, cached: r.cached_steps ?? 0 },
    };
    // A running record's completed_at is the zero time.
    if (r.completed_at && status !== 'running' && !r.completed_at.startsWith('0001-')) {
      entry.completedAt = r.completed_at;
      const ms = millisBetween(r.created_at, r.completed_at);
      if (ms !== undefined) entry.durationMs = ms;
    }
    entries.push(entry);
  }
  return { entries, unreadable, truncated };
}

const inspectJson = z.object({
  Name: z.string().catch(''),
  Ref: z.string(),
  Context: z.string().optional(),
  Dockerfile: z.string().optional(),
  Platform: z.array(z.string()).nullish(),
  StartedAt: z.string().optional(),
  CompletedAt: z.string().optional(),
  /** Nanoseconds. */
  Duration: z.number().optional(),
  Status: z.string(),
  NumCompletedSteps: count.optional(),
  NumTotalSteps: count.optional(),
  NumCachedSteps: count.optional(),
  Error: z
    .object({
      Message: z.string().catch(''),
      Name: z.string().optional(),
      Logs: z.array(z.string()).nullish(),
      /** base64 of BuildKit's printed source snippet. */
      Sources: z.string().optional(),
    })
    .optional(),
});

const utf8 = new TextDecoder();

/**
 * BuildKit's source snippet: `Dockerfile:3`, a rule, `   3 | >>> RUN …` lines, a rule. Undefined when the text is
 * not one.
 */
export function parseSourceSnippet(text: string): RecordError['source'] {
  const lines = text.split('\n');
  const head = /^(.+):(\d+)$/.exec(lines[0]?.trim() ?? '');
  if (!head) return undefined;
  const out: SourceLine[] = [];
  for (const line of lines.slice(1)) {
    const m = /^\s*(\d+) \| (>>> | {4})?(.*)$/.exec(line);
    if (m) out.push({ number: Number(m[1]), text: m[3]!.trimEnd(), marked: m[2] === '>>> ' });
  }
  return { file: head[1]!, line: Number(head[2]), lines: out };
}

/** Parses `docker buildx history inspect --format json <ref>`; undefined when it is not a record. */
export function parseHistoryInspect(output: string): HistoryDetail | undefined {
  let value: unknown;
  try {
    value = JSON.parse(output);
  } catch {
    return undefined;
  }
  const parsed = inspectJson.safeParse(value);
  if (!parsed.success) return undefined;
  const r = parsed.data;
  const detail: HistoryDetail = {
    id: r.Ref,
    name: r.Name,
    platforms: r.Platform ?? [],
    status: statusOf(r.Status),
    steps: { total: r.NumTotalSteps ?? 0, completed: r.NumCompletedSteps ?? 0, cached: r.NumCachedSteps ?? 0 },
  };
  if (r.Context) detail.context = r.Context;
  if (r.Dockerfile) detail.dockerfile = r.Dockerfile;
  if (r.StartedAt) detail.startedAt = r.StartedAt;
  if (r.CompletedAt && !r.CompletedAt.startsWith('0001-')) detail.completedAt = r.CompletedAt;
  if (r.Duration !== undefined && detail.status !== 'running') detail.durationMs = Math.round(r.Duration / 1e6);
  if (r.Error) {
    const error: RecordError = { message: r.Error.Message, logs: (r.Error.Logs ?? []).slice(-20) };
    if (r.Error.Name) error.step = r.Error.Name;
    const platform = r.Error.Name ? parseVertexName(r.Error.Name).platform : undefined;
    if (platform) error.platform = platform;
    if (r.Error.Sources) {
      const source = parseSourceSnippet(utf8.decode(decodeBase64(r.Error.Sources).bytes));
      if (source) error.source = source;
    }
    detail.error = error;
  }
  return detail;
}
