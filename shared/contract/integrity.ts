import { z } from 'zod';
import { event, request, stream } from '../rpc/define';
import { problem } from './errors';
import { imageReferenceInput, platformInput } from './images';

// ---- inputs ----------------------------------------------------------------------------------------

/** Where the image's content is read: its registry, or the local engine's image store (a `--load`ed image). */
export const imageSource = z.enum(['registry', 'engine']);

export const checkInput = z.object({
  reference: imageReferenceInput,
  source: imageSource.optional(),
  /** Only these platforms (default: every platform of the image). */
  platforms: z.array(platformInput).max(32).optional(),
});

export const compareInput = z.object({
  reference: imageReferenceInput,
  source: imageSource.optional(),
  a: platformInput,
  b: platformInput,
  /** A file's size counts as different past both thresholds (defaults 10 % and 4096 bytes). */
  sizePercent: z.number().min(0).max(10_000).optional(),
  sizeBytes: z.number().int().min(0).max(1 << 30).optional(),
});

export const attestationsInput = z.object({ reference: imageReferenceInput });

// ---- outputs ---------------------------------------------------------------------------------------

export const layerInfo = z.object({
  /** 0 = the lowest layer. */
  index: z.number().int().nonnegative(),
  digest: z.string(),
  mediaType: z.string(),
  size: z.number().int().nonnegative(),
  /** The Dockerfile step that made it (config `history`), when the history accounts for every layer. */
  step: z.string().optional(),
  /** Its summary came from the cache of layers already checked. */
  cached: z.boolean(),
});

const layerRef = z.object({ index: z.number().int().nonnegative(), digest: z.string(), step: z.string().optional() });

export const binaryMismatch = z.object({
  /** `/usr/local/bin/tool` */
  path: z.string(),
  /** `x86-64, 64-bit LSB` */
  found: z.string(),
  /** Platforms whose binaries look like that (`linux/amd64`); empty for a machine no platform of the table has. */
  foundPlatforms: z.array(z.string()),
  layer: layerRef,
});

export const missingInterpreter = z.object({
  path: z.string(),
  /** What the `#!` line names: `/bin/bash`, or `/usr/bin/env` with `envProgram` `python3`. */
  interpreter: z.string(),
  envProgram: z.string().optional(),
  layer: layerRef,
});

/** Entries kept per list; the counts say how many there were. */
export const MAX_LISTED = 200;

export const platformCheck = z.object({
  platform: z.string(),
  manifestDigest: z.string(),
  /** `unchecked`: the table knows no ELF machine for this platform, so there is nothing to compare with. */
  status: z.enum(['clean', 'mismatch', 'error', 'unchecked']),
  /** `AArch64, 64-bit LSB` */
  expected: z.string().optional(),
  /** Executables and shared objects checked. */
  elfFiles: z.number().int().nonnegative(),
  regularFiles: z.number().int().nonnegative(),
  mismatches: z.array(binaryMismatch),
  mismatchCount: z.number().int().nonnegative(),
  missingInterpreters: z.array(missingInterpreter),
  missingInterpreterCount: z.number().int().nonnegative(),
  layers: z.array(layerInfo),
  /** Why this platform could not be checked (a corrupt layer, a registry error); the other platforms are still reported. */
  error: problem.optional(),
});

export const checkReport = z.object({
  reference: z.string(),
  /** Digest of what the reference points at (index or single manifest). */
  digest: z.string(),
  source: imageSource,
  status: z.enum(['clean', 'mismatch', 'error']),
  platforms: z.array(platformCheck),
  /** Compressed bytes read this time (layers reused from the cache are not read again). */
  bytesRead: z.number().int().nonnegative(),
  layersRead: z.number().int().nonnegative(),
  layersReused: z.number().int().nonnegative(),
  checkedAt: z.string(),
  durationMs: z.number().nonnegative(),
});

export const checkProgress = z.object({
  phase: z.enum(['manifests', 'layers']),
  layersDone: z.number().int().nonnegative(),
  layersTotal: z.number().int().nonnegative(),
  /** Compressed bytes read so far, and of the layers that have to be read. */
  bytesDone: z.number().int().nonnegative(),
  bytesTotal: z.number().int().nonnegative(),
  /** The layer being read, when one is. */
  layer: z.string().optional(),
});

const fileEntry = z.object({
  path: z.string(),
  kind: z.enum(['file', 'dir', 'symlink', 'hardlink', 'other']),
  size: z.number().int().nonnegative(),
  /** A folder present on one side only is listed once, with how many entries it holds. */
  entries: z.number().int().nonnegative().optional(),
});

const pkg = z.object({ name: z.string(), version: z.string(), architecture: z.string().optional() });

export const compareReport = z.object({
  reference: z.string(),
  digest: z.string(),
  a: z.object({ platform: z.string(), manifestDigest: z.string() }),
  b: z.object({ platform: z.string(), manifestDigest: z.string() }),
  onlyInA: z.array(fileEntry),
  onlyInB: z.array(fileEntry),
  sizeDiffs: z.array(z.object({ path: z.string(), a: z.number().int(), b: z.number().int() })),
  /** Whether a list was cut at MAX_LISTED. */
  truncated: z.boolean(),
  packages: z.object({
    /** Where the package lists came from: the package manager's database in the image, or the SBOM attestation. */
    source: z.enum(['dpkg', 'apk', 'sbom', 'none']),
    onlyInA: z.array(pkg),
    onlyInB: z.array(pkg),
    versionDiffs: z.array(z.object({ name: z.string(), a: z.string(), b: z.string() })),
  }),
  config: z.array(z.object({ field: z.string(), a: z.string().optional(), b: z.string().optional() })),
});

export const sbomPackage = z.object({ name: z.string(), version: z.string(), purl: z.string().optional() });

export const attestationItem = z.object({
  predicateType: z.string(),
  kind: z.enum(['provenance', 'sbom', 'other']),
  /** Digests the statement says it is about. */
  subjects: z.array(z.string()),
  /** The statement names a subject other than the platform manifest it is attached to. */
  subjectMismatch: z.boolean(),
  sbom: z
    .object({
      format: z.string(),
      packages: z.array(sbomPackage),
      packageCount: z.number().int().nonnegative(),
    })
    .optional(),
  provenance: z
    .object({
      builder: z.string(),
      buildType: z.string().optional(),
      buildArgs: z.record(z.string(), z.string()),
      materials: z.array(z.object({ uri: z.string(), digest: z.string().optional(), platform: z.string().optional() })),
    })
    .optional(),
  error: z.string().optional(),
});

export const attestationEntry = z.object({
  /** Digest of the attestation manifest (an `unknown/unknown` entry of the index). */
  digest: z.string(),
  /** `provenance/SBOM for linux/arm64` */
  name: z.string(),
  /** The platform whose manifest it names; absent when the index does not list that manifest. */
  platform: z.string().optional(),
  refersTo: z.string(),
  items: z.array(attestationItem),
});

export const attestationsReport = z.object({
  reference: z.string(),
  digest: z.string(),
  entries: z.array(attestationEntry),
  /** Warnings worth a line each (an SBOM about another manifest, an unreadable statement). */
  warnings: z.array(z.string()),
});

/** What a build's History record keeps of the check run after it. */
export const integritySummary = z.object({
  status: z.enum(['checking', 'clean', 'mismatch', 'error']),
  reference: z.string(),
  source: imageSource,
  checkedAt: z.string().optional(),
  /** One line: `no foreign binaries: 412 ELF files on 4 platforms`, or what was wrong. */
  message: z.string(),
  mismatchPlatforms: z.array(z.string()),
});

export type CheckInput = z.infer<typeof checkInput>;
export type CompareInput = z.infer<typeof compareInput>;
export type CheckReport = z.infer<typeof checkReport>;
export type PlatformCheck = z.infer<typeof platformCheck>;
export type CheckProgress = z.infer<typeof checkProgress>;
export type BinaryMismatch = z.infer<typeof binaryMismatch>;
export type MissingInterpreter = z.infer<typeof missingInterpreter>;
export type LayerInfo = z.infer<typeof layerInfo>;
export type CompareReport = z.infer<typeof compareReport>;
export type AttestationsReport = z.infer<typeof attestationsReport>;
export type AttestationEntry = z.infer<typeof attestationEntry>;
export type AttestationItem = z.infer<typeof attestationItem>;
export type IntegritySummary = z.infer<typeof integritySummary>;
export type ImageSource = z.infer<typeof imageSource>;

export const integrityContract = {
  /**
   * Reads every layer of every platform (registry, or the engine's image store) and checks each
   * ELF file's class, byte order and machine against the platform, and each script's `#!`
   * interpreter. Streams progress; cancellable; layers checked before are reused by digest.
   */
  check: stream(checkInput, checkProgress, checkReport),
  /** Two platforms of one image side by side: files, sizes, installed packages, config. */
  compare: stream(compareInput, checkProgress, compareReport),
  /** The index's attestation manifests, named and read: SBOM packages and provenance per platform. */
  attestations: request(attestationsInput, attestationsReport),
  /** The check after a build finished and was recorded on its History entry. */
  onBuildChecked: event(z.object({ buildId: z.string(), integrity: integritySummary })),
};
