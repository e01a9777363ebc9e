/**
 * What a registry's manifest document is, and which entries of an index are real platforms: OCI
 * indexes and Docker manifest lists alike; BuildKit's attestation manifests (`unknown/unknown`,
 * annotated `vnd.docker.reference.type=attestation-manifest`) are attached to the platform whose
 * digest they name instead of being shown as platforms.
 */
import { z } from 'zod';
import { formatPlatform, normalizePlatform, type Platform } from '../platform';
import {
  ANNOTATION_PREDICATE_TYPE,
  ANNOTATION_REFERENCE_DIGEST,
  ANNOTATION_REFERENCE_TYPE,
  ATTESTATION_MANIFEST,
  DOCKER_MANIFEST_LIST,
  IMAGE_MANIFEST_MEDIA_TYPES,
  LIST_MEDIA_TYPES,
  OCI_INDEX,
  OCI_MANIFEST,
} from './media-types';

const descriptorSchema = z.object({
  mediaType: z.string().optional(),
  digest: z.string(),
  size: z.number().int().nonnegative(),
  annotations: z.record(z.string(), z.string()).optional(),
  platform: z
    .object({
      os: z.string(),
      architecture: z.string(),
      variant: z.string().optional(),
      'os.version': z.string().optional(),
    })
    .optional(),
});
export type Descriptor = z.infer<typeof descriptorSchema>;

const indexSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  manifests: z.array(descriptorSchema),
});

const imageManifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
});
export type ImageManifest = z.infer<typeof imageManifestSchema>;

/** The parts of an image config blob the results need. */
const imageConfigSchema = z.object({
  architecture: z.string().optional(),
  os: z.string().optional(),
  variant: z.string().optional(),
  created: z.string().optional(),
});
export type ImageConfig = z.infer<typeof imageConfigSchema>;

export type ManifestDocument =
  | { kind: 'index'; mediaType: string; manifests: Descriptor[] }
  | { kind: 'image'; mediaType: string; config: Descriptor; layers: Descriptor[] };

export class ManifestFormatError extends Error {
  override readonly name = 'ManifestFormatError';
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/**
 * Reads a manifest body: the media type comes from the body, else from the Content-Type header
 * (OCI allows an index without `mediaType`), else from its shape.
 */
export function parseManifestDocument(json: unknown, contentType?: string): ManifestDocument {
  if (typeof json !== 'object' || json === null) throw new ManifestFormatError('The manifest is not a JSON object.');
  const body = json as { schemaVersion?: unknown; mediaType?: unknown; manifests?: unknown; config?: unknown };
  if (body.schemaVersion === 1) {
    throw new ManifestFormatError('The registry answered with a schema 1 manifest, which Docker no longer supports; push the image again with a current Docker.');
  }
  const declared = typeof body.mediaType === 'string' ? body.mediaType : contentType;
  const isList = declared ? LIST_MEDIA_TYPES.includes(declared) : Array.isArray(body.manifests);
  const isImage = declared ? IMAGE_MANIFEST_MEDIA_TYPES.includes(declared) : body.config !== undefined;
  if (isList) {
    const parsed = indexSchema.safeParse(json);
    if (!parsed.success) throw new ManifestFormatError(`The image index is malformed: ${describeIssues(parsed.error)}.`);
    return { kind: 'index', mediaType: declared ?? OCI_INDEX, manifests: parsed.data.manifests };
  }
  if (isImage) {
    const parsed = imageManifestSchema.safeParse(json);
    if (!parsed.success) throw new ManifestFormatError(`The image manifest is malformed: ${describeIssues(parsed.error)}.`);
    return { kind: 'image', mediaType: declared ?? OCI_MANIFEST, config: parsed.data.config, layers: parsed.data.layers };
  }
  throw new ManifestFormatError(`Unsupported manifest media type "${declared ?? 'none'}" (expected an OCI index, Docker manifest list or image manifest).`);
}

export function parseImageConfig(json: unknown): ImageConfig {
  const parsed = imageConfigSchema.safeParse(json);
  if (!parsed.success) throw new ManifestFormatError(`The image config is malformed: ${describeIssues(parsed.error)}.`);
  return parsed.data;
}

export interface PlatformEntry {
  descriptor: Descriptor;
  platform: Platform;
  /** Normalised `os/arch[/variant]`. */
  text: string;
}

export interface AttestationEntry {
  descriptor: Descriptor;
  /** Digest of the platform manifest it describes. */
  refersTo: string;
}

export interface IndexClassification {
  platforms: PlatformEntry[];
  /** Attestations whose subject is one of `platforms`. */
  attestations: AttestationEntry[];
  /** Attestations naming a digest the index does not list. */
  orphanAttestations: AttestationEntry[];
  /** Entries that are neither: no platform, `unknown/unknown` without annotation, nested indexes. */
  others: Descriptor[];
}

export function isAttestation(d: Descriptor): boolean {
  return d.annotations?.[ANNOTATION_REFERENCE_TYPE] === ATTESTATION_MANIFEST;
}

export function classifyIndex(manifests: readonly Descriptor[]): IndexClassification {
  const result: IndexClassification = { platforms: [], attestations: [], orphanAttestations: [], others: [] };
  const pending: AttestationEntry[] = [];
  for (const d of manifests) {
    if (isAttestation(d)) {
      pending.push({ descriptor: d, refersTo: d.annotations?.[ANNOTATION_REFERENCE_DIGEST] ?? '' });
      continue;
    }
    const p = d.platform;
    const nested = d.mediaType !== undefined && LIST_MEDIA_TYPES.includes(d.mediaType);
    if (!p || nested || (p.os === 'unknown' && p.architecture === 'unknown')) {
      result.others.push(d);
      continue;
    }
    const platform: Platform = { os: p.os, architecture: p.architecture };
    if (p.variant) platform.variant = p.variant;
    result.platforms.push({ descriptor: d, platform, text: normalizePlatform(formatPlatform(platform)) });
  }
  const digests = new Set(result.platforms.map((p) => p.descriptor.digest));
  for (const a of pending) (digests.has(a.refersTo) ? result.attestations : result.orphanAttestations).push(a);
  return result;
}

export type AttestationKind = 'provenance' | 'sbom' | 'other';

/** Badge for an in-toto predicate type (SLSA provenance, SPDX or CycloneDX SBOM, anything else). */
export function attestationKind(predicateType: string): AttestationKind {
  const t = predicateType.toLowerCase();
  if (t.startsWith('https://slsa.dev/provenance/')) return 'provenance';
  if (t.startsWith('https://spdx.dev/document') || t.startsWith('https://cyclonedx.org/bom')) return 'sbom';
  return 'other';
}

/** The predicate types an attestation manifest carries, read from its layers' annotations. */
export function attestationPredicates(manifest: ManifestDocument): string[] {
  if (manifest.kind !== 'image') return [];
  const types = manifest.layers.map((l) => l.annotations?.[ANNOTATION_PREDICATE_TYPE]).filter((t): t is string => Boolean(t));
  return [...new Set(types)];
}

export interface ManifestSummary {
  /** Sum of the layers' sizes: what a pull downloads, not the manifest's own size in the index. */
  compressedSize: number;
  layerCount: number;
  configDigest: string;
}

export function summarizeImageManifest(manifest: Extract<ManifestDocument, { kind: 'image' }>): ManifestSummary {
  return {
    compressedSize: manifest.layers.reduce((sum, l) => sum + l.size, 0),
    layerCount: manifest.layers.length,
    configDigest: manifest.config.digest,
  };
}

/** The platform an image config declares (for an image manifest that is not in an index). */
export function platformFromConfig(config: ImageConfig): Platform | undefined {
  if (!config.os || !config.architecture) return undefined;
  const platform: Platform = { os: config.os, architecture: config.architecture };
  if (config.variant) platform.variant = config.variant;
  return platform;
}

export type ListKind = 'oci-index' | 'docker-manifest-list' | 'single';

export function listKind(document: ManifestDocument): ListKind {
  if (document.kind === 'image') return 'single';
  return document.mediaType === DOCKER_MANIFEST_LIST ? 'docker-manifest-list' : 'oci-index';
}

