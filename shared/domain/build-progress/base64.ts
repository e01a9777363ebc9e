/**
 * Base64 → bytes without Buffer or atob (atob yields a binary string that would need a second pass),
 * so it runs unchanged in Node and the renderer. Lenient: skips characters outside the alphabet,
 * accepts both the standard and the URL-safe alphabet, and ignores missing padding.
 */

const INVALID = 255;
const TABLE = new Uint8Array(256).fill(INVALID);
{
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) TABLE[alphabet.charCodeAt(i)] = i;
  TABLE['-'.charCodeAt(0)] = 62;
  TABLE['_'.charCodeAt(0)] = 63;
}

/**
 * Decodes `text` into a new Uint8Array. `ascii` tells whether every decoded byte is < 0x80,
 * which lets callers skip UTF-8 decoding on the common path.
 */
export function decodeBase64(text: string): { bytes: Uint8Array; ascii: boolean } {
  const len = text.length;
  const out = new Uint8Array((len * 3) >> 2);
  let o = 0;
  let acc = 0;
  let n = 0;
  let high = 0;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    const v = c < 256 ? TABLE[c]! : INVALID;
    if (v === INVALID) continue; // padding, whitespace, garbage
    acc = (acc << 6) | v;
    if (++n === 4) {
      const b0 = (acc >> 16) & 0xff;
      const b1 = (acc >> 8) & 0xff;
      const b2 = acc & 0xff;
      out[o++] = b0;
      out[o++] = b1;
      out[o++] = b2;
      high |= b0 | b1 | b2;
      acc = 0;
      n = 0;
    }
  }
  if (n === 2) {
    const b0 = (acc >> 4) & 0xff;
    out[o++] = b0;
    high |= b0;
  } else if (n === 3) {
    const b0 = (acc >> 10) & 0xff;
    const b1 = (acc >> 2) & 0xff;
    out[o++] = b0;
    out[o++] = b1;
    high |= b0 | b1;
  }
  // n === 1 is a truncated quantum: it carries no whole byte, drop it.
  return { bytes: o === out.length ? out : out.subarray(0, o), ascii: (high & 0x80) === 0 };
}

/** Bytes → "binary string" (one code unit per byte), in slices small enough for the argument-count limit. */
export function bytesToBinaryString(bytes: Uint8Array): string {
  const len = bytes.length;
  if (len <= 4096) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let s = '';
  for (let i = 0; i < len; i += 4096) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, Math.min(len, i + 4096)) as unknown as number[]);
  }
  return s;
}

/**
 * Whether `bytes` ends inside a UTF-8 sequence, i.e. whether a streaming TextDecoder fed these
 * bytes is holding some back. Lets a caller bypass the decoder for ASCII chunks only when safe.
 */
export function endsInsideUtf8Sequence(bytes: Uint8Array): boolean {
  const len = bytes.length;
  // Walk back over at most 3 continuation bytes to the lead byte.
  for (let back = 1; back <= 4 && back <= len; back++) {
    const b = bytes[len - back]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte
    const need = b >= 0xf5 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 ? 2 : 1;
    return need > back;
  }
  return false;
}

/** Binary string → bytes. */
export function binaryStringToBytes(bin: string): Uint8Array {
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const hasAtob = typeof atob === 'function';

/**
 * Base64 → binary string. Uses the platform's atob (native, several times faster than a JS
 * table for short log entries) and falls back to the lenient table decoder for what atob
 * rejects (URL-safe alphabet, stray characters, a truncated quantum).
 */
export function base64ToBinaryString(text: string): string {
  if (hasAtob) {
    try {
      return atob(text);
    } catch {
      // fall through
    }
  }
  return bytesToBinaryString(decodeBase64(text).bytes);
}

const NON_ASCII = /[\x80-\uffff]/;

/** Whether a binary string has a byte ≥ 0x80 (so it needs UTF-8 decoding). */
export function hasNonAscii(bin: string): boolean {
  return NON_ASCII.test(bin);
}
