import { describe, expect, it } from 'vitest';
import attestationManifest from './fixtures/attestation-manifest-provenance.json';
import dockerManifestAmd64 from './fixtures/docker-manifest-amd64.json';
import dockerManifestList from './fixtures/docker-manifest-list.json';
import ociConfigAmd64 from './fixtures/oci-config-amd64.json';
import ociIndex from './fixtures/oci-index-with-attestations.json';
import ociManifestArm64 from './fixtures/oci-manifest-arm64.json';
import {
  attestationKind,
  attestationPredicates,
  classifyIndex,
  listKind,
  ManifestFormatError,
  parseImageConfig,
  parseManifestDocument,
  platformFromConfig,
  summarizeImageManifest,
} from './classify';
import { comparePlatforms } from './compare';
import { DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST } from './media-types';

// Literal registry answers: the reference captures (distribution 2.8.2, BuildKit 0.13) and the stack's registry.

describe('parseManifestDocument', () => {
  it('reads an OCI index with attestations', () => {
    const doc = parseManifestDocument(ociIndex, OCI_INDEX);
    expect(doc.kind).toBe('index');
    expect(listKind(doc)).toBe('oci-index');
    if (doc.kind === 'index') expect(doc.manifests).toHaveLength(6);
  });

  it('reads a Docker manifest list', () => {
    const doc = parseManifestDocument(dockerManifestList, DOCKER_MANIFEST_LIST);
    expect(listKind(doc)).toBe('docker-manifest-list');
  });

  it('takes the media type from Content-Type when the body has none (allowed for OCI)', () => {
    const { mediaType: _omit, ...bare } = ociIndex;
    const doc = parseManifestDocument(bare, OCI_INDEX);
    expect(doc).toMatchObject({ kind: 'index', mediaType: OCI_INDEX });
    // With neither, the shape decides.
    expect(parseManifestDocument(bare).kind).toBe('index');
  });

  it('reads image manifests and sums the layers, not the index entry size', () => {
    const doc = parseManifestDocument(ociManifestArm64, OCI_MANIFEST);
    if (doc.kind !== 'image') throw new Error('expected an image manifest');
    expect(listKind(doc)).toBe('single');
    expect(summarizeImageManifest(doc)).toEqual({
      compressedSize: 1059310 + 132 + 3580,
      layerCount: 3,
      configDigest: 'sha256:b749522aa27864222e7fa7aa546107f211a81d5f636c7f328236d6929ce1b126',
    });
    const docker = parseManifestDocument(dockerManifestAmd64);
    if (docker.kind !== 'image') throw new Error('expected an image manifest');
    expect(summarizeImageManifest(docker)).toMatchObject({ compressedSize: 1102205 + 3538, layerCount: 2 });
  });

  it('refuses schema 1, malformed and unknown documents with a reason', () => {
    expect(() => parseManifestDocument({ schemaVersion: 1, name: 'x', fsLayers: [] })).toThrow(/schema 1/);
    expect(() => parseManifestDocument({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ digest: 'sha256:x' }] })).toThrow(
      /index is malformed: manifests.0.size/,
    );
    expect(() => parseManifestDocument({ schemaVersion: 2, mediaType: 'application/vnd.oci.artifact.manifest.v1+json' })).toThrow(
      ManifestFormatError,
    );
    expect(() => parseManifestDocument('nope')).toThrow(/not a JSON object/);
  });
});

describe('classifyIndex', () => {
  it('attaches attestation manifests to the platform they describe and does not count them', () => {
    const doc = parseManifestDocument(ociIndex, OCI_INDEX);
    if (doc.kind !== 'index') throw new Error('expected an index');
    const c = classifyIndex(doc.manifests);
    expect(c.platforms.map((p) => p.text)).toEqual(['linux/amd64', 'linux/arm64', 'linux/arm/v7']);
    expect(c.attestations).toHaveLength(3);
    expect(c.orphanAttestations).toHaveLength(0);
    expect(c.others).toHaveLength(0);
    const amd64 = c.platforms[0]!.descriptor.digest;
    expect(amd64).toBe('sha256:1eac313ef7b8b53f99aaadbb2d4dd90a184ec180fd3a714524219cc85c0b6ef9');
    expect(c.attestations.find((a) => a.refersTo === amd64)?.descriptor.digest).toBe(
      'sha256:5f10b5e9a8f1966b12ee0cba735a2e9c72c8569912fc88da229acd0206555fb0',
    );
  });

  it('lists every platform of a Docker manifest list', () => {
    const doc = parseManifestDocument(dockerManifestList);
    if (doc.kind !== 'index') throw new Error('expected an index');
    const c = classifyIndex(doc.manifests);
    expect(c.platforms.map((p) => p.text)).toEqual([
      'linux/amd64',
      'linux/arm64',
      'linux/arm/v7',
      'linux/arm/v6',
      'linux/riscv64',
      'linux/ppc64le',
      'linux/s390x',
      'linux/386',
    ]);
    expect(c.attestations).toHaveLength(0);
  });

  it('keeps unannotated unknown/unknown entries and orphan attestations out of the platforms', () => {
    const doc = parseManifestDocument(ociIndex, OCI_INDEX);
    if (doc.kind !== 'index') throw new Error('expected an index');
    const withoutAmd64 = doc.manifests.filter((m) => m.platform?.architecture !== 'amd64');
    const stray = { mediaType: OCI_MANIFEST, digest: `sha256:${'1'.repeat(64)}`, size: 10, platform: { os: 'unknown', architecture: 'unknown' } };
    const c = classifyIndex([...withoutAmd64, stray]);
    expect(c.platforms.map((p) => p.text)).toEqual(['linux/arm64', 'linux/arm/v7']);
    expect(c.attestations).toHaveLength(2);
    expect(c.orphanAttestations.map((a) => a.refersTo)).toEqual(['sha256:1eac313ef7b8b53f99aaadbb2d4dd90a184ec180fd3a714524219cc85c0b6ef9']);
    expect(c.others).toEqual([stray]);
  });
});

describe('attestations', () => {
  it('reads the in-toto predicate type from the attestation manifest layers', () => {
    const doc = parseManifestDocument(attestationManifest);
    expect(attestationPredicates(doc)).toEqual(['https://slsa.dev/provenance/v0.2']);
    expect(attestationKind('https://slsa.dev/provenance/v0.2')).toBe('provenance');
    expect(attestationKind('https://slsa.dev/provenance/v1')).toBe('provenance');
    expect(attestationKind('https://spdx.dev/Document')).toBe('sbom');
    expect(attestationKind('https://cyclonedx.org/bom/v1.5')).toBe('sbom');
    expect(attestationKind('https://in-toto.io/attestation/vulns/v0.1')).toBe('other');
  });
});

describe('image config', () => {
  it('gives the platform and created time', () => {
    const config = parseImageConfig(ociConfigAmd64);
    expect(config.created).toBe('2026-11-28T00:17:32.65820282Z');
    expect(platformFromConfig(config)).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(platformFromConfig(parseImageConfig({ architecture: 'arm', os: 'linux', variant: 'v7' }))).toEqual({
      os: 'linux',
      architecture: 'arm',
      variant: 'v7',
    });
    expect(platformFromConfig(parseImageConfig({}))).toBeUndefined();
  });
});

describe('comparePlatforms', () => {
  it('reports requested platforms that are missing, on normalised names', () => {
    expect(comparePlatforms(['linux/amd64', 'arm64', 'linux/arm64/v8', 'linux/s390x'], ['linux/amd64', 'linux/arm64', 'linux/riscv64'])).toEqual({
      present: ['linux/amd64', 'linux/arm64'],
      missing: ['linux/s390x'],
      extra: ['linux/riscv64'],
    });
    expect(comparePlatforms(['linux/arm/v7'], ['linux/arm'])).toEqual({ present: ['linux/arm/v7'], missing: [], extra: [] });
    expect(comparePlatforms([], ['linux/amd64'])).toEqual({ present: [], missing: [], extra: ['linux/amd64'] });
  });
});
