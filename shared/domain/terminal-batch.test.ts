import { describe, expect, it } from 'vitest';
import { TerminalBatchAccumulator, TerminalBatchBuilder, batchLines, forEachRun, type TerminalBatch } from './terminal-batch';

/** One batch of whole lines, tagged per platform. */
function tb(...parts: Array<[string, string?]>): TerminalBatch {
  const b = new TerminalBatchBuilder();
  for (const [text, platform] of parts) b.add(text, platform, text.split('\n').length - 1);
  return b.take()!;
}

/** The lines a view shows: everything, or one platform's lines and the shared ones. */
function view(batches: TerminalBatch[], p?: string): string[] {
  const out: string[] = [];
  for (const bt of batches) {
    forEachRun(bt, (text, platform) => {
      if (p === undefined || platform === undefined || platform === p) out.push(...text.split('\r\n').filter(Boolean));
    });
  }
  return out;
}

/** A pseudo-random stream of lines: bursts per platform, a few shared lines, riscv64 only at the start. */
function stream(count: number, platforms: string[]): Array<[string, string | undefined]> {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const out: Array<[string, string | undefined]> = [];
  for (let i = 0; i < count; i++) {
    const p = i < 800 ? platforms[2] : rnd() < 0.05 ? undefined : platforms[Math.floor(rnd() * 2)];
    const n = 1 + Math.floor(rnd() * 3);
    out.push([Array.from({ length: n }, (_, k) => `${i}.${k} ${p ?? 'shared'}\r\n`).join(''), p]);
  }
  return out;
}

describe('terminal batches', () => {
  it('merge consecutive text of one platform and keep the order of the rest', () => {
    const b = new TerminalBatchBuilder();
    b.add('a1\r\n', 'linux/amd64', 1);
    b.add('a2\r\n', 'linux/amd64', 1);
    b.add('s\r\n', undefined, 1);
    b.add('r1\r\nr2\r\n', 'linux/arm64', 2);
    b.add('a3\r\n', 'linux/amd64', 1);
    const batch = b.take()!;
    expect(batch.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    expect(batch.runs).toEqual([0, 8, 2, -1, 3, 1, 1, 8, 2, 0, 4, 1]);
    const seen: Array<[string, string | undefined, number]> = [];
    forEachRun(batch, (t, p, n) => seen.push([t, p, n]));
    expect(seen).toEqual([
      ['a1\r\na2\r\n', 'linux/amd64', 2],
      ['s\r\n', undefined, 1],
      ['r1\r\nr2\r\n', 'linux/arm64', 2],
      ['a3\r\n', 'linux/amd64', 1],
    ]);
    expect(batchLines(batch)).toBe(6);
    expect(b.take()).toBeUndefined();
  });

  it('append whole batches with their platforms re-indexed', () => {
    const b = new TerminalBatchBuilder();
    b.add('r\r\n', 'linux/arm64', 1);
    b.addBatch(tb(['r2\r\n', 'linux/arm64'], ['a\r\n', 'linux/amd64'], ['s\r\n']));
    b.addBatch(tb(['s2\r\n'], ['a2\r\n', 'linux/amd64']));
    const batch = b.take()!;
    expect(batch.text).toBe('r\r\nr2\r\na\r\ns\r\ns2\r\na2\r\n');
    expect(batch.platforms).toEqual(['linux/arm64', 'linux/amd64']);
    expect(batch.runs).toEqual([0, 7, 2, 1, 3, 1, -1, 7, 2, 1, 4, 1]);
  });

  it('take the oldest text up to a size, led by one shared line when asked', () => {
    const b = new TerminalBatchBuilder();
    for (let i = 0; i < 10; i++) b.add(`line ${i}\r\n`, i % 2 ? 'linux/amd64' : undefined, 1);
    const first = b.take(20, 'notice\r\n')!;
    expect(first.text).toBe('notice\r\nline 0\r\n');
    expect(batchLines(first)).toBe(2);
    const rest: TerminalBatch[] = [];
    for (let t = b.take(20); t; t = b.take(20)) rest.push(t);
    expect(rest.map((t) => t.text).join('')).toBe(Array.from({ length: 9 }, (_, i) => `line ${i + 1}\r\n`).join(''));
    expect(rest.every((t) => t.text.length <= 20)).toBe(true);
    expect(b.lines).toBe(0);
    expect(b.size).toBe(0);
  });

  it('with `keep`, hold exactly what a terminal keeping that many lines per view can still show', () => {
    const platforms = ['linux/amd64', 'linux/arm64', 'linux/riscv64'];
    const keep = 500;
    const full = new TerminalBatchBuilder();
    const byLine = new TerminalBatchBuilder({ keep, views: [...platforms, 'linux/s390x'] });
    // The same lines appended as whole batches of 40 pieces (as the core's watcher gets them).
    const byBatch = new TerminalBatchBuilder({ keep, views: [...platforms, 'linux/s390x'] });
    let group = new TerminalBatchBuilder();
    stream(3000, platforms).forEach(([text, p], i) => {
      const n = text.split('\n').length - 1;
      full.add(text, p, n);
      byLine.add(text, p, n);
      group.add(text, p, n);
      if (i % 40 === 39) byBatch.addBatch(group.take()!);
    });
    expect(group.take()).toBeUndefined(); // 3000 lines: the last group was full
    const all = full.take()!;
    for (const tail of [byLine, byBatch]) {
      const kept = tail.take()!;
      expect(tail.dropped).toBeGreaterThan(0);
      expect(batchLines(kept) + tail.dropped).toBe(batchLines(all));
      for (const p of [undefined, ...platforms, 'linux/s390x']) expect(view([kept], p).slice(-keep), p ?? 'all').toEqual(view([all], p).slice(-keep));
      // riscv64 only wrote at the start: its view still gets its last lines
      expect(view([kept], 'linux/riscv64').filter((l) => l.endsWith('riscv64')).length).toBeGreaterThan(0);
    }
    group = new TerminalBatchBuilder();
    // A batch that is taken alone goes out as the same text and runs.
    const one = new TerminalBatchBuilder({ keep });
    const b = stream(10, platforms).reduce((acc, [text, p]) => (acc.add(text, p, text.split('\n').length - 1), acc), group).take()!;
    one.addBatch(b);
    expect(one.take()).toEqual(b);
  });

  it('with `keep`, stays bounded however long the log, also when a quiet view holds on to old lines', () => {
    const keep = 100;
    const b = new TerminalBatchBuilder({ keep, views: ['linux/amd64', 'linux/arm64'] });
    b.add('arm only once\r\n', 'linux/arm64', 1);
    b.add('shared once\r\n', undefined, 1);
    let most = 0;
    for (let i = 0; i < 100_000; i++) {
      b.add(`amd ${i}\r\n`, 'linux/amd64', 1);
      most = Math.max(most, b.lines);
    }
    expect(most).toBeLessThanOrEqual(3 * keep);
    const kept = b.take()!;
    expect(view([kept], 'linux/arm64')).toEqual(['arm only once', 'shared once']);
    expect(view([kept], 'linux/amd64').slice(-keep)).toEqual(Array.from({ length: keep }, (_, i) => `amd ${100_000 - keep + i}`));
    expect(b.dropped + batchLines(kept)).toBe(100_002);
  });

  it('cut a batch bigger than a chunk at line ends, keeping every view whole', () => {
    const platforms = ['linux/amd64', 'linux/arm64', 'linux/riscv64'];
    const source = new TerminalBatchBuilder();
    for (const [text, p] of stream(2000, platforms)) source.add(text, p, text.split('\n').length - 1);
    source.add(`${'x'.repeat(5000)}\r\n`, 'linux/arm64', 1); // one line longer than a chunk
    const whole = source.take()!;
    for (const maxChars of [1000, 4096, 30_000]) {
      const b = new TerminalBatchBuilder({ keep: 100_000 });
      b.addBatch(whole);
      const parts: TerminalBatch[] = [];
      for (let t = b.take(maxChars); t; t = b.take(maxChars)) parts.push(t);
      expect(parts.length).toBeGreaterThan(1);
      expect(parts.map((t) => t.text).join('')).toBe(whole.text);
      for (const t of parts) {
        expect(t.text.length <= maxChars || batchLines(t) === 1, `${t.text.length} chars in ${batchLines(t)} lines`).toBe(true);
        expect(t.text.endsWith('\n')).toBe(true);
        expect(t.runs.filter((_, i) => i % 3 === 1).reduce((a, n) => a + n, 0)).toBe(t.text.length);
        expect(batchLines(t)).toBe(t.text.split('\n').length - 1);
      }
      for (const p of [undefined, ...platforms]) expect(view(parts, p)).toEqual(view([whole], p));
      expect(b.lines).toBe(0);
      expect(b.size).toBe(0);
    }
  });

  it('accumulate into the same batches a plain builder takes, with platform indexes kept across takes', () => {
    const acc = new TerminalBatchAccumulator();
    const builder = new TerminalBatchBuilder();
    const lines = stream(1200, ['linux/amd64', 'linux/arm64', 'linux/riscv64']);
    let held = 0;
    for (const [i, [text, platform]] of lines.entries()) {
      const n = text.split('\n').length - 1;
      acc.add(text, platform, n);
      builder.add(text, platform, n);
      held += text.length;
      expect(acc.size).toBe(held);
      if (i % 97 === 96) {
        expect(acc.take()).toEqual(builder.take());
        held = 0;
      }
    }
    const last = acc.take()!;
    expect(last).toEqual(builder.take());
    // in the order first seen, riscv64 first, as in every batch taken before
    expect(last.platforms).toEqual(['linux/riscv64', 'linux/arm64', 'linux/amd64']);
    expect(acc.size).toBe(0);
    expect(acc.take()).toBeUndefined();
  });
});
