import { access, mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { recordDetail, type RecordDetail, type RecordSummary } from '../../../shared/contract/records';
import { statusLogToRawjson } from '../../../shared/domain/buildx/status-log';
import { RpcError } from '../../../shared/rpc/errors';
import { readDockerbuildFile, type FileRecord } from './dockerbuild-file';

/** A `.dockerbuild` file is a few KiB to a few MiB; this refuses anything that is surely not one. */
const MAX_FILE_BYTES = 1024 * 1024 * 1024;
/** One kept file of an import is a few KiB a record. */
const MAX_KEPT_BYTES = 4 * 1024 * 1024;

const keptFile = z.object({ schema: z.literal(1), file: z.string(), importedAt: z.string(), records: z.array(recordDetail) });

const NO_LOG = 'This .dockerbuild file holds no build log the app could read (none, or larger than 16 MiB).';

/**
 * Records read from `.dockerbuild` files the user picked, kept in the app's data folder (one JSON file per imported
 * file, named by its digest: importing the same file again replaces nothing).
 */
export class ImportedRecords {
  constructor(private readonly dir: string) {}

  async import(file: string): Promise<RecordSummary[]> {
    const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
      throw new RpcError('RECORD_FILE_INVALID', `${file} cannot be read (${error.code ?? error.message}).`, { hint: 'Choose an existing .dockerbuild file.' });
    });
    if (!info.isFile()) throw new RpcError('RECORD_FILE_INVALID', `${file} is not a file.`, { hint: 'Choose a .dockerbuild file.' });
    if (info.size > MAX_FILE_BYTES) throw new RpcError('RECORD_FILE_INVALID', `${file} is larger than 1 GiB.`, { hint: 'Choose a .dockerbuild file.' });
    // Kernel files (/proc, /sys) say size 0 and may never end: an empty file is no record either.
    if (info.size === 0) throw new RpcError('RECORD_FILE_INVALID', `${file} is empty.`, { hint: 'Choose a .dockerbuild file.' });
    const bundle = await readDockerbuildFile(file);
    const key = bundle.digest.slice(0, 16);
    await mkdir(this.dir, { recursive: true });
    const records: RecordDetail[] = [];
    for (const r of bundle.records) {
      // The log as rawjson beside the record: opened like any build's log on disk.
      let rawjson: string | undefined;
      try {
        rawjson = r.statusLog ? statusLogToRawjson(r.statusLog) : undefined;
      } catch {
        rawjson = undefined;
      }
      if (rawjson) await writeFile(this.logFile(key, r.id), rawjson, { mode: 0o600 });
      records.push(detailOf(r, key, file, rawjson !== undefined));
    }
    const target = join(this.dir, `${key}.json`);
    const staging = `${target}.${process.pid}.partial`;
    await writeFile(staging, JSON.stringify({ schema: 1, file, importedAt: new Date().toISOString(), records }), { mode: 0o600 });
    await rename(staging, target);
    return records.map(summaryOf);
  }

  /** Every imported record; an unreadable kept file is skipped (the builder's records still list). */
  async list(): Promise<RecordSummary[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const kept = await Promise.all(names.filter((n) => /^[0-9a-f]{16}\.json$/.test(n)).map((n) => this.read(n.slice(0, 16)).catch(() => undefined)));
    return kept.flatMap((k) => k?.records.map(summaryOf) ?? []);
  }

  async get(key: string): Promise<RecordDetail> {
    const [, bundle, id] = key.split('/');
    const kept = await this.read(bundle!).catch(() => undefined);
    const record = kept?.records.find((r) => r.id === id);
    if (!record) throw new RpcError('RECORD_UNREADABLE', 'This imported record is no longer kept by the app.', { hint: 'Import its .dockerbuild file again.' });
    return record;
  }

  /** The rawjson log of an imported record, when its file held one. */
  async log(key: string): Promise<string | undefined> {
    const [, bundle, id] = key.split('/');
    const file = this.logFile(bundle!, id!);
    return access(file).then(
      () => file,
      () => undefined,
    );
  }

  private logFile(bundle: string, id: string) {
    return join(this.dir, `${bundle}-${id}.rawjson`);
  }

  private async read(bundle: string) {
    const path = join(this.dir, `${bundle}.json`);
    const info = await stat(path);
    if (info.size > MAX_KEPT_BYTES) throw new Error(`${path} is too large`);
    return keptFile.parse(JSON.parse(await readFile(path, 'utf8')));
  }
}

function detailOf(r: FileRecord, bundle: string, file: string, hasLog: boolean): RecordDetail {
  const detail: RecordDetail = {
    key: `imported/${bundle}/${r.id}`,
    source: 'imported',
    ref: r.id,
    builder: '',
    id: r.id,
    name: r.name,
    status: r.status,
    createdAt: r.createdAt,
    steps: r.steps,
    platforms: r.platforms,
    file,
  };
  if (!hasLog) detail.logsNote = NO_LOG;
  if (r.completedAt) detail.completedAt = r.completedAt;
  if (r.durationMs !== undefined) detail.durationMs = r.durationMs;
  if (r.context) detail.context = r.context;
  if (r.dockerfile) detail.dockerfile = r.dockerfile;
  if (r.error) detail.error = { message: r.error.message, logs: [] };
  return detail;
}

function summaryOf(d: RecordDetail): RecordSummary {
  const { context: _c, dockerfile: _d, error: _e, logsNote: _l, command: _m, ...summary } = d;
  return summary;
}
