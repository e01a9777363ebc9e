import { z } from 'zod';

/**
 * The `--metadata-file` buildx writes after a successful build (none is written when it fails).
 * For a multi-platform build `containerimage.digest` is the digest of the index / manifest list,
 * i.e. what to pull or inspect; `image.name` may hold several comma-separated names.
 */

const descriptorSchema = z.object({
  mediaType: z.string(),
  digest: z.string(),
  size: z.number(),
});

const metadataFileSchema = z.looseObject({
  'buildx.build.ref': z.string().optional(),
  'containerimage.digest': z.string().optional(),
  'containerimage.config.digest': z.string().optional(),
  'containerimage.descriptor': descriptorSchema.optional(),
  'image.name': z.string().optional(),
});

export interface BuildMetadata {
  /** Digest of what was exported: the index for multi-platform builds. */
  imageDigest?: string;
  configDigest?: string;
  descriptor?: z.infer<typeof descriptorSchema>;
  /** Whether the result is an index / manifest list (several platforms or attestations). */
  isIndex: boolean;
  imageNames: string[];
  /** `builder/node/ref`, for `docker buildx history`. */
  buildRef?: string;
}

/** Parses the metadata file's text (or already-parsed JSON). Undefined when it is not one. */
export function parseBuildMetadata(input: string | unknown): BuildMetadata | undefined {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      return undefined;
    }
  }
  const parsed = metadataFileSchema.safeParse(value);
  if (!parsed.success) return undefined;
  const m = parsed.data;
  const descriptor = m['containerimage.descriptor'];
  const out: BuildMetadata = {
    isIndex: descriptor ? /image\.index|manifest\.list/.test(descriptor.mediaType) : false,
    imageNames: (m['image.name'] ?? '')
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean),
  };
  const digest = m['containerimage.digest'] ?? descriptor?.digest;
  if (digest) out.imageDigest = digest;
  if (m['containerimage.config.digest']) out.configDigest = m['containerimage.config.digest'];
  if (descriptor) out.descriptor = descriptor;
  if (m['buildx.build.ref']) out.buildRef = m['buildx.build.ref'];
  return out;
}
