import { describe, expect, it } from 'vitest';
import { parseImageReference } from '../domain/image-reference';
import { tagReference } from '../domain/build-request/request';
import { createBuilderInput } from './builders';
import { imageReference as emulatorImage } from './emulators';
import { imageReferenceInput } from './images';
import { settingsSchema } from './settings';

const digest = `sha256:${'0'.repeat(64)}`;
const INPUTS = [
  'tonistiigi/binfmt:latest',
  '127.0.0.1:5000/stack/busybox:1',
  '[::1]:5000/app:1',
  'localhost/app',
  'Registry.Example:443/team/app',
  `a/b@${digest}`,
  `busybox:1.36@sha512:${'f'.repeat(128)}`,
  'localhost:65536/app',
  '[::1]:0/app',
  '--privileged',
  'Busybox',
  'a b',
  '',
  'busybox:',
  'x;rm -rf /',
  `a/b@sha256:${'0'.repeat(32)}`,
  '0'.repeat(64),
];

/** Every field that takes an image, each through its own contract schema. */
const FIELDS: Record<string, (text: string) => boolean> = {
  'emulators installer image': (t) => emulatorImage.safeParse(t).success,
  'settings installer image': (t) => settingsSchema.safeParse({ emulators: { installerImage: t } }).success,
  'settings test image': (t) => settingsSchema.safeParse({ emulators: { testImage: t } }).success,
  'settings BuildKit image': (t) => settingsSchema.safeParse({ builders: { buildkitImage: t } }).success,
  'builder create BuildKit image': (t) => createBuilderInput.safeParse({ name: 'b1', buildkitImage: t }).success,
  'Results reference': (t) => imageReferenceInput.safeParse(t).success,
};

describe('one image-reference language for every field', () => {
  it.each(INPUTS)('%j is accepted by all fields or by none', (text) => {
    const valid = parseImageReference(text).ok;
    for (const [field, accepts] of Object.entries(FIELDS)) expect(accepts(text), field).toBe(valid);
    // A build tag is the same language without a digest (the registry computes it).
    expect(tagReference.safeParse(text).success, 'build tag').toBe(valid && !text.includes('@'));
  });

  it('says why in the schema issue', () => {
    const result = emulatorImage.safeParse('localhost:65536/binfmt');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/port 65536/);
  });
});
