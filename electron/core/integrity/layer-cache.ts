import { mkdir, readFile, readdir, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { LAYER_SUMMARY_SCHEMA, type LayerSummary } from '../../../shared/domain/integrity/layer';
import { writeFileAtomic } from '../store/json-file';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export interface LayerCacheOptions {
  /** The app's data folder; the cache lives in `layer-cache/v<schema>/` below it. */
  dataDir: string;
  /** Bytes on disk the cache may take before its least recently used entries go (default 256 MB). */
  maxBytes?: number;
  /** Summaries also kept in memory (a compare right after a check reads the same layers). */
  memoryEntries?: number;
  log?: (message: string) => void;
}

const DIGEST = /^(sha256|sha512):([a-f0-9]{64,128})$/;

/**
 * Layers already checked, by digest: a layer's content never changes under its digest, so its
 * summary is kept (gzipped JSON, one file per layer) and a later check of any image sharing that
 * layer does not read it again. Bounded on disk (least recently used first out); a summary of
 * another schema version is never read, and older versions' folders are removed.
 */
export class LayerCache {
  readonly dir: string;
  private readonly maxBytes: number;
  private readonly memory = new Map<string, LayerSummary>();
  private readonly memoryEntries: number;
  private writesSincePrune = 0;
  private pruning: Promise<void> | undefined;

  constructor(private readonly options: LayerCacheOptions) {
    this.dir = join(options.dataDir, 'layer-cache', `v${LAYER_SUMMARY_SCHEMA}`);
    this.maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
    this.memoryEntries = options.memoryEntries ?? 32;
  }

  private fileOf(digest: string): string | undefined {
    const m = DIGEST.exec(digest);
    return m ? join(this.dir, `${m[1]}-${m[2]}.json.gz`) : undefined;
  }

  async get(digest: string): Promise<LayerSummary | undefined> {
    const inMemory = this.memory.get(digest);
    if (inMemory) {
      this.remember(inMemory);
      return inMemory;
    }
    const file = this.fileOf(digest);
    if (!file) return undefined;
    let raw: Buffer;
    try {
      raw = await readFile(file);
    } catch {
      return undefined;
    }
    try {
      const summary = JSON.parse((await gunzipAsync(raw)).toString('utf8')) as LayerSummary;
      if (summary.schema !== LAYER_SUMMARY_SCHEMA || summary.digest !== digest || !Array.isArray(summary.files)) throw new Error('not a summary of this layer');
      const now = new Date();
      await utimes(file, now, now).catch(() => undefined); // recently used: pruned last
      this.remember(summary);
      return summary;
    } catch (error) {
      this.options.log?.(`layer cache: ${file} unreadable (${(error as Error).message}); it is dropped`);
      await rm(file, { force: true });
      return undefined;
    }
  }

  async put(summary: LayerSummary): Promise<void> {
    this.remember(summary);
    const file = this.fileOf(summary.digest);
    if (!file) return;
    try {
      await mkdir(this.dir, { recursive: true });
      await writeFileAtomic(file, await gzipAsync(JSON.stringify(summary)));
    } catch (error) {
      // A cache that cannot be written only costs a re-read next time.
      this.options.log?.(`layer cache: ${file} not written (${(error as Error).message})`);
      return;
    }
    if (++this.writesSincePrune >= 16) {
      this.writesSincePrune = 0;
      await this.prune();
    }
  }

  /** Removes the least recently used entries until the cache fits, and other schema versions' folders. */
  prune(): Promise<void> {
    this.pruning ??= this.doPrune().finally(() => (this.pruning = undefined));
    return this.pruning;
  }

  private async doPrune(): Promise<void> {
    const root = join(this.options.dataDir, 'layer-cache');
    for (const name of await readdir(root).catch(() => [] as string[])) {
      if (name !== `v${LAYER_SUMMARY_SCHEMA}`) await rm(join(root, name), { recursive: true, force: true });
    }
    const entries: Array<{ file: string; size: number; used: number }> = [];
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      const file = join(this.dir, name);
      const info = await stat(file).catch(() => undefined);
      if (info?.isFile()) entries.push({ file, size: info.size, used: info.mtimeMs });
    }
    let total = entries.reduce((sum, e) => sum + e.size, 0);
    entries.sort((a, b) => a.used - b.used);
    for (const entry of entries) {
      if (total <= this.maxBytes) break;
      await rm(entry.file, { force: true });
      total -= entry.size;
    }
  }

  private remember(summary: LayerSummary): void {
    this.memory.delete(summary.digest);
    this.memory.set(summary.digest, summary);
    while (this.memory.size > this.memoryEntries) this.memory.delete(this.memory.keys().next().value as string);
  }
}
