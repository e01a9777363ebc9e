import { classifyIndex, platformFromConfig, type Descriptor } from '../../../shared/domain/manifests/classify';
import { manifestReference, type ImageReference } from '../../../shared/domain/image-reference';
import { formatPlatform, normalizePlatform } from '../../../shared/domain/platform';
import type { LayerSummary } from '../../../shared/domain/integrity/layer';
import { RpcError } from '../../../shared/rpc/errors';
import type { RegistryClient, RegistrySession } from '../images/registry-client';
import { mapLimit } from '../map-limit';
import { asConfig, cancelled, ProgressMeter, type ImageContent, type LoadOptions, type PlatformContent } from './image-content';
import type { LayerCache } from './layer-cache';
import { scanLayer } from './layer-scanner';

/** Layers read at once: enough to keep a link busy, few enough that memory stays a few MB per layer. */
export const PARALLEL_LAYERS = 3;

/** Reads an image's manifests, configs and layers from its registry through the app's registry client. */
export class RegistrySource {
  constructor(
    private readonly registry: RegistryClient,
    private readonly cache: LayerCache,
  ) {}

  async load(ref: ImageReference, options: LoadOptions = {}): Promise<ImageContent & { session: RegistrySession; index?: Descriptor[] }> {
    const { signal } = options;
    options.onProgress?.({ phase: 'manifests', layersDone: 0, layersTotal: 0, bytesDone: 0, bytesTotal: 0 });
    const session = await this.registry.session(ref, signal);
    const top = await session.manifest(manifestReference(ref), signal);
    let entries: Array<{ platform: string; digest: string }>;
    let index: Descriptor[] | undefined;
    if (top.document.kind === 'index') {
      index = top.document.manifests;
      entries = classifyIndex(top.document.manifests).platforms.map((p) => ({ platform: p.text, digest: p.descriptor.digest }));
    } else {
      entries = [{ platform: '', digest: top.digest }];
    }
    if (options.platforms) {
      const wanted = new Set(options.platforms.map(normalizePlatform));
      entries = entries.filter((e) => e.platform === '' || wanted.has(e.platform));
    }
    const platforms = await mapLimit(entries, 4, async (entry): Promise<PlatformContent> => {
      try {
        const manifest = entry.digest === top.digest ? top : await session.manifest(entry.digest, signal);
        if (manifest.document.kind !== 'image') {
          throw new RpcError('MANIFEST_UNSUPPORTED', `The ${entry.platform} entry of ${ref.familiar} is a nested index, which is not supported.`);
        }
        const config = asConfig(await session.blobJson(manifest.document.config.digest, signal));
        const declared = platformFromConfig({ os: config.os, architecture: config.architecture, variant: config.variant });
        const platform = entry.platform || (declared ? normalizePlatform(formatPlatform(declared)) : 'unknown/unknown');
        const layers = manifest.document.layers;
        return { platform, manifestDigest: manifest.digest, layers, config, summaries: layers.map(() => undefined), cached: layers.map(() => false) };
      } catch (error) {
        // One platform's unreadable manifest or config is that platform's error; the others are still checked.
        const e = RpcError.from(error);
        if (e.code === 'CANCELLED' || signal?.aborted || entry.platform === '') throw error;
        return { platform: entry.platform, manifestDigest: entry.digest, layers: [], config: {}, summaries: [], cached: [], error: e };
      }
    });
    if (options.platforms && platforms.length === 0) {
      throw new RpcError('PLATFORM_NOT_IN_IMAGE', `${ref.familiar} has none of ${options.platforms.join(', ')}.`, { hint: 'Inspect the image on the Results page to see its platforms.' });
    }
    const content = await this.readLayers(session, platforms, options);
    return { reference: ref.familiar, digest: top.digest, platforms, session, ...(index ? { index } : {}), ...content };
  }

  /** Fills every platform's summaries: from the cache, else by reading each distinct layer once. */
  private async readLayers(session: RegistrySession, platforms: PlatformContent[], options: LoadOptions): Promise<Pick<ImageContent, 'bytesRead' | 'layersRead' | 'layersReused'>> {
    const { signal } = options;
    const distinct = new Map<string, Descriptor>();
    for (const p of platforms) for (const layer of p.layers) distinct.set(layer.digest, layer);
    const found = new Map<string, LayerSummary>();
    const toRead: Descriptor[] = [];
    for (const layer of distinct.values()) {
      const summary = await this.cache.get(layer.digest);
      if (summary) found.set(layer.digest, summary);
      else toRead.push(layer);
    }
    cancelled(signal);
    const read = new Set(toRead.map((l) => l.digest));
    const meter = new ProgressMeter(toRead.length, toRead.reduce((s, l) => s + l.size, 0), options.onProgress);
    meter.send();
    const failed = new Map<string, RpcError>();
    await mapLimit(toRead, PARALLEL_LAYERS, async (layer) => {
      cancelled(signal);
      try {
        const blob = await session.blobStream(layer.digest, { size: layer.size, signal, onBytes: (n) => meter.bytes(n, layer.digest) });
        const summary = await scanLayer(blob, { digest: layer.digest, size: layer.size }, signal);
        found.set(layer.digest, summary);
        await this.cache.put(summary);
      } catch (error) {
        const e = RpcError.from(error);
        if (e.code === 'CANCELLED') throw e;
        failed.set(layer.digest, e);
      } finally {
        meter.layerDone();
      }
    });
    for (const p of platforms) {
      p.layers.forEach((layer, i) => {
        p.summaries[i] = found.get(layer.digest);
        p.cached[i] = !read.has(layer.digest) && found.has(layer.digest);
        const error = failed.get(layer.digest);
        if (error && !p.error) p.error = error;
      });
    }
    return { bytesRead: meter.bytesDone, layersRead: toRead.length - failed.size, layersReused: distinct.size - toRead.length };
  }
}
