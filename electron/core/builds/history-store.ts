import { readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { buildRecord, type BuildRecord } from '../../../shared/contract/builds';
import { RpcError } from '../../../shared/rpc/errors';
import { readJsonFile, writeJsonAtomic } from '../store/json-file';

export const RECORD_FILE = 'build.json';
export const LOG_FILE = 'build.log';
export const METADATA_FILE = 'metadata.json';

export interface SetAside {
  id: string;
  path: string;
  message: string;
}

/**
 * Every build kept on disk, one folder per build: `builds/<id>/build.json` (the record, written
 * atomically), `build.log` (the raw rawjson stream) and `metadata.json` (what buildx wrote).
 * A record that cannot be read is renamed aside and reported, never a crash; the log stays.
 */
export class HistoryStore {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = join(dataDir, 'builds');
  }

  dirOf(id: string): string {
    return join(this.root, id);
  }

  async save(record: BuildRecord): Promise<void> {
    await writeJsonAtomic(join(this.dirOf(record.id), RECORD_FILE), record);
  }

  /** The record, or undefined when missing; a corrupt one is set aside (and reported through `setAside`). */
  async read(id: string): Promise<{ record?: BuildRecord; setAside?: SetAside }> {
    const path = join(this.dirOf(id), RECORD_FILE);
    const result = await readJsonFile(path, buildRecord);
    if (result.status === 'ok') {
      if (result.value.id !== id) return { setAside: await this.moveAside(id, path, `it names build "${result.value.id}"`) };
      return { record: result.value };
    }
    if (result.status === 'missing') return {};
    return { setAside: describeSetAside(id, result.setAsidePath, result.reason, this.dirOf(id)) };
  }

  async get(id: string): Promise<BuildRecord> {
    const { record, setAside } = await this.read(id);
    if (record) return record;
    if (setAside) throw new RpcError('BUILD_RECORD_CORRUPT', setAside.message, { hint: 'The build log, if any, is still in that folder.' });
    throw new RpcError('BUILD_NOT_FOUND', `There is no build "${id}" in the history.`, { hint: 'It may have been deleted; refresh the History page.' });
  }

  /** Every readable record, newest first, and the unreadable ones (set aside now or earlier). */
  async list(): Promise<{ builds: BuildRecord[]; setAside: SetAside[] }> {
    let names: string[];
    try {
      names = (await readdir(this.root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { builds: [], setAside: [] };
      throw error;
    }
    const builds: BuildRecord[] = [];
    const setAside: SetAside[] = [];
    await Promise.all(
      names.map(async (id) => {
        const { record, setAside: aside } = await this.read(id);
        if (record) builds.push(record);
        else if (aside) setAside.push(aside);
        else {
          const earlier = await this.earlierSetAside(id);
          if (earlier) setAside.push(earlier);
        }
      }),
    );
    builds.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id));
    setAside.sort((a, b) => a.id.localeCompare(b.id));
    return { builds, setAside };
  }

  async remove(id: string): Promise<boolean> {
    const dir = this.dirOf(id);
    try {
      await stat(dir);
    } catch {
      return false;
    }
    await rm(dir, { recursive: true, force: true });
    return true;
  }

  /**
   * Records still marked running that no live process owns: the app stopped while they ran.
   * Each becomes `interrupted`, with the time its log was last written as the end.
   */
  async markInterrupted(isLive: (id: string) => boolean): Promise<BuildRecord[]> {
    const { builds } = await this.list();
    const changed: BuildRecord[] = [];
    for (const record of builds) {
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
      await this.save(next);
      changed.push(next);
    }
    return changed;
  }

  private async moveAside(id: string, path: string, reason: string): Promise<SetAside> {
    const aside = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    await rename(path, aside);
    return describeSetAside(id, aside, reason, this.dirOf(id));
  }

  /** A folder whose record was set aside at an earlier start still says so. */
  private async earlierSetAside(id: string): Promise<SetAside | undefined> {
    try {
      const files = await readdir(this.dirOf(id));
      const aside = files.filter((f) => f.startsWith(`${RECORD_FILE}.corrupt-`)).sort().pop();
      if (!aside) return undefined;
      return {
        id,
        path: join(this.dirOf(id), aside),
        message: `The history record of build ${id} could not be read and was set aside earlier as ${join(this.dirOf(id), aside)}.`,
      };
    } catch {
      return undefined;
    }
  }
}

function describeSetAside(id: string, path: string, reason: string, dir: string): SetAside {
  return {
    id,
    path,
    message: `The history record of build ${id} could not be read (${truncate(reason, 200)}); it was moved aside to ${path}. Its log, if any, is still in ${dir}.`,
  };
}

const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
