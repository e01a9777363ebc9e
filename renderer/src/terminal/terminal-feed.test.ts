// @vitest-environment jsdom
import { Terminal } from '@xterm/xterm';
import { describe, expect, it } from 'vitest';
import { TerminalBatchBuilder } from '../../../shared/domain/terminal-batch';
import { TerminalFeed, type TerminalSink } from './terminal-feed';

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

/** One batch of whole lines, each stretch tagged with its platform (as the core sends them). */
const batch = (...parts: Array<[string, string?]>) => {
  const b = new TerminalBatchBuilder();
  for (const [text, platform] of parts) b.add(text, platform, text.split('\n').length - 1);
  return b.take();
};
const seg = (text: string, platform?: string): [string, string?] => [text, platform];

/** Whether a promise has settled, without waiting on any clock. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return done;
}

describe('TerminalFeed', () => {
  it('writes everything, or one platform plus shared lines, as it comes, and re-shows a view from its ring', () => {
    const sink = new SlowSink();
    const feed = new TerminalFeed({ scrollback: 100 });
    feed.setPlatforms(['linux/amd64', 'linux/arm64']);
    feed.attach(sink);
    void feed.append(batch(seg('shared 1\r\n'), seg('amd 1\r\n', 'linux/amd64'), seg('arm 1\r\n', 'linux/arm64'), seg('amd 2\r\n', 'linux/amd64')));
    expect(sink.text).toBe('shared 1\r\namd 1\r\narm 1\r\namd 2\r\n');

    feed.setFilter('linux/arm64');
    expect(sink.resets).toBe(2);
    expect(sink.text).toBe('shared 1\r\narm 1\r\n');
    void feed.append(batch(seg('amd 3\r\n', 'linux/amd64'), seg('ERROR: boom\r\n'), seg('arm 2\r\n', 'linux/arm64')));
    expect(sink.text).toBe('shared 1\r\narm 1\r\nERROR: boom\r\narm 2\r\n');

    feed.setFilter(undefined);
    expect(sink.text).toBe('shared 1\r\namd 1\r\narm 1\r\namd 2\r\namd 3\r\nERROR: boom\r\narm 2\r\n');
    expect(feed.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    expect(feed.idle).toBe(false);
    sink.parse();
    expect(feed.idle).toBe(true);
  });

  it('thins nothing: every line handed in is written, in order', () => {
    const sink = new SlowSink();
    const feed = new TerminalFeed({ scrollback: 50 });
    feed.attach(sink);
    for (let i = 0; i < 5000; i++) void feed.append(batch(seg(`line ${i}\r\n`)));
    expect(sink.written).toHaveLength(5000);
    expect(sink.text.split('\r\n').filter(Boolean)).toEqual(Array.from({ length: 5000 }, (_, i) => `line ${i}`));
    expect(sink.text).not.toContain('not shown');
    expect(feed.stats).toEqual({ linesIn: 5000, linesWritten: 5000 });
    expect(feed.pendingLines).toBe(5000);
  });

  it('settles a chunk only once the terminal has parsed it, at once when the view shows none of it', async () => {
    const sink = new SlowSink();
    const feed = new TerminalFeed();
    feed.attach(sink);
    feed.setFilter('linux/arm64');
    const shown = feed.append(batch(seg('arm\r\n', 'linux/arm64')));
    const hidden = feed.append(batch(seg('amd\r\n', 'linux/amd64')));
    expect(await settled(hidden)).toBe(true);
    expect(await settled(shown)).toBe(false);
    sink.parse();
    expect(await settled(shown)).toBe(true);
    // Nothing attached (another page is shown): the rings take it and the stream goes on.
    feed.detach(sink);
    expect(await settled(feed.append(batch(seg('more\r\n', 'linux/arm64'))))).toBe(true);
  });

  it('a terminal going away settles what it had not parsed, so the stream never waits for it', async () => {
    const sink = new SlowSink();
    const feed = new TerminalFeed();
    feed.attach(sink);
    const waiting = feed.append(batch(seg('x\r\n')));
    feed.detach(sink);
    expect(await settled(waiting)).toBe(true);
    expect(feed.idle).toBe(true);
    sink.parse(); // a late callback changes nothing
    expect(feed.pendingLines).toBe(0);
  });

  it('keeps at most a scrollback of lines per view', () => {
    const feed = new TerminalFeed({ scrollback: 10 });
    for (let i = 0; i < 1000; i++) void feed.append(batch(seg(`line ${i}\r\n`, 'linux/amd64')));
    const lines = feed.viewText().split('\r\n').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(10);
    expect(lines.length).toBeLessThanOrEqual(11);
    expect(lines[lines.length - 1]).toBe('line 999');
    feed.setFilter('linux/amd64');
    expect(feed.viewText().split('\r\n').filter(Boolean).pop()).toBe('line 999');
  });

  it('with a real xterm.js terminal: a chunk settles after xterm parsed it, and the buffer holds its lines', async () => {
    const terminal = new Terminal({ cols: 80, rows: 10, scrollback: 100, allowProposedApi: true });
    const feed = new TerminalFeed({ scrollback: 100 });
    feed.attach({ write: (d, cb) => terminal.write(d, cb), reset: () => terminal.reset() });
    const lines = Array.from({ length: 30 }, (_, i) => `\x1b[36mline ${i}\x1b[0m\r\n`);
    await feed.append(batch(seg(lines.join(''), 'linux/amd64')));
    const buffer = terminal.buffer.active;
    const shown = Array.from({ length: buffer.length }, (_, i) => buffer.getLine(i)?.translateToString(true) ?? '').filter(Boolean);
    expect(shown.at(-1)).toBe('line 29');
    expect(shown).toHaveLength(30);
    expect(feed.idle).toBe(true);
    terminal.dispose();
  });
});
