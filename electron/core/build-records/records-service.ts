import { rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { BuildChunk } from '../../../shared/contract/builds';
import type { RecordDetail, RecordList, RecordSummary } from '../../../shared/contract/records';
import { buildxCapabilities, type BuildxFeature } from '../../../shared/domain/buildx/capabilities';
import { parseHistoryInspect, parseHistoryLs, splitRef, type HistoryEntry } from '../../../shared/domain/buildx/history';
import { parseBuildxVersion } from '../../../shared/domain/versions';
import { RpcError } from '../../../shared/rpc/errors';
import type { DockerCli } from '../docker-cli';
import { LogPipeline, replayLog } from '../builds/log-pipeline';
import { ImportedRecords } from './imported-records';

/** The newest records listed; a builder may keep thousands. */
const LIST_LIMIT = 300;
/** What `history ls` may print before the app stops reading (about 300 bytes a record). */
const LS_BYTES = 4 * 1024 * 1024;
/** A record's log read at most this far (rawjson bytes); the rest is said to be left out. */
const LOG_BYTES = 64 * 1024 * 1024;
const TIMEOUT_MS = 60_000;

export interface RecordsServiceOptions {
  cli: DockerCli;
  dataDir: string;
  /** The app's own builds by their buildx ref (`builder/node/id`), to mark the records the app made. */
  appBuilds?: () => Promise<Map<string, string>>;
}

/** The last `ERROR:` line buildx printed, or its last line. */
const cliError = (stderr: string, code: number) =>
  stderr
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('ERROR:'))
    ?.slice(6)
    .trim() ?? (stderr.trim().split('\n').pop() || `exit code ${code}`);

/**
 * The builder's own build records through `docker buildx history` (argv only), and records imported from
 * `.dockerbuild` files. Every failure of buildx here is reported in the answer, never thrown into the app's History.
 */
export class RecordsService {
  readonly imported: ImportedRecords;

  constructor(private readonly options: RecordsServiceOptions) {
    this.imported = new ImportedRecords(join(options.dataDir, 'imported-records'));
  }

  private async capabilities(signal?: AbortSignal) {
    const version = await this.options.cli.run(['buildx', 'version'], { signal, timeoutMs: 10_000 }).then(
      (r) => (r.code === 0 ? parseBuildxVersion(r.stdout) : undefined),
      () => undefined,
    );
    const all = buildxCapabilities(version);
    const get = (feature: BuildxFeature) => all.find((c) => c.feature === feature)!;
    return { version, history: get('history'), export: get('history-export') };
  }

  async list(input: { builder?: string }, signal?: AbortSignal): Promise<RecordList> {
    const [caps, imported] = await Promise.all([this.capabilities(signal), this.imported.list().catch(() => [])]);
    const out: RecordList = {
      available: caps.history.available,
      export: { available: caps.export.available, ...(caps.export.reason ? { reason: caps.export.reason } : {}) },
      records: [],
      truncated: false,
    };
    if (caps.version) out.buildxVersion = caps.version;
    if (input.builder) out.builder = input.builder;
    if (!caps.history.available) {
      out.reason = `Records the builder keeps of every build (terminal builds, other tools) need \`${caps.history.usage}\`, which ${caps.history.reason}. Only records imported from files are listed.`;
      out.records = imported;
      return out;
    }
    const args = ['buildx', 'history', 'ls', '--format', 'json', '--no-trunc', ...(input.builder ? ['--builder', input.builder] : [])];
    try {
      const result = await this.options.cli.run(args, { signal, timeoutMs: TIMEOUT_MS, maxCaptureBytes: LS_BYTES });
      if (result.code !== 0) {
        out.problem = { message: `buildx could not list the builder's records: ${cliError(result.stderr, result.code)}`, hint: `Check the builder on the Builders page, then Refresh (${this.options.cli.display(args)}).` };
      } else {
        const parsed = parseHistoryLs(result.stdout, LIST_LIMIT);
        const own = await this.options.appBuilds?.().catch(() => undefined);
        out.records = parsed.entries.map((e) => summaryOf(e, own?.get(e.ref)));
        out.truncated = parsed.truncated;
        if (!input.builder && parsed.entries[0]) out.builder = parsed.entries[0].builder;
      }
    } catch (error) {
      const rpc = RpcError.from(error);
      if (rpc.code === 'CANCELLED') throw rpc;
      out.problem = { message: `buildx could not list the builder's records: ${rpc.message}`, hint: rpc.hint ?? 'Check the Engine page, then Refresh.' };
    }
    out.records = [...out.records, ...imported].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return out;
  }

  /** A record's details, then its log through the same pipeline as the app's builds (lanes + terminal text). */
  async open(key: string, emit: (chunk: BuildChunk) => Promise<void>, signal?: AbortSignal): Promise<RecordDetail> {
    if (key.startsWith('imported/')) {
      const detail = await this.imported.get(key);
      const log = await this.imported.log(key);
      const pipeline = log ? await replayLog(log, key, detail.platforms, emit, { signal }) : new LogPipeline(detail.platforms);
      if (detail.logsNote) pipeline.note(detail.logsNote);
      pipeline.end(detail.status === 'failed' ? 1 : 0);
      await emit({ id: key, terminal: pipeline.take(), progress: pipeline.progress(), replay: true });
      return detail;
    }
    const parts = splitRef(key);
    if (!parts) throw new RpcError('BAD_INPUT', `${key} is not a build record.`);
    const on = ['--builder', parts.builder];
    const inspectArgs = ['buildx', 'history', 'inspect', ...on, '--format', 'json', parts.id];
    const inspected = await this.options.cli.run(inspectArgs, { signal, timeoutMs: TIMEOUT_MS, maxCaptureBytes: 4 * 1024 * 1024 });
    const parsed = inspected.code === 0 ? parseHistoryInspect(inspected.stdout) : undefined;
    if (!parsed) {
      throw new RpcError('RECORD_UNREADABLE', `buildx could not read the build record ${parts.id}: ${inspected.code === 0 ? 'it printed something that is not a record' : cliError(inspected.stderr, inspected.code)}`, {
        hint: `The builder may have removed it (records are kept for a while). Refresh the list, or run ${this.options.cli.display(inspectArgs)}.`,
      });
    }
    const own = await this.options.appBuilds?.().catch(() => undefined);
    const logArgs = ['buildx', 'history', 'logs', ...on, '--progress', 'rawjson', parts.id];
    const detail: RecordDetail = {
      ...summaryOf({ ref: key, ...parts, name: parsed.name, status: parsed.status, createdAt: parsed.startedAt ?? '', steps: parsed.steps }, own?.get(key)),
      platforms: parsed.platforms,
      command: this.options.cli.display(logArgs),
    };
    if (parsed.completedAt) detail.completedAt = parsed.completedAt;
    if (parsed.durationMs !== undefined) detail.durationMs = parsed.durationMs;
    if (parsed.context) detail.context = parsed.context;
    if (parsed.dockerfile) detail.dockerfile = parsed.dockerfile;
    if (parsed.error) detail.error = parsed.error;

    const pipeline = new LogPipeline(parsed.platforms);
    let read = 0;
    let pending = Promise.resolve();
    // Progress goes to stderr, as for a build (with buildx's own ERROR line last, which the parser passes over).
    const logs = await this.options.cli.run(logArgs, {
      signal,
      timeoutMs: 5 * TIMEOUT_MS,
      maxCaptureBytes: 64 * 1024,
      onStderr: (data) => {
        if (read >= LOG_BYTES) return;
        read += data.length;
        pipeline.push(data);
        if (pipeline.pendingTextBytes >= 64 * 1024) {
          const terminal = pipeline.take();
          if (terminal) pending = pending.then(() => emit({ id: key, terminal, replay: true }));
        }
      },
    });
    await pending;
    if (logs.code !== 0) {
      detail.logsNote = `buildx could not print this record's log: ${cliError(logs.stderr, logs.code)}`;
      pipeline.note(detail.logsNote);
    } else if (read >= LOG_BYTES) {
      detail.logsNote = `The log is longer than ${LOG_BYTES / 1024 / 1024} MiB; the rest was left out (${detail.command}).`;
      pipeline.note(detail.logsNote);
    }
    pipeline.end(logs.code === 0 ? (parsed.status === 'failed' ? 1 : 0) : undefined);
    await emit({ id: key, terminal: pipeline.take(), progress: pipeline.progress(), replay: true });
    return detail;
  }

  /**
   * `docker buildx history export <id> -o <dest>`. A file already at `dest` is replaced only when the user
   * confirmed it (`overwrite`), and only once the export succeeded: buildx writes beside it first.
   */
  async export(input: { ref: string; dest: string; overwrite?: boolean }, signal?: AbortSignal): Promise<{ path: string; bytes: number; command: string }> {
    const parts = splitRef(input.ref)!;
    const caps = await this.capabilities(signal);
    if (!caps.export.available) throw new RpcError('NOT_AVAILABLE', `Exporting a build record needs \`${caps.export.usage}\`, which ${caps.export.reason}.`, { hint: 'Update the buildx plugin.' });
    const folder = await stat(dirname(input.dest)).catch(() => undefined);
    if (!folder?.isDirectory()) throw new RpcError('DESTINATION_INVALID', `${dirname(input.dest)} is not a folder.`, { hint: 'Choose a file in an existing folder.' });
    const existing = await stat(input.dest).catch(() => undefined);
    if (existing && !existing.isFile()) throw new RpcError('DESTINATION_INVALID', `${input.dest} exists and is not a file.`, { hint: 'Choose another file name.' });
    if (existing && !input.overwrite) {
      throw new RpcError('FILE_EXISTS', `${input.dest} already exists.`, { hint: 'Replace it, or choose another file name.', data: { path: input.dest, bytes: existing.size } });
    }
    const staging = join(dirname(input.dest), `.${basename(input.dest)}.${process.pid}.partial`);
    const args = ['buildx', 'history', 'export', '--builder', parts.builder, parts.id, '-o', staging];
    const command = this.options.cli.display(['buildx', 'history', 'export', '--builder', parts.builder, parts.id, '-o', input.dest]);
    try {
      const result = await this.options.cli.run(args, { signal, timeoutMs: 5 * TIMEOUT_MS });
      const written = await stat(staging).catch(() => undefined);
      if (result.code !== 0 || !written?.isFile()) {
        throw new RpcError('EXPORT_FAILED', `buildx could not export the record ${parts.id}: ${result.code !== 0 ? cliError(result.stderr, result.code) : 'no file was written'}`, { hint: `Check that the record still exists (Refresh), or run ${command}.` });
      }
      await rename(staging, input.dest);
      return { path: input.dest, bytes: written.size, command };
    } finally {
      await rm(staging, { force: true });
    }
  }
}

function summaryOf(e: Omit<HistoryEntry, 'node'> & { node?: string }, appBuildId: string | undefined): RecordSummary {
  const summary: RecordSummary = {
    key: e.ref,
    source: 'builder',
    ref: e.ref,
    builder: e.builder,
    id: e.id,
    name: e.name,
    status: e.status,
    createdAt: e.createdAt,
    steps: e.steps,
  };
  if (e.completedAt) summary.completedAt = e.completedAt;
  if (e.durationMs !== undefined) summary.durationMs = e.durationMs;
  if (appBuildId) summary.appBuildId = appBuildId;
  return summary;
}
