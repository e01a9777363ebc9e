/** Manifest media types a registry can answer with, and the Accept header that asks for all of them. */
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

export const LIST_MEDIA_TYPES: readonly string[] = [OCI_INDEX, DOCKER_MANIFEST_LIST];
export const IMAGE_MANIFEST_MEDIA_TYPES: readonly string[] = [OCI_MANIFEST, DOCKER_MANIFEST];

/**
 * Both list types and both manifest types, always: distribution 2.8 answers 404 MANIFEST_UNKNOWN
 * ("OCI index found, but accept header does not support OCI indexes") when the OCI index type is
 * missing, instead of converting.
 */
export const MANIFEST_ACCEPT: readonly string[] = [OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST];

export const IN_TOTO_LAYER = 'application/vnd.in-toto+json';
export const ANNOTATION_REFERENCE_TYPE = 'vnd.docker.reference.type';
export const ANNOTATION_REFERENCE_DIGEST = 'vnd.docker.reference.digest';
export const ATTESTATION_MANIFEST = 'attestation-manifest';
export const ANNOTATION_PREDICATE_TYPE = 'in-toto.io/predicate-type';

/** Content-Type without parameters (`; charset=utf-8`), lower-cased. */
export function bareMediaType(contentType: string | null | undefined): string | undefined {
  const bare = contentType?.split(';')[0]?.trim().toLowerCase();
  return bare ? bare : undefined;
}

/** Short human name of a manifest media type for tables. */
export function mediaTypeLabel(mediaType: string): string {
  switch (mediaType) {
    case OCI_INDEX:
      return 'OCI index';
    case DOCKER_MANIFEST_LIST:
      return 'Docker manifest list';
    case OCI_MANIFEST:
      return 'OCI manifest';
    case DOCKER_MANIFEST:
      return 'Docker manifest v2';
    default:
      return mediaType;
  }
}
