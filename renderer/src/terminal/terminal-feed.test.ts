import { describe, expect, it } from 'vitest';
import { TerminalFeed, type TerminalSink } from './terminal-feed';

/** A sink that records writes and lets the test decide when the terminal has "processed" them. */
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
  flushAll() {
    while (this.pending.length) this.pending.shift()!();
  }
  get text() {
    return this.written.join('');
  }
}

const seg = (text: string, platform?: string) => ({ text, lines: text.split('\n').length - 1, ...(platform ? { platform } : {}) });

describe('TerminalFeed', () => {
  it('writes everything, or one platform plus shared lines, and re-shows a view from its ring', () => {
    const feed = new TerminalFeed(100);
    const sink = new SlowSink();
    feed.setPlatforms(['linux/amd64', 'linux/arm64']);
    feed.attach(sink);
    feed.append([seg('shared 1\r\n'), seg('amd 1\r\n', 'linux/amd64'), seg('arm 1\r\n', 'linux/arm64'), seg('amd 2\r\n', 'linux/amd64')]);
    sink.flushAll();
    expect(sink.text).toBe('shared 1\r\namd 1\r\narm 1\r\namd 2\r\n');

    feed.setFilter('linux/arm64');
    expect(sink.resets).toBe(2);
    expect(sink.text).toBe('shared 1\r\narm 1\r\n');
    feed.append([seg('amd 3\r\n', 'linux/amd64'), seg('ERROR: boom\r\n'), seg('arm 2\r\n', 'linux/arm64')]);
    sink.flushAll();
    expect(sink.text).toBe('shared 1\r\narm 1\r\nERROR: boom\r\narm 2\r\n');

    feed.setFilter(undefined);
    expect(sink.text).toBe('shared 1\r\namd 1\r\narm 1\r\namd 2\r\namd 3\r\nERROR: boom\r\narm 2\r\n');
    expect(feed.platforms).toEqual(['linux/amd64', 'linux/arm64']);
  });

  it('keeps at most a scrollback of lines per view', () => {
    const feed = new TerminalFeed(10);
    for (let i = 0; i < 1000; i++) feed.append([seg(`line ${i}\r\n`, 'linux/amd64')]);
    const lines = feed.viewText().split('\r\n').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(10);
    expect(lines.length).toBeLessThanOrEqual(11);
    expect(lines[lines.length - 1]).toBe('line 999');
    feed.setFilter('linux/amd64');
    expect(feed.viewText().split('\r\n').filter(Boolean).pop()).toBe('line 999');
  });

  it('never hands a slow terminal more than its window, and skips what would scroll away unseen', () => {
    const feed = new TerminalFeed(50, 1024);
    const sink = new SlowSink();
    feed.attach(sink);
    for (let i = 0; i < 5000; i++) feed.append([seg(`line ${String(i).padStart(5, '0')} ${'x'.repeat(40)}\r\n`)]);
    // Nothing was acknowledged: only about one window went out.
    expect(sink.text.length).toBeLessThan(1024 + 256 * 1024);
    expect(feed.stats.linesSkipped).toBeGreaterThan(4000);
    sink.flushAll();
    while (sink.pending.length) sink.flushAll();
    const shown = sink.text;
    expect(shown).toContain('lines not shown here');
    // the tail is complete and in order
    const tail = shown.split('\r\n').filter((l) => l.startsWith('line ')).slice(-50);
    expect(tail.map((l) => Number(l.slice(5, 10)))).toEqual(Array.from({ length: 50 }, (_, i) => 4950 + i));
    expect(feed.stats.linesIn).toBe(5000);
    expect(feed.stats.linesWritten + feed.stats.linesSkipped).toBe(5000);
  });

  it('ignores write callbacks of a view it has replaced', () => {
    const feed = new TerminalFeed(100, 16);
    const sink = new SlowSink();
    feed.attach(sink);
    feed.append([seg('a very long first line that fills the window\r\n', 'linux/amd64')]);
    const stale = sink.pending.splice(0);
    feed.setFilter('linux/amd64');
    feed.append([seg('second\r\n', 'linux/amd64')]);
    stale.forEach((cb) => cb());
    sink.flushAll();
    expect(sink.text).toBe('a very long first line that fills the window\r\nsecond\r\n');
  });
});
