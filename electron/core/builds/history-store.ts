import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { buildRecord, type BuildList, type BuildRecord, type BuildSummary, type UnreadableBuild } from '../../../shared/contract/builds';
import { RpcError } from '../../../shared/rpc/errors';
import { fsCause, fsHint, realWriteError } from '../store/fs-problems';
import { readJsonFile, writeJsonAtomic } from '../store/json-file';

export const RECORD_FILE = 'build.json';
export const LOG_FILE = 'build.log';
export const METADATA_FILE = 'metadata.json';

const BUILD_FOLDER = /^[a-z0-9-]{8,64}$/;

/**
 * Every build kept on disk, one folder per build: `builds/<id>/build.json` (the record, written
 * atomically), `build.log` (the raw rawjson stream) and `metadata.json` (what buildx wrote).
 * A record that cannot be read is reported with its reason, never a crash: an invalid one is
 * moved aside, one that cannot be read at all (permissions, a folder in its place) is left as it is.
 */
export class HistoryStore {
  readonly root: string;
  /**
   * Records changed in memory that could not be written (a read-only data folder): shown as they
   * should be, and written when the folder can be written again.
   */
  private readonly unsaved = new Map<string, { record: BuildRecord; cause: string }>();

  constructor(dataDir: string) {
    this.root = join(dataDir, 'builds');
  }

  dirOf(id: string): string {
    return join(this.root, id);
  }

  /** A new build's folder; a failure names its real cause (a read-only disk reports ENOENT from mkdir). */
  async createFolder(id: string): Promise<string> {
    const dir = this.dirOf(id);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      const real = await realWriteError(error, dir);
      throw new RpcError('HISTORY_STORAGE_FAILED', `The folder of build ${id} could not be created (${fsCause(real)}); the build was not started.`, { hint: fsHint(real, this.root) });
    }
    return dir;
  }

  async save(record: BuildRecord): Promise<void> {
    const path = join(this.dirOf(record.id), RECORD_FILE);
    try {
      await writeJsonAtomic(path, record);
    } catch (error) {
      const real = await realWriteError(error, path);
      throw new RpcError('HISTORY_STORAGE_FAILED', `The record of build ${record.id} could not be written (${fsCause(real)}).`, { hint: fsHint(real, this.root) });
    }
    this.unsaved.delete(record.id);
  }

  /** The record, or why it cannot be read; undefined when the folder holds none. */
  async read(id: string): Promise<{ record?: BuildRecord; unreadable?: UnreadableBuild }> {
    const kept = this.unsaved.get(id);
    if (kept) return { record: { ...kept.record, note: `${kept.record.note ?? ''} (Not yet written to disk: ${kept.cause})`.trim() } };
    const path = join(this.dirOf(id), RECORD_FILE);
    const result = await readJsonFile(path, buildRecord);
    const dir = this.dirOf(id);
    switch (result.status) {
      case 'ok':
        if (result.value.id !== id) return { unreadable: await this.moveAside(id, path, `it names build "${result.value.id}"`) };
        return { record: result.value };
      case 'missing':
        return {};
      case 'set-aside':
        return { unreadable: setAside(id, result.setAsidePath, result.reason, dir) };
      case 'corrupt':
        return {
          unreadable: {
            id,
            kind: 'unreadable',
            path,
            message: `The history record of build ${id} is not valid (${truncate(result.reason, 200)}) and could not be moved aside (${result.moveProblem}); it is left in ${dir}.`,
            hint: 'Delete the build, or make the data folder writable so the app can set the record aside.',
          },
        };
      case 'unreadable':
        return {
          unreadable: {
            id,
            kind: 'unreadable',
            path,
            message: `The history record of build ${id} cannot be read (${result.reason}): ${path}. It is left as it is.`,
            hint: fsHint(result.error, dir),
          },
        };
    }
  }

  async get(id: string): Promise<BuildRecord> {
    const { record, unreadable } = await this.read(id);
    if (record) return record;
    if (unreadable) throw new RpcError('BUILD_RECORD_UNREADABLE', unreadable.message, { hint: unreadable.hint });
    throw new RpcError('BUILD_NOT_FOUND', `There is no build "${id}" in the history.`, { hint: 'It may have been deleted; refresh the History page.' });
  }

  /** Build ids on disk, newest first (ids begin with their start time). */
  async ids(): Promise<string[]> {
    let entries;
    try {
      entries = await readdir(this.root, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new RpcError('HISTORY_STORAGE_FAILED', `The history folder ${this.root} cannot be read (${fsCause(error)}).`, { hint: fsHint(error, this.root) });
    }
    return entries
      .filter((d) => d.isDirectory() && BUILD_FOLDER.test(d.name))
      .map((d) => d.name)
      .sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
  }

  /** A page of the history, newest first: summaries of readable records, and the unreadable ones with their reason. */
  async page(after: string | undefined, limit: number): Promise<BuildList> {
    const ids = await this.ids();
    const start = after === undefined ? 0 : ids.findIndex((id) => id < after);
    const slice = start < 0 ? [] : ids.slice(start, start + limit);
    const found = await Promise.all(slice.map(async (id) => ({ id, ...(await this.read(id)) })));
    const builds: BuildSummary[] = [];
    const unreadable: UnreadableBuild[] = [];
    for (const entry of found) {
      if (entry.record) builds.push(summarize(entry.record));
      else if (entry.unreadable) unreadable.push(entry.unreadable);
      else {
        const earlier = await this.earlierSetAside(entry.id);
        if (earlier) unreadable.push(earlier);
      }
    }
    const list: BuildList = { builds, unreadable, total: ids.length };
    const last = slice[slice.length - 1];
    if (last !== undefined && start + slice.length < ids.length) list.next = last;
    return list;
  }

  /**
   * The buildx refs (`builder/node/id`) of the newest `limit` builds, to their History ids: the
   * builder keeps records of recent builds only, so older ones are not read.
   */
  async buildxRefs(limit = 200): Promise<Map<string, string>> {
    const found = await Promise.all((await this.ids()).slice(0, limit).map(async (id) => (await this.read(id)).record));
    return new Map(found.flatMap((r) => (r?.buildxRef ? [[r.buildxRef, r.id] as const] : [])));
  }

  /** Every readable record (start-up recovery, tests). */
  async all(): Promise<BuildRecord[]> {
    const records: BuildRecord[] = [];
    for (const id of await this.ids()) {
      const { record } = await this.read(id);
      if (record) records.push(record);
    }
    return records;
  }

  async remove(id: string): Promise<boolean> {
    const dir = this.dirOf(id);
    try {
      await stat(dir);
    } catch {
      return false;
    }
    try {
      await rm(dir, { recursive: true, force: true });
    } catch (error) {
      throw new RpcError('HISTORY_STORAGE_FAILED', `Build ${id} could not be deleted (${fsCause(error)}): ${dir}.`, { hint: fsHint(error, this.root) });
    }
    this.unsaved.delete(id);
    return true;
  }

  /**
   * Records still marked running that no live process owns: the app stopped while they ran.
   * Each becomes `interrupted`, with the time its log was last written as the end. One that
   * cannot be written (a read-only folder) is shown interrupted anyway and saved later.
   */
  async markInterrupted(isLive: (id: string) => boolean): Promise<BuildRecord[]> {
    const changed: BuildRecord[] = [];
    for (const record of await this.all()) {
      if (record.status !== 'running' || isLive(record.id)) continue;
      let endedAt = new Date().toISOString();
      try {
        endedAt = (await stat(record.logFile)).mtime.toISOString();
      } catch {
        // no log: keep now
      }
      const next: BuildRecord = {
        ...record,
        status: 'interrupted',
        endedAt,
        durationMs: Math.max(0, Date.parse(endedAt) - Date.parse(record.startedAt)),
        outcomes: record.outcomes.map((o) => (o.status === 'done' || o.status === 'error' ? o : { ...o, status: 'interrupted' as const })),
        note: 'The app stopped while this build was running, so how it ended is not known. Its log up to that moment is kept.',
      };
      if (record.distributed) {
        const { lanes, merge } = record.distributed;
        next.distributed = {
          ...record.distributed,
          lanes: lanes.map((l) =>
            l.status === 'running' || l.status === 'waiting'
              ? { ...l, status: 'interrupted' as const, attempts: l.attempts.map((a) => (a.status === 'running' ? { ...a, status: 'interrupted' as const } : a)) }
              : l,
          ),
          merge: merge.status === 'running' ? { ...merge, status: 'failed', error: { message: 'The app stopped while the digests were being merged.', hint: 'Merge again.' } } : merge,
        };
      }
      try {
        await this.save(next);
      } catch (error) {
        this.unsaved.set(next.id, { record: next, cause: RpcError.from(error).message });
      }
      changed.push(next);
    }
    return changed;
  }

  /** Writes the records that could not be written before; true when none is left. */
  async flushUnsaved(): Promise<boolean> {
    for (const { record } of [...this.unsaved.values()]) await this.save(record).catch(() => undefined);
    return this.unsaved.size === 0;
  }

  private async moveAside(id: string, path: string, reason: string): Promise<UnreadableBuild> {
    const aside = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      await rename(path, aside);
    } catch (error) {
      return {
        id,
        kind: 'unreadable',
        path,
        message: `The history record of build ${id} is not valid (${reason}) and could not be moved aside (${fsCause(error)}).`,
        hint: fsHint(error, this.dirOf(id)),
      };
    }
    return setAside(id, aside, reason, this.dirOf(id));
  }

  /** A folder whose record was set aside at an earlier start still says so. */
  private async earlierSetAside(id: string): Promise<UnreadableBuild | undefined> {
    try {
      const files = await readdir(this.dirOf(id));
      const aside = files.filter((f) => f.startsWith(`${RECORD_FILE}.corrupt-`)).sort().pop();
      if (!aside) return undefined;
      const path = join(this.dirOf(id), aside);
      return {
        id,
        kind: 'set-aside',
        path,
        message: `The history record of build ${id} could not be read and was set aside earlier as ${path}.`,
        hint: SET_ASIDE_HINT,
      };
    } catch (error) {
      const dir = this.dirOf(id);
      return { id, kind: 'unreadable', path: dir, message: `The folder of build ${id} cannot be read (${fsCause(error)}): ${dir}.`, hint: fsHint(error, dir) };
    }
  }
}

const SET_ASIDE_HINT = 'The app keeps going without it; delete the build when you no longer need the file.';

function setAside(id: string, path: string, reason: string, dir: string): UnreadableBuild {
  return {
    id,
    kind: 'set-aside',
    path,
    message: `The history record of build ${id} could not be read (${truncate(reason, 200)}); it was moved aside to ${path}. Its log, if any, is still in ${dir}.`,
    hint: SET_ASIDE_HINT,
  };
}

/** The History list's line of a record. */
export function summarize(record: BuildRecord): BuildSummary {
  const summary: BuildSummary = {
    id: record.id,
    status: record.status,
    startedAt: record.startedAt,
    platforms: [...record.platforms],
    outcomes: record.outcomes.map((o) => ({
      platform: o.platform,
      status: o.status,
      ...(o.failedStep ? { failed: truncate(`${o.failedStep.name}: ${o.failedStep.error}`, 300) } : {}),
    })),
    failedPlatforms: [...(record.failure?.platforms ?? [])],
    context: record.request.context,
    tags: [...record.request.tags],
    builder: record.builder.name,
  };
  if (record.endedAt) summary.endedAt = record.endedAt;
  if (record.durationMs !== undefined) summary.durationMs = record.durationMs;
  if (record.digest) summary.digest = record.digest;
  if (record.note) summary.note = truncate(record.note, 500);
  if (record.integrity) summary.integrity = record.integrity;
  if (record.distributed) {
    summary.distributed = {
      lanes: record.distributed.lanes.map((l) => ({ platform: l.platform, builder: l.builder, ...(l.node ? { node: l.node } : {}), attempts: l.attempts.length })),
      leftOut: [...record.distributed.merge.leftOut],
    };
  }
  return summary;
}

const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
