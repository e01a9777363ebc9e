import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { extract } from 'tar-stream';
import { normalizePath, type LayerSummary } from '../../../shared/domain/integrity/layer';
import { classifyIndex, parseManifestDocument, platformFromConfig } from '../../../shared/domain/manifests/classify';
import type { ImageReference } from '../../../shared/domain/image-reference';
import { formatPlatform, normalizePlatform } from '../../../shared/domain/platform';
import { RpcError } from '../../../shared/rpc/errors';
import { DigestVerifier } from '../images/digest-stream';
import { asConfig, cancelled, ProgressMeter, type ImageContent, type LoadOptions, type PlatformContent } from './image-content';
import type { LayerCache } from './layer-cache';
import { readHead, scanLayer } from './layer-scanner';

/** JSON blobs (index, manifests, configs) are kept while the export streams by; anything bigger is a layer or skipped. */
const MAX_DOCUMENT_BYTES = 8 * 1024 * 1024;

/**
 * Reads an image from the engine's own store (an image built with `--load`, or pulled) through the
 * Engine API's image export (`GET /images/{name}/get`, what `docker save` uses). Since Docker 25 the
 * export is an OCI layout (`index.json`, `blobs/sha256/…`), with the containerd image store holding
 * every platform of a multi-platform image. The export is read in one pass: blobs arrive in no
 * particular order, so every layer-looking blob is scanned as it passes (or skipped when the cache
 * has it) and the small JSON documents are kept; the image is put together at the end.
 */
export class EngineSource {
  constructor(private readonly docker: () => Docker) {}

  async load(ref: ImageReference, cache: LayerCache, options: LoadOptions = {}): Promise<ImageContent> {
    const { signal } = options;
    const name = ref.digest ? ref.canonical : ref.familiar;
    let exported: NodeJS.ReadableStream;
    try {
      exported = await this.docker().getImage(name).get();
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 404) {
        throw new RpcError('IMAGE_NOT_FOUND', `The engine has no image ${name}.`, { hint: 'Build it with --load (or pull it) first, or check it in its registry instead.' });
      }
      throw new RpcError('ENGINE_ERROR', `The engine could not export ${name}: ${(error as Error).message}.`);
    }
    const documents = new Map<string, Buffer>();
    const summaries = new Map<string, LayerSummary>();
    const failed = new Map<string, RpcError>();
    const reused = new Set<string>();
    let indexJson: Buffer | undefined;
    const meter = new ProgressMeter(0, 0, options.onProgress);
    const tar = extract();
    const onAbort = () => tar.destroy(new RpcError('CANCELLED', 'Cancelled.'));
    signal?.addEventListener('abort', onAbort, { once: true });
    tar.on('entry', (header, entry, next) => {
      const path = normalizePath(header.name);
      const blob = /^blobs\/(sha256|sha512)\/([a-f0-9]+)$/.exec(path);
      void (async () => {
        const iterator = (entry as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
        const drain = async () => {
          for (let n = await iterator.next(); !n.done; n = await iterator.next()) {
            /* skipped */
          }
        };
        if (path === 'index.json') {
          indexJson = await collect(iterator, MAX_DOCUMENT_BYTES);
          return;
        }
        if (!blob) return drain();
        const digest = `${blob[1]}:${blob[2]}`;
        const known = await cache.get(digest);
        if (known) {
          summaries.set(digest, known);
          reused.add(digest);
          return drain();
        }
        const head = await readHead(iterator, 512);
        if (head[0] === 0x7b && header.size <= MAX_DOCUMENT_BYTES) {
          documents.set(digest, Buffer.concat([head, (await collect(iterator, MAX_DOCUMENT_BYTES)) ?? Buffer.alloc(0)]));
          return;
        }
        if (!looksLikeLayer(head)) return drain();
        const rest = async function* () {
          yield head;
          for (let n = await iterator.next(); !n.done; n = await iterator.next()) yield n.value;
        };
        const verified = Readable.from(rest()).pipe(new DigestVerifier(digest, header.size, (n) => meter.bytes(n, digest)));
        try {
          summaries.set(digest, await scanLayer(verified, { digest, size: header.size }, signal));
          await cache.put(summaries.get(digest)!);
        } catch (error) {
          failed.set(digest, RpcError.from(error));
          await drain();
        } finally {
          meter.layerDone();
        }
      })().then(
        () => next(),
        (error: unknown) => next(error as Error),
      );
    });
    try {
      await new Promise<void>((resolve, reject) => {
        tar.on('finish', resolve);
        tar.on('error', reject);
        (exported as Readable).on('error', reject);
        (exported as Readable).pipe(tar);
      });
    } catch (error) {
      cancelled(signal);
      throw new RpcError('ENGINE_ERROR', `Reading the export of ${name} from the engine failed: ${(error as Error).message}.`);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    cancelled(signal);
    const platforms = this.assemble(name, indexJson, documents, summaries, failed, reused, options);
    return { reference: name, digest: platforms.digest, platforms: platforms.list, bytesRead: meter.bytesDone, layersRead: meter.layersDone - failed.size, layersReused: reused.size };
  }

  private assemble(
    name: string,
    indexJson: Buffer | undefined,
    documents: Map<string, Buffer>,
    summaries: Map<string, LayerSummary>,
    failed: Map<string, RpcError>,
    reused: Set<string>,
    options: LoadOptions,
  ): { digest: string; list: PlatformContent[] } {
    const json = (digest: string): unknown => {
      const bytes = documents.get(digest);
      if (!bytes) return undefined;
      try {
        return JSON.parse(bytes.toString('utf8'));
      } catch {
        return undefined;
      }
    };
    const outer = indexJson ? (JSON.parse(indexJson.toString('utf8')) as { manifests?: Array<{ digest?: string }> }) : undefined;
    const topDigest = outer?.manifests?.[0]?.digest;
    if (!topDigest) {
      throw new RpcError('ENGINE_TOO_OLD', `The engine's export of ${name} is not an OCI layout (no index.json).`, {
        hint: 'Docker Engine 25 or newer exports OCI layouts; with an older engine, push the image and check it in its registry.',
      });
    }
    const top = parseManifestDocument(json(topDigest));
    let entries: Array<{ platform: string; digest: string }>;
    if (top.kind === 'index') entries = classifyIndex(top.manifests).platforms.map((p) => ({ platform: p.text, digest: p.descriptor.digest }));
    else entries = [{ platform: '', digest: topDigest }];
    if (options.platforms) {
      const wanted = new Set(options.platforms.map(normalizePlatform));
      entries = entries.filter((e) => e.platform === '' || wanted.has(e.platform));
    }
    const list = entries.map((entry): PlatformContent => {
      const manifestJson = json(entry.digest);
      if (manifestJson === undefined) {
        return {
          platform: entry.platform,
          manifestDigest: entry.digest,
          layers: [],
          config: {},
          summaries: [],
          cached: [],
          error: new RpcError('PLATFORM_NOT_IN_ENGINE', `The engine's store does not hold the ${entry.platform} image of ${name} (only platforms built or pulled here are kept).`, {
            hint: `Pull it (docker pull --platform ${entry.platform} ${name}) or check the image in its registry.`,
          }),
        };
      }
      const manifest = parseManifestDocument(manifestJson);
      if (manifest.kind !== 'image') throw new RpcError('MANIFEST_UNSUPPORTED', `The ${entry.platform} entry of ${name} is a nested index, which is not supported.`);
      const config = asConfig(json(manifest.config.digest));
      const declared = platformFromConfig({ os: config.os, architecture: config.architecture, variant: config.variant });
      const platform = entry.platform || (declared ? normalizePlatform(formatPlatform(declared)) : 'unknown/unknown');
      const content: PlatformContent = {
        platform,
        manifestDigest: entry.digest,
        layers: manifest.layers,
        config,
        summaries: manifest.layers.map((l) => summaries.get(l.digest)),
        cached: manifest.layers.map((l) => reused.has(l.digest)),
      };
      const broken = manifest.layers.map((l) => failed.get(l.digest)).find(Boolean);
      const missing = manifest.layers.find((l) => !summaries.has(l.digest));
      if (broken) content.error = broken;
      else if (missing) {
        content.error = new RpcError('PLATFORM_NOT_IN_ENGINE', `The engine's export of ${name} lacks the layer ${missing.digest} of ${platform}.`, {
          hint: 'Pull the image again, or check it in its registry.',
        });
      }
      return content;
    });
    return { digest: topDigest, list };
  }
}

function looksLikeLayer(head: Buffer): boolean {
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  const zstd = head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd;
  // An uncompressed tar (`docker save` of a graph-driver image): the first header's magic at offset 257.
  const tar = head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar';
  return gzip || zstd || tar;
}

async function collect(iterator: AsyncIterator<Buffer>, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for (let n = await iterator.next(); !n.done; n = await iterator.next()) {
    size += n.value.length;
    if (size <= max) chunks.push(n.value);
  }
  return size <= max ? Buffer.concat(chunks) : undefined;
}
