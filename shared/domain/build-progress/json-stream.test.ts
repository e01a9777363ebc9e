import { describe, expect, it } from 'vitest';
import { randomChunks, riscv64Fails, rng, splitCapture, utf8 } from './fixtures/captures';
import { JsonObjectStream } from './json-stream';

type Item = { json: unknown } | { text: string };

function collect(chunks: Array<string | Uint8Array>, options?: { maxObjectChars?: number }): Item[] {
  const items: Item[] = [];
  const s = new JsonObjectStream(
    { value: (v) => items.push({ json: v }), text: (t) => items.push({ text: t }) },
    options,
  );
  for (const c of chunks) s.push(c);
  s.end();
  return items;
}

const objects = (items: Item[]) => items.flatMap((i) => ('json' in i ? [i.json] : []));
const texts = (items: Item[]) => items.flatMap((i) => ('text' in i ? [i.text] : []));

describe('JsonObjectStream', () => {
  it('splits the pretty-printed 0.13 capture into its objects and the final plain text', () => {
    const expected = splitCapture(riscv64Fails);
    const items = collect([riscv64Fails]);
    expect(objects(items)).toEqual(expected.objects);
    expect(objects(items)).toHaveLength(57);
    expect(texts(items)).toEqual(expected.text);
    expect(texts(items).at(-1)).toMatch(/^ERROR: failed to solve: process/);
    expect(texts(items)[0]).toBe('Dockerfile:9');
    // Text keeps its leading blanks (the Dockerfile excerpt is indented).
    expect(texts(items)).toContain('   7 |     FROM base');
  });

  it('gives the same items whatever the chunking: one byte at a time, random sizes, strings', () => {
    const whole = collect([riscv64Fails]);
    const bytes = utf8(riscv64Fails);
    expect(collect(Array.from(bytes, (b) => Uint8Array.of(b)))).toEqual(whole);
    for (const seed of [1, 2, 3]) {
      expect(collect(randomChunks(bytes, seed, 97))).toEqual(whole);
      expect(collect(randomChunks(riscv64Fails, seed, 13))).toEqual(whole);
    }
  });

  it('reads one object per line, several objects on a line, and text after an object', () => {
    const input = '{"a":1}\n{"b":2}{"c":3} {"d":4}\n{"e":5} trailing words\nplain line\n{"f":6}';
    const items = collect([input]);
    expect(items).toEqual([
      { json: { a: 1 } },
      { json: { b: 2 } },
      { json: { c: 3 } },
      { json: { d: 4 } },
      { json: { e: 5 } },
      { text: 'trailing words' },
      { text: 'plain line' },
      { json: { f: 6 } },
    ]);
  });

  it('tracks strings and escapes: braces and quotes inside strings do not count', () => {
    const value = { s: '}{"}\\', nested: { t: '{{{', u: ['}', '"{'] } };
    const pretty = JSON.stringify(value, null, 2);
    const compact = JSON.stringify(value);
    for (const input of [pretty + '\n', compact + '\n', `${compact}${compact}\n`]) {
      const chars = [...input];
      expect(objects(collect(chars))).toEqual(input === `${compact}${compact}\n` ? [value, value] : [value]);
    }
  });

  it('reassembles UTF-8 characters split between byte chunks, in JSON and in text', () => {
    const value = { msg: 'héllo € 😀 ✓' };
    const input = utf8(`${JSON.stringify(value, null, 2)}\nERROR: naïve ünïcode 🚀\n`);
    for (let cut = 1; cut < input.length; cut++) {
      const items = collect([input.subarray(0, cut), input.subarray(cut)]);
      expect(items).toEqual([{ json: value }, { text: 'ERROR: naïve ünïcode 🚀' }]);
    }
  });

  it('handles CRLF line endings', () => {
    const items = collect(['{\r\n  "a": 1\r\n}\r\n{"b":2}\r\nERROR: x\r\n']);
    expect(items).toEqual([{ json: { a: 1 } }, { json: { b: 2 } }, { text: 'ERROR: x' }]);
  });

  it('turns text that only looks like JSON into text lines and resynchronises', () => {
    const input = [
      '{ this is not json }',
      '{ unclosed text line',
      '{',
      '  "vertexes": []',
      '}',
      '{"logs":[]}',
      '{ "quote": "unterminated',
      'next line',
      '{"ok":true}',
    ].join('\n');
    const items = collect([input]);
    expect(objects(items)).toEqual([{ vertexes: [] }, { logs: [] }, { ok: true }]);
    expect(texts(items)).toEqual([
      '{ this is not json }',
      '{ unclosed text line',
      '{ "quote": "unterminated',
      'next line',
    ]);
    // Same result byte by byte.
    expect(collect([...input])).toEqual(items);
  });

  it('flushes an unterminated object as text at the end, and caps candidate size', () => {
    expect(collect(['{\n  "a": [1, 2\n'])).toEqual([{ text: '{' }, { text: '  "a": [1, 2' }]);
    const big = `{"x":"${'y'.repeat(100)}"`;
    expect(texts(collect([big, '\nafter\n'], { maxObjectChars: 50 }))).toContain('after');
  });

  it('property: generated streams of pretty/compact objects and text decode the same under any chunking', () => {
    const next = rng(99);
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
    const strings = ['plain', '}{', '"quoted"', 'back\\slash', 'ünï €', '😀', '[linux/arm64 2/3] RUN x', ''];
    const randomValue = (depth: number): unknown => {
      const r = next();
      if (depth > 2 || r < 0.3) return pick(strings);
      if (r < 0.45) return Math.floor(next() * 1e6);
      if (r < 0.55) return pick([true, false, null]);
      if (r < 0.75) return Array.from({ length: Math.floor(next() * 3) }, () => randomValue(depth + 1));
      return randomObject(depth + 1);
    };
    const randomObject = (depth: number): Record<string, unknown> =>
      Object.fromEntries(Array.from({ length: 1 + Math.floor(next() * 3) }, (_, k) => [`${pick(strings)}${k}`, randomValue(depth)]));
    for (let doc = 0; doc < 40; doc++) {
      const expected: Item[] = [];
      let text = '';
      const eol = next() < 0.2 ? '\r\n' : '\n';
      for (let k = 0; k < 12; k++) {
        const r = next();
        if (r < 0.35) {
          const o = randomObject(0);
          expected.push({ json: o });
          text += JSON.stringify(o, null, 2).replace(/\n/g, eol) + eol;
        } else if (r < 0.7) {
          const o = randomObject(0);
          expected.push({ json: o });
          text += JSON.stringify(o) + eol;
        } else if (r < 0.8) {
          const a = randomObject(0);
          const b = randomObject(0);
          expected.push({ json: a }, { json: b });
          text += `${JSON.stringify(a)} ${JSON.stringify(b)}${eol}`;
        } else if (r < 0.95) {
          const line = `${pick(['', '  ', '\t'])}${pick(['ERROR: failed', 'Dockerfile:3', '  12 | >>> RUN ü', '--------'])}`;
          expected.push({ text: line });
          text += line + eol;
        } else {
          text += eol;
        }
      }
      const bytes = utf8(text);
      const whole = collect([text]);
      expect(whole).toEqual(expected);
      expect(collect([bytes])).toEqual(expected);
      expect(collect(randomChunks(bytes, doc, 7))).toEqual(expected);
      expect(collect(randomChunks(text, doc, 3))).toEqual(expected);
      if (doc < 8) expect(collect(Array.from(bytes, (b) => Uint8Array.of(b)))).toEqual(expected);
    }
  });

  it('never throws on random bytes or mangled captures', () => {
    const next = rng(42);
    for (let round = 0; round < 50; round++) {
      const bytes = new Uint8Array(2000);
      for (let i = 0; i < bytes.length; i++) {
        const r = next();
        // Bias towards structural characters so the scanner gets exercised.
        bytes[i] = r < 0.3 ? '{}"\\\n'.charCodeAt(Math.floor(next() * 5)) : Math.floor(next() * 256);
      }
      expect(() => collect(randomChunks(bytes, round, 50))).not.toThrow();
    }
    const chars = [...riscv64Fails];
    for (let round = 0; round < 20; round++) {
      const mangled = chars.slice();
      for (let k = 0; k < 30; k++) mangled.splice(Math.floor(next() * mangled.length), 1);
      expect(() => collect(randomChunks(mangled.join(''), round, 200))).not.toThrow();
    }
  });
});
