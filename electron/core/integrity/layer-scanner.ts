import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { pipeline as pipelineCallback } from 'node:stream';
import { Decompress } from 'fzstd';
import { extract, type Header } from 'tar-stream';
import { HEADER_BYTES, readElfHeader, readShebang } from '../../../shared/domain/integrity/elf';
import {
  LAYER_SUMMARY_SCHEMA,
  isPackageDb,
  normalizePath,
  parsePackageDb,
  whiteoutOf,
  type FileKind,
  type LayerFile,
  type LayerSummary,
} from '../../../shared/domain/integrity/layer';
import { RpcError } from '../../../shared/rpc/errors';

/** A package database larger than this is left unread (dpkg's status of a big distribution is a few MB). */
const MAX_PACKAGE_DB_BYTES = 16 * 1024 * 1024;
/** zstd input is fed in slices this small: long runs of zeros (sparse files) expand a thousandfold, and one slice's output is held at once. */
const ZSTD_SLICE = 1024;

const KINDS: Partial<Record<Header['type'], FileKind>> = {
  file: 'file',
  'contiguous-file': 'file',
  directory: 'dir',
  symlink: 'symlink',
  link: 'hardlink',
};

type Compression = 'gzip' | 'zstd' | 'none';

function sniff(head: Buffer): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

/** Reads at least `bytes` from the start of a stream (less when it is shorter); the iterator goes on after them. */
export async function readHead(iterator: AsyncIterator<Buffer>, bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  while (size < bytes) {
    const next = await iterator.next();
    if (next.done) break;
    chunks.push(next.value);
    size += next.value.length;
  }
  return Buffer.concat(chunks, size);
}

/**
 * Decompresses a layer by what its first bytes are (gzip, zstd, or a plain tar as `docker save`
 * writes), whatever its media type claims: a generator, so the tar parser's pace drives the reads.
 */
async function* decompress(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const iterator = source[Symbol.asyncIterator]();
  const head = await readHead(iterator, 4);
  async function* rest(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  const compression = sniff(head);
  if (compression === 'none') {
    yield* rest();
    return;
  }
  if (compression === 'gzip') {
    const gunzip = createGunzip();
    pipelineCallback(Readable.from(rest()), gunzip, () => undefined);
    yield* gunzip as AsyncIterable<Buffer>;
    return;
  }
  const out: Buffer[] = [];
  const zstd = new Decompress((chunk) => {
    if (chunk.length > 0) out.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
  });
  for await (const chunk of rest()) {
    for (let at = 0; at < chunk.length; at += ZSTD_SLICE) {
      zstd.push(chunk.subarray(at, at + ZSTD_SLICE));
      while (out.length > 0) yield out.shift()!;
    }
  }
  zstd.push(new Uint8Array(0), true);
  while (out.length > 0) yield out.shift()!;
}

export interface LayerBlob {
  digest: string;
  /** Compressed size from the descriptor. */
  size: number;
}

/**
 * Reads one layer blob as a stream (fetch → decompress → tar entries) and keeps only the record
 * of each entry: the first bytes of a regular file (ELF header, `#!` line) and the content of the
 * package databases. File bodies are skipped as they pass: nothing is unpacked to disk and no
 * more than a few chunks of the layer are in memory at once.
 */
export async function scanLayer(blob: Readable, layer: LayerBlob, signal?: AbortSignal): Promise<LayerSummary> {
  const summary: LayerSummary = {
    schema: LAYER_SUMMARY_SCHEMA,
    digest: layer.digest,
    compressedSize: layer.size,
    tarSize: 0,
    files: [],
    whiteouts: [],
    opaqueDirs: [],
    packageDbs: {},
  };
  const tar = extract();
  tar.on('entry', (header, stream, next) => {
    const path = normalizePath(header.name);
    const size = header.size ?? 0;
    summary.tarSize += size;
    const done = (error?: unknown) => next(error === undefined ? undefined : (error as Error));
    const whiteout = whiteoutOf(path);
    if (whiteout) {
      if ('opaqueDir' in whiteout) summary.opaqueDirs.push(whiteout.opaqueDir);
      else if (!whiteout.deleted.split('/').pop()!.startsWith('.wh.')) summary.whiteouts.push(whiteout.deleted);
      stream.on('end', done).resume();
      return;
    }
    const kind = (header.type && KINDS[header.type]) ?? 'other';
    const file: LayerFile = { path, kind, size: kind === 'file' ? size : 0, mode: header.mode ?? 0 };
    if ((kind === 'symlink' || kind === 'hardlink') && header.linkname) file.link = kind === 'hardlink' ? normalizePath(header.linkname) : header.linkname;
    summary.files.push(file);
    if (kind !== 'file' || size === 0) {
      stream.on('end', done).resume();
      return;
    }
    const keepAll = isPackageDb(path) && size <= MAX_PACKAGE_DB_BYTES;
    const chunks: Buffer[] = [];
    let kept = 0;
    stream.on('data', (data: unknown) => {
      const chunk = data as Buffer;
      if (keepAll || kept < HEADER_BYTES) {
        chunks.push(chunk);
        kept += chunk.length;
      }
    });
    stream.on('end', () => {
      const bytes = Buffer.concat(chunks, kept);
      const elf = readElfHeader(bytes);
      if (elf) file.elf = elf;
      else {
        const shebang = readShebang(bytes.subarray(0, HEADER_BYTES));
        if (shebang) file.shebang = shebang;
      }
      if (keepAll) summary.packageDbs[path] = parsePackageDb(path, bytes.toString('utf8'));
      done();
    });
    stream.on('error', done);
  });
  try {
    await pipeline(blob, decompress, tar, { signal });
  } catch (error) {
    throw layerError(error, layer.digest, signal);
  }
  return summary;
}

function layerError(error: unknown, digest: string, signal?: AbortSignal): RpcError {
  if (signal?.aborted) return new RpcError('CANCELLED', 'Cancelled.');
  if (error instanceof RpcError) return error;
  const e = error as NodeJS.ErrnoException;
  const why =
    e.code === 'Z_BUF_ERROR' || /unexpected (end|eof)/i.test(e.message)
      ? 'its compressed data ends early (truncated)'
      : e.code === 'Z_DATA_ERROR' || /zstd|invalid|corrupt|incorrect header/i.test(e.message)
        ? `its compressed data is damaged (${e.message})`
        : /tar|header/i.test(e.message)
          ? `it is not a valid tar archive (${e.message})`
          : e.message;
  return new RpcError('BLOB_CORRUPT', `The layer ${digest} cannot be read: ${why}.`, {
    hint: 'Push the image again; if it persists, the registry or its storage damaged the blob.',
    data: { digest },
  });
}
