import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { LAYER_SUMMARY_SCHEMA, type LayerSummary } from '../../../shared/domain/integrity/layer';
import { RpcError } from '../../../shared/rpc/errors';
import { DigestVerifier } from '../images/digest-stream';
import { LayerCache } from './layer-cache';
import { scanLayer } from './layer-scanner';

// Real tar-stream archives and real gzip, made in memory; the registry and engine paths run in integrity.engine.test.ts.

type Entry = { name: string; type?: 'file' | 'directory' | 'symlink' | 'link'; content?: Buffer | string; linkname?: string; mode?: number };

async function tarOf(entries: Entry[]): Promise<Buffer> {
  const p = pack();
  for (const e of entries) {
    const content = e.content === undefined ? undefined : Buffer.from(e.content);
    const header = { name: e.name, type: e.type ?? 'file', mode: e.mode ?? 0o755, ...(e.linkname ? { linkname: e.linkname } : {}) } as const;
    if (content) p.entry({ ...header, size: content.length }, content);
    else p.entry(header);
  }
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of p as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

function elf(machine: number): Buffer {
  const b = Buffer.alloc(4096, 0x90); // a header, then a body the scanner must skip
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  b.writeUInt16LE(2, 16);
  b.writeUInt16LE(machine, 18);
  return b;
}

const blob = (bytes: Buffer) => Readable.from([bytes.subarray(0, 100), bytes.subarray(100)]);

describe('scanLayer', () => {
  it('keeps each entry record, ELF headers, #! lines, whiteouts, opaque folders and package databases of a gzip layer', async () => {
    const tar = await tarOf([
      { name: './usr/', type: 'directory' },
      { name: './usr/bin/tool', content: elf(0x3e) },
      { name: './usr/bin/run', content: '#!/bin/bash\necho\n' },
      { name: './bin', type: 'symlink', linkname: 'usr/bin' },
      { name: './usr/bin/tool2', type: 'link', linkname: './usr/bin/tool' },
      { name: './tmp/.wh.gone', content: '' },
      { name: './opt/.wh..wh..opq', content: '' },
      { name: './var/lib/dpkg/status', mode: 0o644, content: 'Package: zlib\nStatus: install ok installed\nVersion: 1.3\n' },
    ]);
    const gz = gzipSync(tar);
    const summary = await scanLayer(blob(gz), { digest: 'sha256:x', size: gz.length });
    expect(summary.whiteouts).toEqual(['tmp/gone']);
    expect(summary.opaqueDirs).toEqual(['opt']);
    expect(summary.packageDbs).toEqual({ 'var/lib/dpkg/status': [{ name: 'zlib', version: '1.3' }] });
    expect(summary.files.map((f) => [f.path, f.kind, f.link ?? '', f.elf?.machine ?? 0, f.shebang?.interpreter ?? ''])).toEqual([
      ['usr', 'dir', '', 0, ''],
      ['usr/bin/tool', 'file', '', 0x3e, ''],
      ['usr/bin/run', 'file', '', 0, '/bin/bash'],
      ['bin', 'symlink', 'usr/bin', 0, ''],
      ['usr/bin/tool2', 'hardlink', 'usr/bin/tool', 0, ''],
      ['var/lib/dpkg/status', 'file', '', 0, ''],
    ]);
    expect(summary.schema).toBe(LAYER_SUMMARY_SCHEMA);
  });

  it('reads an uncompressed tar layer too', async () => {
    const tar = await tarOf([{ name: 'a', content: elf(0xb7) }]);
    const summary = await scanLayer(blob(tar), { digest: 'sha256:y', size: tar.length });
    expect(summary.files[0]?.elf?.machine).toBe(0xb7);
  });

  it('a truncated gzip layer is refused as corrupt, with its digest', async () => {
    const gz = gzipSync(await tarOf([{ name: 'a', content: elf(0xb7) }, { name: 'b', content: Buffer.alloc(20_000, 7) }]));
    const cut = gz.subarray(0, gz.length - 40);
    const error = await scanLayer(blob(cut), { digest: 'sha256:z', size: cut.length }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe('BLOB_CORRUPT');
    expect((error as RpcError).message).toBe('The layer sha256:z cannot be read: its compressed data ends early (truncated).');
  });

  it('a blob whose bytes do not match its digest or size fails at its end', async () => {
    const bytes = gzipSync(await tarOf([{ name: 'a', content: 'x' }]));
    const wrong = Readable.from([bytes]).pipe(new DigestVerifier(`sha256:${'0'.repeat(64)}`, bytes.length));
    await expect(scanLayer(wrong, { digest: 'sha256:0', size: bytes.length })).rejects.toThrow(/is corrupt: its content hashes to sha256:/);
    const short = Readable.from([bytes]).pipe(new DigestVerifier(`sha256:${'0'.repeat(64)}`, bytes.length + 10));
    await expect(scanLayer(short, { digest: 'sha256:0', size: bytes.length })).rejects.toThrow(`ended after ${bytes.length} of ${bytes.length + 10} bytes (truncated)`);
  });
});

describe('LayerCache', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const summary = (n: number, files = 1): LayerSummary => ({
    schema: LAYER_SUMMARY_SCHEMA,
    digest: `sha256:${n.toString(16).padStart(64, '0')}`,
    compressedSize: 1,
    tarSize: 1,
    files: Array.from({ length: files }, (_, i) => ({ path: `f${i}-${Math.random()}`, kind: 'file' as const, size: i, mode: 0o644 })),
    whiteouts: [],
    opaqueDirs: [],
    packageDbs: {},
  });

  it('gives back a summary from disk by digest, ignores other schemas and damaged files, and stays under its size', async () => {
    dir = await mkdtemp(join(tmpdir(), 'mas-layer-cache-'));
    const first = new LayerCache({ dataDir: dir, memoryEntries: 0 });
    await first.put(summary(1));
    const again = new LayerCache({ dataDir: dir, memoryEntries: 0 });
    expect((await again.get(summary(1).digest))?.digest).toBe(summary(1).digest);
    expect(await again.get(summary(2).digest)).toBeUndefined();

    await writeFile(join(again.dir, `sha256-${'3'.padStart(64, '0')}.json.gz`), gzipSync(JSON.stringify({ ...summary(3), schema: 0 })));
    expect(await again.get(summary(3).digest)).toBeUndefined();
    await writeFile(join(again.dir, `sha256-${'4'.padStart(64, '0')}.json.gz`), 'not gzip');
    expect(await again.get(summary(4).digest)).toBeUndefined();
    expect((await readdir(again.dir)).sort()).toEqual([`sha256-${'1'.padStart(64, '0')}.json.gz`]);

    await writeFile(join(dir, 'layer-cache', 'v0'), 'an older version');
    const small = new LayerCache({ dataDir: dir, maxBytes: 20_000, memoryEntries: 0 });
    for (let i = 10; i < 30; i++) await small.put(summary(i, 200));
    await small.prune();
    const left = await readdir(small.dir);
    expect(left.length).toBeGreaterThan(0);
    expect(left.length).toBeLessThan(21);
    expect(await readdir(join(dir, 'layer-cache'))).toEqual(['v1']);
  });
});
