import { describe, expect, it } from 'vitest';
import { TerminalBatchBuilder } from '../../../shared/contract/builds';
import { TerminalFeed, type FeedOptions, type TerminalSink } from './terminal-feed';

/** A terminal that records writes and "parses" them only when the test says so. */
class SlowSink implements TerminalSink {
  written: string[] = [];
  pending: Array<() => void> = [];
  resets = 0;
  write(data: string, callback?: () => void) {
    this.written.push(data);
    if (callback) this.pending.push(callback);
  }
  reset() {
    this.resets++;
    this.written = [];
  }
  parse() {
    const p = this.pending.splice(0);
    p.forEach((cb) => cb());
    return p.length;
  }
  get text() {
    return this.written.join('');
  }
}

/** Animation frames on demand. */
class Frames {
  private fns: Array<() => void> = [];
  readonly schedule = (fn: () => void) => void this.fns.push(fn);
  run() {
    const f = this.fns.splice(0);
    f.forEach((fn) => fn());
    return f.length;
  }
}

function setup(options: FeedOptions = {}) {
  const frames = new Frames();
  const sink = new SlowSink();
  const feed = new TerminalFeed({ schedule: frames.schedule, floodIntervalMs: 0, ...options });
  /** Frames and parsing until the terminal has everything it will get. */
  const settle = () => {
    for (let i = 0; i < 10_000 && frames.run() + sink.parse() > 0; i++);
  };
  return { frames, sink, feed, settle };
}

/** One batch of whole lines, each stretch tagged with its platform (as the core sends them). */
const batch = (...parts: Array<[string, string?]>) => {
  const b = new TerminalBatchBuilder();
  for (const [text, platform] of parts) b.add(text, platform, text.split('\n').length - 1);
  return b.take();
};
const seg = (text: string, platform?: string): [string, string?] => [text, platform];

describe('TerminalFeed', () => {
  it('writes everything, or one platform plus shared lines, and re-shows a view from its ring', () => {
    const { sink, feed, settle } = setup({ scrollback: 100 });
    feed.setPlatforms(['linux/amd64', 'linux/arm64']);
    feed.attach(sink);
    feed.append(batch(seg('shared 1\r\n'), seg('amd 1\r\n', 'linux/amd64'), seg('arm 1\r\n', 'linux/arm64'), seg('amd 2\r\n', 'linux/amd64')));
    expect(sink.text).toBe(''); // nothing before the next frame
    settle();
    expect(sink.text).toBe('shared 1\r\namd 1\r\narm 1\r\namd 2\r\n');

    feed.setFilter('linux/arm64');
    settle();
    expect(sink.resets).toBe(2);
    expect(sink.text).toBe('shared 1\r\narm 1\r\n');
    feed.append(batch(seg('amd 3\r\n', 'linux/amd64'), seg('ERROR: boom\r\n'), seg('arm 2\r\n', 'linux/arm64')));
    settle();
    expect(sink.text).toBe('shared 1\r\narm 1\r\nERROR: boom\r\narm 2\r\n');

    feed.setFilter(undefined);
    settle();
    expect(sink.text).toBe('shared 1\r\namd 1\r\narm 1\r\namd 2\r\namd 3\r\nERROR: boom\r\narm 2\r\n');
    expect(feed.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    expect(feed.idle).toBe(true);
  });

  it('keeps at most a scrollback of lines per view', () => {
    const { feed } = setup({ scrollback: 10 });
    for (let i = 0; i < 1000; i++) feed.append(batch(seg(`line ${i}\r\n`, 'linux/amd64')));
    const lines = feed.viewText().split('\r\n').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(10);
    expect(lines.length).toBeLessThanOrEqual(11);
    expect(lines[lines.length - 1]).toBe('line 999');
    feed.setFilter('linux/amd64');
    expect(feed.viewText().split('\r\n').filter(Boolean).pop()).toBe('line 999');
  });

  it('hands the terminal one bounded write per frame, cut at line ends', () => {
    const { frames, sink, feed, settle } = setup({ scrollback: 100_000, frameBytes: 1000 });
    feed.attach(sink);
    const lines = Array.from({ length: 500 }, (_, i) => `line ${String(i).padStart(4, '0')} ${'x'.repeat(20)}\r\n`);
    feed.append(batch(seg(lines.join(''))));
    frames.run();
    expect(sink.written).toHaveLength(1);
    expect(sink.written[0]!.length).toBeLessThanOrEqual(1000);
    expect(sink.written[0]!.endsWith('\r\n')).toBe(true);
    // the next write waits for the terminal to parse the previous one
    frames.run();
    expect(sink.written).toHaveLength(1);
    settle();
    expect(sink.text).toBe(lines.join(''));
    expect(sink.written.every((w) => w.length <= 1000 && w.endsWith('\r\n'))).toBe(true);
    expect(feed.stats).toEqual({ linesIn: 500, linesWritten: 500, linesSkipped: 0 });
  });

  it('skips what would scroll away unseen when output outruns the terminal, ending exactly as if all were written', () => {
    const { sink, feed, settle } = setup({ scrollback: 50, frameBytes: 4096 });
    feed.attach(sink);
    for (let i = 0; i < 5000; i++) feed.append(batch(seg(`line ${String(i).padStart(5, '0')} ${'x'.repeat(40)}\r\n`)));
    settle();
    const shown = sink.text.split('\r\n');
    expect(sink.text).toContain('lines not shown here');
    // the last scrollback of lines is complete and in order
    const tail = shown.filter((l) => l.startsWith('line ')).slice(-50);
    expect(tail.map((l) => Number(l.slice(5, 10)))).toEqual(Array.from({ length: 50 }, (_, i) => 4950 + i));
    expect(feed.stats.linesIn).toBe(5000);
    expect(feed.stats.linesWritten + feed.stats.linesSkipped).toBe(5000);
    expect(feed.stats.linesSkipped).toBeGreaterThan(4000);
  });

  it('spaces writes out while output outruns the terminal, and goes back to every frame after', async () => {
    const { frames, sink, feed } = setup({ scrollback: 20, frameBytes: 100_000, floodIntervalMs: 40 });
    feed.attach(sink);
    for (let i = 0; i < 100; i++) feed.append(batch(seg(`flood ${i}\r\n`)));
    frames.run();
    sink.parse();
    expect(sink.written).toHaveLength(1);
    for (let i = 0; i < 100; i++) feed.append(batch(seg(`more ${i}\r\n`)));
    // still flooded: the next write waits for the interval, not for the next frame
    frames.run();
    expect(sink.written).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 60));
    expect(frames.run()).toBe(1);
    expect(sink.written).toHaveLength(2);
    sink.parse();
    // no longer flooded: next frame
    feed.append(batch(seg('calm\r\n')));
    expect(frames.run()).toBe(1);
    expect(sink.text).toMatch(/more 99\r\ncalm\r\n$/);
  });

  it('ignores write callbacks of a view it has replaced', () => {
    const { frames, sink, feed, settle } = setup({ scrollback: 100 });
    feed.attach(sink);
    feed.append(batch(seg('first\r\n', 'linux/amd64')));
    frames.run();
    const stale = sink.pending.splice(0);
    feed.setFilter('linux/amd64');
    feed.append(batch(seg('second\r\n', 'linux/amd64')));
    stale.forEach((cb) => cb());
    settle();
    expect(sink.text).toBe('first\r\nsecond\r\n');
  });
});
