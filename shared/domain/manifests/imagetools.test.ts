/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';
import { classifyIndex, parseManifestDocument } from './classify';

// The index of a 3-platform build pushed by Docker 28.5 (default attestations), as both buildx versions print it
// with `imagetools inspect --format '{{json .}}'`: the app reads the same document from the registry.
const captures = import.meta.glob<string>('../buildx/fixtures/imagetools-inspect-json-*.json', { query: '?raw', import: 'default', eager: true });

describe('an index pushed by Docker 28.5, read through imagetools of buildx 0.13.1 and 0.29.1', () => {
  const indexes = Object.entries(captures).map(([file, text]) => ({ file, json: JSON.parse(text) as { name: string; manifest: unknown; image: Record<string, unknown> } }));

  it('has both captures', () => expect(indexes.map((i) => i.file.replace(/.*json-/, ''))).toEqual(['0.13.1.json', '0.29.1.json']));

  for (const { file, json } of indexes) {
    it(`classifies every platform and pairs each attestation with it (${file.replace(/.*json-/, '')})`, () => {
      const doc = parseManifestDocument(json.manifest, 'application/vnd.oci.image.index.v1+json');
      expect(doc.kind).toBe('index');
      if (doc.kind !== 'index') return;
      const c = classifyIndex(doc.manifests);
      expect(c.platforms.map((p) => p.text).sort()).toEqual(['linux/amd64', 'linux/arm/v7', 'linux/arm64']);
      expect(c.platforms.map((p) => p.text).sort()).toEqual(Object.keys(json.image).sort());
      expect(c.attestations).toHaveLength(3);
      expect(c.orphanAttestations).toEqual([]);
      expect(c.others).toEqual([]);
      expect(new Set(c.attestations.map((a) => a.refersTo))).toEqual(new Set(c.platforms.map((p) => p.descriptor.digest)));
    });
  }
});
