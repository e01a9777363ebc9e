import { z } from 'zod';
import { checkDigest, imageReferenceText } from '../domain/image-reference';
import { parsePlatform } from '../domain/platform';
import { request } from '../rpc/define';

// ---- inputs: refused with BAD_INPUT before anything touches the network or the engine -------------

/** An image reference as Docker accepts it (`alpine:3.20`, `127.0.0.1:5000/app:1`, `name@sha256:…`). */
export const imageReferenceInput = imageReferenceText;

/** `linux/arm64`, `linux/arm/v7`, `arm64` (os defaults to linux). */
export const platformInput = z
  .string()
  .max(64)
  .refine((text) => parsePlatform(text) !== undefined, { message: 'Not a platform: use os/arch[/variant], e.g. linux/arm64 or linux/arm/v7.' });

/** An argv array run in the container without a shell. */
export const smokeCommandInput = z
  .array(
    z
      .string()
      .min(1, 'An empty argument cannot be run.')
      .max(4096)
      .refine((arg) => !arg.includes('\0'), { message: 'Arguments cannot contain NUL characters.' }),
  )
  .min(1)
  .max(64);

export const inspectInput = z.object({
  reference: imageReferenceInput,
  /** Platforms a build asked for: those absent from the image are reported missing. */
  requestedPlatforms: z.array(platformInput).max(32).optional(),
  /** Skip the per-digest cache (a tag is always looked up again; this also refetches the manifests). */
  refresh: z.boolean().optional(),
});

export const smokeRunInput = z.object({
  reference: imageReferenceInput,
  platform: platformInput,
  /** Defaults to settings.results.smokeCommand (`uname -m`). */
  command: smokeCommandInput.optional(),
});

// ---- outputs (plain JSON: no transforms) --------------------------------------------------------

const digestText = z.string().refine((d) => checkDigest(d) === undefined, { message: 'not a digest' });

export const attestationBadge = z.object({
  kind: z.enum(['provenance', 'sbom', 'other']),
  /** `https://slsa.dev/provenance/v0.2`, `https://spdx.dev/Document`, … */
  predicateType: z.string(),
  /** Digest of the attestation manifest in the index. */
  digest: z.string(),
});

export const platformRow = z.object({
  /** Normalised `os/arch[/variant]`. */
  platform: z.string(),
  os: z.string(),
  architecture: z.string(),
  variant: z.string().optional(),
  /** Digest of this platform's image manifest. */
  digest: digestText,
  mediaType: z.string(),
  /** Sum of the layer sizes (what a pull downloads). */
  compressedSize: z.number().int().nonnegative(),
  layerCount: z.number().int().nonnegative(),
  configDigest: z.string(),
  /** From the config blob; absent when the image does not say. */
  created: z.string().optional(),
  attestations: z.array(attestationBadge),
  /** What `uname -m` prints for this platform (empty when unknown). */
  expectedMachines: z.array(z.string()),
  /** `docker pull --platform linux/arm64 127.0.0.1:5000/app:1` */
  pullCommand: z.string(),
  /** True when a build asked for this platform. */
  requested: z.boolean(),
});

export const inspectedReference = z.object({
  registry: z.string(),
  repository: z.string(),
  tag: z.string().optional(),
  digest: z.string().optional(),
  canonical: z.string(),
  familiar: z.string(),
});

export const imageInspection = z.object({
  reference: inspectedReference,
  /** Digest of what the reference points at (the index, or the single manifest). */
  digest: digestText,
  mediaType: z.string(),
  /** `single`: the reference names one image manifest, not an index. */
  kind: z.enum(['oci-index', 'docker-manifest-list', 'single']),
  platforms: z.array(platformRow),
  /** Normalised requested platforms (empty when none were given). */
  requestedPlatforms: z.array(z.string()),
  /** Requested but absent: shown in red. */
  missingPlatforms: z.array(z.string()),
  /** Index entries that are neither platforms nor attached attestations (ignored). */
  ignoredEntries: z.number().int().nonnegative(),
  /** Attestation manifests naming a digest the index does not list. */
  orphanAttestations: z.number().int().nonnegative(),
  /** `https://registry-1.docker.io`, `http://127.0.0.1:5000`: plain HTTP only for loopback or insecure registries. */
  registryUrl: z.string(),
  /** Where the credentials came from: `none`, `config.json auths`, `credential helper "desktop"`. */
  credentials: z.string(),
  /** ISO time the top-level manifest was read. */
  fetchedAt: z.string(),
  /** True when the per-platform details came from the per-digest cache. */
  cached: z.boolean(),
});

export const smokeResult = z.object({
  reference: z.string(),
  platform: z.string(),
  command: z.array(z.string()),
  /** `docker run --rm --platform … --entrypoint … ref …` to repeat it by hand. */
  displayCommand: z.string(),
  expectedMachines: z.array(z.string()),
  /** Last non-empty stdout line (what `uname -m` printed). */
  machine: z.string().optional(),
  stdout: z.string(),
  stderr: z.string(),
  exitCode: z.number().int().optional(),
  /**
   * `match`: exit 0 and the expected machine; `mismatch`: exit 0, another machine; `ran`: exit 0,
   * nothing to compare with; `error`: it did not run (see `error`).
   */
  status: z.enum(['match', 'mismatch', 'ran', 'error']),
  error: z.object({ message: z.string(), hint: z.string().optional() }).optional(),
  /** The kernel could not run the platform's binaries: no emulator for it (see the Emulators page). */
  execFormatError: z.boolean(),
  /** True when this platform was pulled for the run. */
  pulled: z.boolean(),
  durationMs: z.number().nonnegative(),
});

export type ImageInspection = z.infer<typeof imageInspection>;
export type PlatformRow = z.infer<typeof platformRow>;
export type AttestationBadge = z.infer<typeof attestationBadge>;
export type SmokeResult = z.infer<typeof smokeResult>;
export type InspectInput = z.infer<typeof inspectInput>;
export type SmokeRunInput = z.infer<typeof smokeRunInput>;

export const imagesContract = {
  /** Per-platform manifests of any image reference, read from its registry. */
  inspect: request(inspectInput, imageInspection),
  /** Runs the image for one platform (default `uname -m`) and compares with the expected machine. */
  smokeRun: request(smokeRunInput, smokeResult),
};
