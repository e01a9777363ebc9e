import type { AttestationBadge, ImageInspection, PlatformRow } from '../../../shared/contract/images';
import {
  attestationKind,
  attestationPredicates,
  classifyIndex,
  listKind,
  parseImageConfig,
  platformFromConfig,
  summarizeImageManifest,
  type Descriptor,
  type ImageConfig,
  type ManifestDocument,
} from '../../../shared/domain/manifests/classify';
import { comparePlatforms } from '../../../shared/domain/manifests/compare';
import { manifestReference, parseImageReference, pullCommand, type ImageReference } from '../../../shared/domain/image-reference';
import { expectedMachines, formatPlatform, normalizePlatform, type Platform } from '../../../shared/domain/platform';
import { RpcError } from '../../../shared/rpc/errors';
import type { RegistryClient, RegistrySession } from './registry-client';
import { mapLimit } from '../map-limit';

/** What a reference points at, independent of what was requested: immutable per digest, so cached by it. */
interface DigestFacts {
  digest: string;
  mediaType: string;
  kind: ImageInspection['kind'];
  platforms: Omit<PlatformRow, 'pullCommand' | 'requested'>[];
  ignoredEntries: number;
  orphanAttestations: number;
}

export interface InspectOptions {
  signal?: AbortSignal;
  /** Refetch the per-platform manifests even if this digest was seen before. */
  refresh?: boolean;
}

/** Platforms of an image for planning (a Dockerfile's base images), without per-platform details. */
export interface ImagePlatforms {
  reference: string;
  digest: string;
  kind: ImageInspection['kind'];
  platforms: string[];
}

const CACHE_LIMIT = 200;
const PARALLEL_FETCHES = 6;

/** Small LRU: a Map keeps insertion order, so re-inserting on read makes the oldest entry first. */
class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly limit: number) {}
  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }
  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.limit) this.map.delete(this.map.keys().next().value as string);
  }
}


export function toReference(input: string | ImageReference): ImageReference {
  if (typeof input !== 'string') return input;
  const parsed = parseImageReference(input);
  if (!parsed.ok) throw new RpcError('BAD_INPUT', `Invalid image reference "${input}": ${parsed.error}`);
  return parsed.ref;
}

/**
 * Reads an image's index (or single manifest) from its registry, then each platform's manifest
 * and config: digest, media type, compressed size (sum of the layers), layer count, created time,
 * and the attestations attached to each platform. Results are cached per registry/repository@digest.
 */
export class ImageInspector {
  private readonly byDigest = new Lru<DigestFacts>(CACHE_LIMIT);
  private readonly platformsByDigest = new Lru<ImagePlatforms>(CACHE_LIMIT);

  constructor(private readonly registry: RegistryClient) {}

  async inspectImage(reference: string | ImageReference, requestedPlatforms: readonly string[] = [], options: InspectOptions = {}): Promise<ImageInspection> {
    const ref = toReference(reference);
    const session = await this.registry.session(ref, options.signal);
    const top = await session.manifest(manifestReference(ref), options.signal);
    const fetchedAt = new Date().toISOString();
    const key = `${ref.name}@${top.digest}`;
    let facts = options.refresh ? undefined : this.byDigest.get(key);
    const cached = facts !== undefined;
    if (!facts) {
      facts = await this.collect(session, top.digest, top.mediaType, top.document, options.signal);
      this.byDigest.set(key, facts);
    }
    const requested = [...new Set(requestedPlatforms.map(normalizePlatform))];
    const comparison = comparePlatforms(
      requested,
      facts.platforms.map((p) => p.platform),
    );
    return {
      reference: {
        registry: ref.registry,
        repository: ref.repository,
        canonical: ref.canonical,
        familiar: ref.familiar,
        ...(ref.tag !== undefined ? { tag: ref.tag } : {}),
        ...(ref.digest !== undefined ? { digest: ref.digest } : {}),
      },
      digest: facts.digest,
      mediaType: facts.mediaType,
      kind: facts.kind,
      platforms: facts.platforms.map((p) => ({
        ...p,
        pullCommand: pullCommand(ref, p.platform),
        requested: requested.includes(p.platform) || (p.platform === 'linux/arm' && requested.includes('linux/arm/v7')),
      })),
      requestedPlatforms: requested,
      missingPlatforms: comparison.missing,
      ignoredEntries: facts.ignoredEntries,
      orphanAttestations: facts.orphanAttestations,
      registryUrl: session.registryUrl,
      credentials: session.credentialsSource,
      fetchedAt,
      cached,
    };
  }

  /**
   * Only the platform list (one request for the index; a single-platform image also needs its
   * config): for planning a Dockerfile's base images. Cached per digest like `inspectImage`.
   */
  async listPlatforms(reference: string | ImageReference, options: { signal?: AbortSignal } = {}): Promise<ImagePlatforms> {
    const ref = toReference(reference);
    // A digest names immutable content: no request at all when it was seen before.
    const pinned = ref.digest ? this.platformsByDigest.get(`${ref.name}@${ref.digest}`) : undefined;
    if (pinned) return pinned;
    const session = await this.registry.session(ref, options.signal);
    const top = await session.manifest(manifestReference(ref), options.signal);
    const key = `${ref.name}@${top.digest}`;
    const known = this.platformsByDigest.get(key);
    if (known) return known;
    const full = this.byDigest.get(key);
    let platforms: string[];
    if (full) platforms = full.platforms.map((p) => p.platform);
    else if (top.document.kind === 'index') platforms = classifyIndex(top.document.manifests).platforms.map((p) => p.text);
    else {
      const config = parseImageConfig(await session.blobJson(top.document.config.digest, options.signal));
      const platform = platformFromConfig(config);
      platforms = platform ? [normalizePlatform(formatPlatform(platform))] : [];
    }
    const result: ImagePlatforms = { reference: ref.familiar, digest: top.digest, kind: listKind(top.document), platforms };
    this.platformsByDigest.set(key, result);
    return result;
  }

  private async collect(session: RegistrySession, digest: string, mediaType: string, document: ManifestDocument, signal?: AbortSignal): Promise<DigestFacts> {
    if (document.kind === 'image') {
      const config = parseImageConfig(await session.blobJson(document.config.digest, signal));
      const platform = platformFromConfig(config) ?? { os: 'unknown', architecture: 'unknown' };
      return {
        digest,
        mediaType,
        kind: 'single',
        platforms: [row(platform, digest, mediaType, document, config, [])],
        ignoredEntries: 0,
        orphanAttestations: 0,
      };
    }
    const classified = classifyIndex(document.manifests);
    const badges = new Map<string, AttestationBadge[]>();
    const attestationFacts = await mapLimit(classified.attestations, PARALLEL_FETCHES, async (a) => ({
      refersTo: a.refersTo,
      badges: await this.badgesOf(session, a.descriptor, signal),
    }));
    for (const a of attestationFacts) badges.set(a.refersTo, [...(badges.get(a.refersTo) ?? []), ...a.badges]);
    const platforms = await mapLimit(classified.platforms, PARALLEL_FETCHES, async (entry) => {
      const manifest = await session.manifest(entry.descriptor.digest, signal);
      if (manifest.document.kind !== 'image') {
        throw new RpcError('MANIFEST_UNSUPPORTED', `The ${entry.text} entry of ${session.ref.familiar} is a nested index, which is not supported.`);
      }
      const config = parseImageConfig(await session.blobJson(manifest.document.config.digest, signal));
      return row(entry.platform, manifest.digest, manifest.mediaType, manifest.document, config, badges.get(entry.descriptor.digest) ?? []);
    });
    return {
      digest,
      mediaType,
      kind: listKind(document),
      platforms,
      ignoredEntries: classified.others.length,
      orphanAttestations: classified.orphanAttestations.length,
    };
  }

  private async badgesOf(session: RegistrySession, descriptor: Descriptor, signal?: AbortSignal): Promise<AttestationBadge[]> {
    const manifest = await session.manifest(descriptor.digest, signal);
    const predicates = attestationPredicates(manifest.document);
    if (predicates.length === 0) return [{ kind: 'other', predicateType: 'unknown', digest: descriptor.digest }];
    return predicates.map((predicateType) => ({ kind: attestationKind(predicateType), predicateType, digest: descriptor.digest }));
  }
}

function row(
  platform: Platform,
  digest: string,
  mediaType: string,
  manifest: Extract<ManifestDocument, { kind: 'image' }>,
  config: ImageConfig,
  attestations: AttestationBadge[],
): Omit<PlatformRow, 'pullCommand' | 'requested'> {
  const text = normalizePlatform(formatPlatform(platform));
  const summary = summarizeImageManifest(manifest);
  return {
    platform: text,
    os: platform.os,
    architecture: platform.architecture,
    ...(platform.variant ? { variant: platform.variant } : {}),
    digest,
    mediaType,
    compressedSize: summary.compressedSize,
    layerCount: summary.layerCount,
    configDigest: summary.configDigest,
    ...(config.created ? { created: config.created } : {}),
    attestations,
    expectedMachines: expectedMachines(text),
  };
}
