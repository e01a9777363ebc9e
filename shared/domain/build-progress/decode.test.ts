import { describe, expect, it } from 'vitest';
import { base64ToBinaryString, decodeBase64, endsInsideUtf8Sequence } from './base64';
import { b64, metadataOkPush, rng, utf8 } from './fixtures/captures';
import { parseBuildMetadata } from './metadata';
import { parseTimestamp } from './time';

describe('base64', () => {
  it('decodes random bytes exactly like the platform atob, padded or not', () => {
    const next = rng(5);
    for (let n = 0; n < 300; n++) {
      const bytes = Uint8Array.from({ length: n % 40 }, () => Math.floor(next() * 256));
      const encoded = b64(bytes);
      expect(decodeBase64(encoded).bytes).toEqual(bytes);
      expect(decodeBase64(encoded.replace(/=+$/, '')).bytes).toEqual(bytes);
      expect(decodeBase64(encoded).ascii).toBe(bytes.every((b) => b < 0x80));
    }
  });

  it('accepts the URL-safe alphabet and skips junk where atob would throw', () => {
    const bytes = Uint8Array.of(0xfb, 0xff, 0xbf, 0x3e);
    const std = b64(bytes);
    const url = std.replace(/\+/g, '-').replace(/\//g, '_');
    expect(url).not.toBe(std);
    expect(base64ToBinaryString(url)).toBe(String.fromCharCode(...bytes));
    expect(decodeBase64(`${std.slice(0, 3)}\n*${std.slice(3)}`).bytes).toEqual(bytes);
    expect(base64ToBinaryString('a')).toBe(''); // a lone character holds no byte
  });

  it('knows when bytes stop inside a UTF-8 character', () => {
    const euro = utf8('€'); // 3 bytes
    const emoji = utf8('😀'); // 4 bytes
    expect(endsInsideUtf8Sequence(euro.subarray(0, 1))).toBe(true);
    expect(endsInsideUtf8Sequence(euro.subarray(0, 2))).toBe(true);
    expect(endsInsideUtf8Sequence(euro)).toBe(false);
    expect(endsInsideUtf8Sequence(emoji.subarray(0, 3))).toBe(true);
    expect(endsInsideUtf8Sequence(emoji)).toBe(false);
    expect(endsInsideUtf8Sequence(utf8('abc'))).toBe(false);
    expect(endsInsideUtf8Sequence(Uint8Array.of(0xff))).toBe(false);
  });
});

describe('parseTimestamp', () => {
  it('reads BuildKit nanosecond timestamps to the microsecond', () => {
    expect(parseTimestamp('2026-11-27T23:44:36.820523283Z')).toBe(Date.UTC(2026, 10, 27, 23, 44, 36) + 820.523);
    expect(parseTimestamp('2026-11-27T23:44:36.8Z')).toBe(Date.UTC(2026, 10, 27, 23, 44, 36) + 800);
    expect(parseTimestamp('2026-11-27T23:44:36Z')).toBe(Date.UTC(2026, 10, 27, 23, 44, 36));
    // The memoised minute prefix must not leak between different minutes.
    expect(parseTimestamp('2026-11-27T23:45:00.000001Z')).toBe(Date.UTC(2026, 10, 27, 23, 45, 0) + 0.001);
    expect(parseTimestamp('2026-11-27T23:44:59.5Z')).toBe(Date.UTC(2026, 10, 27, 23, 44, 59) + 500);
  });

  it('falls back for offsets and rejects junk and the Go zero time', () => {
    expect(parseTimestamp('2026-11-27T23:44:36.5+01:00')).toBe(Date.UTC(2026, 10, 27, 22, 44, 36) + 500);
    expect(parseTimestamp('0001-01-01T00:00:00Z')).toBeUndefined();
    expect(parseTimestamp('yesterday at noon, roughly')).toBeUndefined();
    expect(parseTimestamp('2026-11-27Tab:cd:efZ-----')).toBeUndefined();
    expect(parseTimestamp(12)).toBeUndefined();
    expect(parseTimestamp(undefined)).toBeUndefined();
  });
});

describe('parseBuildMetadata', () => {
  it('reads the real metadata file of a multi-platform push', () => {
    expect(parseBuildMetadata(metadataOkPush)).toEqual({
      imageDigest: 'sha256:0524d1a3315d5b5c5ac2a46aa68e7149bac2b9faecfe636f29aac063c8178903',
      configDigest: 'sha256:0524d1a3315d5b5c5ac2a46aa68e7149bac2b9faecfe636f29aac063c8178903',
      descriptor: {
        mediaType: 'application/vnd.oci.image.index.v1+json',
        digest: 'sha256:0524d1a3315d5b5c5ac2a46aa68e7149bac2b9faecfe636f29aac063c8178903',
        size: 2382,
      },
      isIndex: true,
      imageNames: ['127.0.0.1:5000/capture:ok'],
      buildRef: 'default/default/fgdnm7bmrrcd0j7lw3kvwf2la',
    });
  });

  it('splits several names and rejects what is not a metadata file', () => {
    expect(parseBuildMetadata({ 'image.name': 'a:1, b:2' })).toMatchObject({ imageNames: ['a:1', 'b:2'], isIndex: false });
    expect(parseBuildMetadata('not json')).toBeUndefined();
    expect(parseBuildMetadata({ 'containerimage.descriptor': { digest: 5 } })).toBeUndefined();
  });
});
