import { TERMINAL_SCROLLBACK, batchLines, type TerminalBatch } from '../../../shared/contract/builds';

/** A stretch of whole terminal lines. */
interface Segment {
  text: string;
  lines: number;
}

/** What the feed writes to: an xterm Terminal, or anything with the same two calls. */
export interface TerminalSink {
  /** `callback` runs once the terminal has processed `data` (xterm's flow-control hook). */
  write(data: string, callback?: () => void): void;
  /** Clears the screen and the scrollback. */
  reset(): void;
}

/**
 * What a ring keeps: text, or a batch seen through one platform (its lines and the shared ones),
 * turned into text only when that view is shown. Most batches are never shown per platform, so
 * the per-platform text is never built for them.
 */
interface Entry {
  lines: number;
  text?: string;
  batch?: TerminalBatch;
  /** Index in `batch.platforms`; -1: the platform has no lines of its own in this batch. */
  platformIndex?: number;
}

const EMPTY: Entry = { text: '', lines: 0 };

/** A platform's view of a batch: its own runs and the shared ones, in order. */
function platformText(batch: TerminalBatch, index: number): string {
  const parts: string[] = [];
  const { runs, text } = batch;
  let at = 0;
  for (let i = 0; i + 2 < runs.length; i += 3) {
    const run = runs[i]!;
    const length = runs[i + 1]!;
    if (run === -1 || run === index) parts.push(text.slice(at, at + length));
    at += length;
  }
  // join copies: the result does not keep the whole batch alive
  return parts.join('');
}

const textOf = (e: Entry): string => e.text ?? (e.batch ? platformText(e.batch, e.platformIndex ?? -1) : '');

/** The last lines of one view (everything, or one platform), bounded by line count. */
class Ring {
  private items: Entry[] = [];
  private head = 0;
  lines = 0;

  constructor(private readonly cap: number) {}

  push(entry: Entry): void {
    this.items.push(entry);
    this.lines += entry.lines;
    while (this.head < this.items.length - 1 && this.lines - this.items[this.head]!.lines >= this.cap) {
      this.lines -= this.items[this.head]!.lines;
      // Let go of the text now, not at the next compaction.
      this.items[this.head] = EMPTY;
      this.head++;
    }
    // Compact now and then instead of shifting on every push.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  text(): string {
    const parts: string[] = [];
    for (let i = this.head; i < this.items.length; i++) parts.push(textOf(this.items[i]!));
    return parts.join('');
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.lines = 0;
  }
}

export interface FeedStats {
  /** Lines handed to the feed. */
  linesIn: number;
  /** Lines written to the terminal. */
  linesWritten: number;
  /** Lines never written because the terminal fell more than a scrollback behind (they would have scrolled away). */
  linesSkipped: number;
}

const ALL = '\u0000all';

export interface FeedOptions {
  /** Lines kept per view, and the terminal's own scrollback. */
  scrollback?: number;
  /** Text handed to the terminal per frame: bounds the time it parses and draws per frame. */
  frameBytes?: number;
  /** Runs `fn` at the next frame (requestAnimationFrame in a page). */
  schedule?: (fn: () => void) => void;
  /**
   * While output comes faster than the terminal shows it (lines are being skipped), writes are
   * spaced this far apart: drawing 60 times a second what nobody can read costs the page more
   * than the whole rest of the log path. 0 disables it.
   */
  floodIntervalMs?: number;
}

const nextFrame = (fn: () => void): void => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => fn());
  else setTimeout(fn, 16);
};

function countLines(text: string, from = 0, to = text.length): number {
  let n = 0;
  let at = text.indexOf('\n', from);
  while (at >= 0 && at < to) {
    n++;
    at = text.indexOf('\n', at + 1);
  }
  return n;
}

/** Index just after the `n`-th newline of `text`. */
function afterLines(text: string, n: number): number {
  let at = -1;
  for (let i = 0; i < n; i++) {
    at = text.indexOf('\n', at + 1);
    if (at < 0) return text.length;
  }
  return at + 1;
}

/**
 * Feeds build output to a terminal without ever holding more than a scrollback of text per view:
 * the full log stays on disk. Keeps one bounded ring per platform (shared lines go to every
 * platform) so a tab can re-show one platform. Hands the terminal at most `frameBytes` per frame,
 * one write at a time, so parsing and drawing never take over the page; when output comes faster
 * than that, the lines that would scroll out of the scrollback before being seen are skipped (a
 * line says so), which leaves the terminal exactly as it would be had they been written.
 */
export class TerminalFeed {
  private readonly rings = new Map<string, Ring>();
  private sink: TerminalSink | undefined;
  private filter: string | undefined;
  private queue: Segment[] = [];
  private queuedLines = 0;
  private writing = false;
  private frameScheduled = false;
  private skippedSinceMarker = 0;
  /** Bumped on every reset, so callbacks of writes to the previous view are ignored. */
  private epoch = 0;
  readonly scrollback: number;
  private readonly frameBytes: number;
  private readonly schedule: (fn: () => void) => void;
  private readonly floodIntervalMs: number;
  /** Lines were skipped since the last write: output outruns the terminal. */
  private flooded = false;
  private lastWriteAt = 0;
  readonly stats: FeedStats = { linesIn: 0, linesWritten: 0, linesSkipped: 0 };
  /** Called after the feed's state changed (lines in, written, skipped), for the attached view. */
  private onChange: (() => void) | undefined;

  constructor(options: FeedOptions = {}) {
    this.scrollback = options.scrollback ?? TERMINAL_SCROLLBACK;
    this.frameBytes = options.frameBytes ?? 32 * 1024;
    this.schedule = options.schedule ?? nextFrame;
    this.floodIntervalMs = options.floodIntervalMs ?? 100;
    this.rings.set(ALL, new Ring(this.scrollback));
  }

  /** Lines waiting to be written to the terminal. */
  get pendingLines(): number {
    return this.queuedLines;
  }

  /** Nothing is waiting and no write is being parsed. */
  get idle(): boolean {
    return this.queue.length === 0 && !this.writing;
  }

  /** Platforms with a view of their own (in the build's order); others appear when first seen. */
  setPlatforms(platforms: readonly string[]): void {
    for (const p of platforms) if (!this.rings.has(p)) this.rings.set(p, new Ring(this.scrollback));
  }

  get platforms(): string[] {
    return [...this.rings.keys()].filter((k) => k !== ALL);
  }

  get currentFilter(): string | undefined {
    return this.filter;
  }

  attach(sink: TerminalSink, onChange?: () => void): void {
    this.sink = sink;
    this.onChange = onChange;
    this.redraw();
  }

  detach(sink: TerminalSink): void {
    if (this.sink !== sink) return;
    this.sink = undefined;
    this.onChange = undefined;
    this.epoch++;
    this.queue = [];
    this.queuedLines = 0;
    this.writing = false;
  }

  /** Forgets everything (a new build, or another one opened). */
  clear(): void {
    for (const [key, ring] of this.rings) {
      if (key === ALL) ring.clear();
      else this.rings.delete(key);
    }
    this.filter = undefined;
    this.stats.linesIn = 0;
    this.stats.linesWritten = 0;
    this.stats.linesSkipped = 0;
    this.redraw();
  }

  /** Shows one platform's lines (and the shared ones), or everything. */
  setFilter(platform: string | undefined): void {
    if (platform === this.filter) return;
    this.filter = platform;
    this.redraw();
  }

  /** The current view's text (ANSI included), e.g. for copying. */
  viewText(): string {
    return this.ringOf(this.filter)?.text() ?? '';
  }

  append(batch: TerminalBatch | undefined): void {
    if (!batch) return;
    const lines = batchLines(batch);
    this.stats.linesIn += lines;
    const whole = { text: batch.text, lines };
    this.rings.get(ALL)!.push(whole);
    if (this.sink && this.filter === undefined) this.enqueue(whole);
    // Lines per platform in this batch (numbers only: no text is touched here).
    const counts = new Array<number>(batch.platforms.length).fill(0);
    let shared = 0;
    const runs = batch.runs;
    for (let i = 0; i + 2 < runs.length; i += 3) {
      const index = runs[i]!;
      if (index < 0) shared += runs[i + 2]!;
      else counts[index] = counts[index]! + runs[i + 2]!;
    }
    for (const p of batch.platforms) if (!this.rings.has(p)) this.rings.set(p, new Ring(this.scrollback));
    for (const [key, ring] of this.rings) {
      if (key === ALL) continue;
      const index = batch.platforms.indexOf(key);
      const n = (index >= 0 ? counts[index]! : 0) + shared;
      if (n === 0) continue;
      ring.push({ lines: n, batch, platformIndex: index });
      if (this.sink && this.filter === key) this.enqueue({ text: platformText(batch, index), lines: n });
    }
    this.kick();
    this.onChange?.();
  }

  private ringOf(filter: string | undefined): Ring | undefined {
    return this.rings.get(filter ?? ALL);
  }

  private redraw(): void {
    this.epoch++;
    this.queue = [];
    this.queuedLines = 0;
    this.writing = false;
    this.skippedSinceMarker = 0;
    if (!this.sink) return;
    this.sink.reset();
    const ring = this.ringOf(this.filter);
    if (ring && ring.lines > 0) this.enqueue({ text: ring.text(), lines: ring.lines });
    this.kick();
    this.onChange?.();
  }

  private enqueue(seg: Segment): void {
    this.queue.push(seg);
    this.queuedLines += seg.lines;
    // More than a scrollback waiting: the oldest would scroll away unseen, so they are not written.
    let excess = this.queuedLines - this.scrollback;
    while (excess > 0 && this.queue.length > 0) {
      const first = this.queue[0]!;
      if (first.lines <= excess) {
        this.queue.shift();
        this.drop(first.lines);
        excess -= first.lines;
      } else {
        this.queue[0] = { text: first.text.slice(afterLines(first.text, excess)), lines: first.lines - excess };
        this.drop(excess);
        excess = 0;
      }
    }
  }

  private drop(lines: number): void {
    this.flooded = true;
    this.queuedLines -= lines;
    this.stats.linesSkipped += lines;
    this.skippedSinceMarker += lines;
  }

  private kick(): void {
    if (this.frameScheduled || this.writing || this.queue.length === 0 || !this.sink) return;
    this.frameScheduled = true;
    const epoch = this.epoch;
    const atFrame = () =>
      this.schedule(() => {
        if (epoch !== this.epoch) {
          this.frameScheduled = false;
          this.kick();
          return;
        }
        // Decided at the frame, when the skips of the lines that came meanwhile are known.
        const wait = this.flooded ? this.floodIntervalMs - (Date.now() - this.lastWriteAt) : 0;
        if (wait > 0) {
          setTimeout(atFrame, wait);
          return;
        }
        this.frameScheduled = false;
        this.writeFrame();
      });
    atFrame();
  }

  /** One write of at most `frameBytes`, cut at a line end; the next waits for it to be parsed. */
  private writeFrame(): void {
    const sink = this.sink;
    if (!sink || this.writing || this.queue.length === 0) return;
    let text = '';
    let lines = 0;
    if (this.skippedSinceMarker > 0) {
      text = `\x1b[2m… ${this.skippedSinceMarker} lines not shown here (output came faster than it can be drawn; the full log is kept on disk)\x1b[0m\r\n`;
      this.skippedSinceMarker = 0;
    }
    while (this.queue.length > 0 && text.length < this.frameBytes) {
      const seg = this.queue[0]!;
      const room = this.frameBytes - text.length;
      if (seg.text.length <= room) {
        this.queue.shift();
        text += seg.text;
        lines += seg.lines;
        continue;
      }
      const cut = seg.text.lastIndexOf('\n', room - 1) + 1;
      // A single line longer than the budget goes whole.
      const end = cut > 0 ? cut : afterLines(seg.text, 1);
      const n = countLines(seg.text, 0, end);
      text += seg.text.slice(0, end);
      lines += n;
      if (end >= seg.text.length) this.queue.shift();
      else this.queue[0] = { text: seg.text.slice(end), lines: seg.lines - n };
      break;
    }
    this.queuedLines -= lines;
    this.stats.linesWritten += lines;
    this.writing = true;
    this.flooded = false;
    this.lastWriteAt = Date.now();
    const epoch = this.epoch;
    sink.write(text, () => {
      if (epoch !== this.epoch) return;
      this.writing = false;
      this.kick();
      this.onChange?.();
    });
  }
}
