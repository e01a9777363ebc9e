/**
 * RFC 3339 timestamps as BuildKit writes them (`2026-11-27T23:44:36.820523283Z`, nanoseconds) →
 * epoch milliseconds with a fractional part. Every log entry carries one, so the common shape is
 * parsed by hand with the `YYYY-MM-DDTHH:MM` prefix memoised; anything else goes to Date.parse.
 */

let cachedPrefix = '';
let cachedPrefixMs = 0;

function digits(s: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return v;
}

export function parseTimestamp(s: unknown): number | undefined {
  if (typeof s !== 'string' || s.length < 20) return undefined;
  // Go's zero time means "unset".
  if (s.startsWith('0001-01-01')) return undefined;
  if (s.charCodeAt(s.length - 1) === 90 /* Z */ && s.charCodeAt(10) === 84 /* T */ && s.charCodeAt(16) === 58) {
    const prefix = s.slice(0, 16);
    if (prefix !== cachedPrefix) {
      const ms = Date.UTC(
        digits(s, 0, 4),
        digits(s, 5, 7) - 1,
        digits(s, 8, 10),
        digits(s, 11, 13),
        digits(s, 14, 16),
      );
      if (Number.isNaN(ms)) return fallback(s);
      cachedPrefix = prefix;
      cachedPrefixMs = ms;
    }
    const sec = digits(s, 17, 19);
    if (Number.isNaN(sec)) return fallback(s);
    let frac = 0;
    const end = s.length - 1;
    if (s.charCodeAt(19) === 46 /* . */ && end > 20) {
      // Milliseconds with up to 6 fractional digits (µs); finer digits do not matter here.
      const stop = Math.min(end, 26);
      const f = digits(s, 20, stop);
      if (Number.isNaN(f)) return fallback(s);
      frac = f / 10 ** (stop - 20 - 3);
    } else if (end !== 19) {
      return fallback(s);
    }
    return cachedPrefixMs + sec * 1000 + frac;
  }
  return fallback(s);
}

function fallback(s: string): number | undefined {
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : ms;
}
