import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { bundleRecordOf, type BundleRecord } from '../../../shared/domain/buildx/history-bundle';
import { STATUS_LOG_MEDIA_TYPE } from '../../../shared/domain/buildx/status-log';
import { RpcError } from '../../../shared/rpc/errors';

/** Blobs kept in memory while reading: JSON (index, manifests, records) and build logs; larger ones are skipped unread. */
const BLOB_BYTES = 16 * 1024 * 1024;
const TOTAL_BYTES = 64 * 1024 * 1024;
/** A gzip bomb stops here. */
const UNPACKED_BYTES = 4 * 1024 * 1024 * 1024;
const MAX_RECORDS = 100;

const INDEX = 'application/vnd.oci.image.index.v1+json';
const HISTORY_RECORD = 'application/vnd.buildkit.historyrecord.v0';

interface Descriptor {
  mediaType?: string;
  digest?: string;
  annotations?: Record<string, string>;
}

const badFile = (file: string, why: string) =>
  new RpcError('RECORD_FILE_INVALID', `${file} is not a build record file: ${why}.`, { hint: 'Choose a .dockerbuild file made by `docker buildx history export` (or a build summary\u2019s record artifact).' });

/**
 * Reads the records of a `.dockerbuild` file: the gzipped OCI layout `docker buildx history export` writes, whose
 * manifests carry one BuildKit history record each as their config. Only the small JSON blobs are kept in memory.
 */
export interface FileRecord extends BundleRecord {
  /** The build log (BuildKit's status messages), when the file holds it and it was not too large to read. */
  statusLog?: Uint8Array;
}

export async function readDockerbuildFile(file: string): Promise<{ digest: string; records: FileRecord[] }> {
  const blobs = new Map<string, Buffer>();
  let index: Buffer | undefined;
  let kept = 0;
  let unpacked = 0;
  const hash = createHash('sha256');
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const name = header.name.replace(/^\.\//, '');
    const small = header.type === 'file' && (header.size ?? 0) <= BLOB_BYTES && kept + (header.size ?? 0) <= TOTAL_BYTES;
    const wanted = name === 'index.json' || /^blobs\/sha256\/[0-9a-f]{64}$/.test(name);
    if (!small || !wanted) {
      stream.on('end', next);
      stream.resume();
      return;
    }
    const parts: Buffer[] = [];
    stream.on('data', (c: unknown) => parts.push(c as Buffer));
    stream.on('end', () => {
      const data = Buffer.concat(parts);
      kept += data.length;
      if (name === 'index.json') index = data;
      else blobs.set(`sha256:${name.slice('blobs/sha256/'.length)}`, data);
      next();
    });
  });
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      unpacked += chunk.length;
      done(unpacked > UNPACKED_BYTES ? new Error('it unpacks to more than 4 GiB') : null, chunk);
    },
  });
  const digest = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(createReadStream(file), digest, createGunzip(), meter, extract);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') throw new RpcError('RECORD_FILE_INVALID', `${file} cannot be read (${code}).`, { hint: 'Choose a file you can read.' });
    throw badFile(file, (error as Error).message);
  }
  if (!index) throw badFile(file, 'it has no index.json');

  const json = (data: Buffer | undefined, what: string): Record<string, unknown> => {
    try {
      const value: unknown = JSON.parse(data?.toString('utf8') ?? '');
      if (value && typeof value === 'object') return value as Record<string, unknown>;
    } catch {
      // reported below
    }
    throw badFile(file, `its ${what} is missing or not JSON`);
  };
  const manifestsOf = (doc: Record<string, unknown>): Descriptor[] => (Array.isArray(doc.manifests) ? (doc.manifests as Descriptor[]) : []);

  // index.json → (an index of several records →) one manifest per record → its config is the record
  const records: FileRecord[] = [];
  const queue = manifestsOf(json(index, 'index.json'));
  for (let guard = 0; queue.length > 0 && guard < 1000; guard++) {
    const desc = queue.shift()!;
    if (!desc.digest) continue;
    const doc = json(blobs.get(desc.digest), `blob ${desc.digest}`);
    if (desc.mediaType === INDEX || doc.mediaType === INDEX) {
      queue.push(...manifestsOf(doc));
      continue;
    }
    const config = doc.config as Descriptor | undefined;
    if (!config?.digest || config.mediaType !== HISTORY_RECORD) continue;
    const record: FileRecord | undefined = bundleRecordOf(json(blobs.get(config.digest), `record ${config.digest}`));
    if (!record) continue;
    const layers = Array.isArray(doc.layers) ? (doc.layers as Descriptor[]) : [];
    const log = layers.find((l) => l.mediaType === STATUS_LOG_MEDIA_TYPE)?.digest;
    const logBytes = log ? blobs.get(log) : undefined;
    if (logBytes) record.statusLog = logBytes;
    records.push(record);
    if (records.length >= MAX_RECORDS) break;
  }
  if (records.length === 0) throw badFile(file, 'it holds no build record');
  return { digest: hash.digest('hex'), records };
}
