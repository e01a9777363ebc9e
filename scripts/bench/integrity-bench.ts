// The binary check's scan rate and memory on a large image (part 4 of `npm run bench`).
//
//   node integrity-bench.mjs <registry> <megabytes>
//
// Builds an image of `megabytes` of incompressible file content in five gzip layers (every file an
// x86-64 ELF header followed by AES-CTR keystream, so reruns push the same blobs), pushes it to the
// stack registry through its HTTP API, then checks it with the app's own code: once cold (every
// layer read), once warm (every layer from the cache). Prints one JSON line.
import { createCipheriv, createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';
import { RegistryClient } from '../../electron/core/images/registry-client';
import { IntegrityService } from '../../electron/core/integrity/integrity-service';
import { PARALLEL_LAYERS } from '../../electron/core/integrity/registry-source';

const LAYERS = 5;
const FILE_BYTES = 4 * 1024 * 1024;

function elfHeader(): Buffer {
  const b = Buffer.alloc(64);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  b.writeUInt16LE(2, 16);
  b.writeUInt16LE(0x3e, 18);
  return b;
}

/** Deterministic incompressible bytes: AES-256-CTR keystream for a fixed key and a per-file counter. */
function content(layer: number, file: number): Buffer {
  const iv = Buffer.alloc(16);
  iv.writeUInt32BE(layer, 0);
  iv.writeUInt32BE(file, 4);
  const cipher = createCipheriv('aes-256-ctr', Buffer.alloc(32, 7), iv);
  const body = cipher.update(Buffer.alloc(FILE_BYTES - 64));
  return Buffer.concat([elfHeader(), body]);
}

async function writeLayer(dir: string, layer: number, files: number): Promise<{ path: string; digest: string; size: number }> {
  const path = join(dir, `layer-${layer}.tar.gz`);
  const tar = pack();
  const hash = createHash('sha256');
  const done = pipeline(tar, createGzip({ level: 1 }), async function* (source: AsyncIterable<Buffer>) {
    for await (const chunk of source) {
      hash.update(chunk);
      yield chunk;
    }
  }, createWriteStream(path));
  for (let f = 0; f < files; f++) {
    const data = content(layer, f);
    await new Promise<void>((resolve, reject) => tar.entry({ name: `data/layer${layer}/file${f}.bin`, mode: 0o755, size: data.length }, data, (e) => (e ? reject(e) : resolve())));
  }
  tar.finalize();
  await done;
  return { path, digest: `sha256:${hash.digest('hex')}`, size: (await stat(path)).size };
}

function http(method: string, url: string, body?: Buffer | string | NodeJS.ReadableStream, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    if (body && typeof body !== 'string' && !Buffer.isBuffer(body)) (body as NodeJS.ReadableStream).pipe(req);
    else req.end(body);
  });
}

async function pushBlob(registry: string, repo: string, blob: { digest: string; size: number; path?: string; bytes?: Buffer }): Promise<void> {
  const head = await http('HEAD', `http://${registry}/v2/${repo}/blobs/${blob.digest}`);
  if (head.status === 200) return;
  const start = await http('POST', `http://${registry}/v2/${repo}/blobs/uploads/`);
  const location = new URL(String(start.headers.location), `http://${registry}`);
  location.searchParams.set('digest', blob.digest);
  const body = blob.bytes ?? createReadStream(blob.path!);
  const put = await http('PUT', location.toString(), body, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(blob.size) });
  if (put.status !== 201) throw new Error(`blob push answered ${put.status}`);
}

async function main(): Promise<void> {
  const [registry = '127.0.0.1:5000', megabytes = '500'] = process.argv.slice(2);
  const files = Math.max(1, Math.round((Number(megabytes) * 1024 * 1024) / FILE_BYTES / LAYERS));
  const repo = 'mas-bench/integrity';
  const dir = await mkdtemp(join(tmpdir(), 'mas-integrity-bench-'));
  const dataDir = await mkdtemp(join(tmpdir(), 'mas-integrity-bench-data-'));
  try {
    const generated = Date.now();
    const layers = [];
    for (let l = 0; l < LAYERS; l++) layers.push(await writeLayer(dir, l, files));
    for (const layer of layers) await pushBlob(registry, repo, layer);
    const config = Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: [] },
        history: layers.map((_, l) => ({ created_by: `COPY data/layer${l} /data/layer${l} # buildkit` })),
      }),
    );
    const configBlob = { digest: `sha256:${createHash('sha256').update(config).digest('hex')}`, size: config.length, bytes: config };
    await pushBlob(registry, repo, configBlob);
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configBlob.digest, size: configBlob.size },
      layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: l.digest, size: l.size })),
    });
    const put = await http('PUT', `http://${registry}/v2/${repo}/manifests/1`, manifest, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' });
    if (put.status !== 201) throw new Error(`manifest push answered ${put.status}`);
    const generateMs = Date.now() - generated;
    await rm(dir, { recursive: true, force: true });

    const client = new RegistryClient({ credentials: { lookup: async () => ({}) }, allowsPlainHttp: async () => true });
    const service = new IntegrityService({ registry: client, dataDir, cacheMaxBytes: 1024 * 1024 * 1024 });
    const compressed = layers.reduce((s, l) => s + l.size, 0);

    const measure = async () => {
      global.gc?.();
      const base = process.memoryUsage();
      let peakRss = base.rss;
      let peakBuffers = base.heapUsed + base.external;
      const timer = setInterval(() => {
        const m = process.memoryUsage();
        peakRss = Math.max(peakRss, m.rss);
        peakBuffers = Math.max(peakBuffers, m.heapUsed + m.external);
      }, 20);
      const started = process.hrtime.bigint();
      const cpuStart = process.cpuUsage();
      const report = await service.check({ reference: `${registry}/${repo}:1` });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const cpu = process.cpuUsage(cpuStart);
      clearInterval(timer);
      const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;
      return {
        ms: Math.round(ms),
        mbPerSecond: Math.round((compressed / 1024 / 1024 / (ms / 1000)) * 10) / 10,
        cpuMs: Math.round((cpu.user + cpu.system) / 1000),
        rssBaseMB: mb(base.rss),
        rssPeakMB: mb(peakRss),
        rssGrowthMB: mb(peakRss - base.rss),
        jsAndBuffersGrowthMB: mb(peakBuffers - (base.heapUsed + base.external)),
        elfFiles: report.platforms[0]?.elfFiles,
        mismatches: report.platforms[0]?.mismatchCount,
        layersRead: report.layersRead,
        layersReused: report.layersReused,
      };
    };
    const cold = await measure();
    const warm = await measure();
    console.log(JSON.stringify({ compressedMB: Math.round(compressed / 1024 / 1024), layers: LAYERS, filesPerLayer: files, parallelLayers: PARALLEL_LAYERS, generateMs, cold, warm }));
  } finally {
    await rm(dir, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error((error as Error).stack ?? String(error));
  process.exit(1);
});
