import { TERMINAL_SCROLLBACK, batchLines, type TerminalBatch } from '../../../shared/domain/terminal-batch';

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
  /** Lines written to the terminal (of the view shown). */
  linesWritten: number;
}

const ALL = '\u0000all';

export interface FeedOptions {
  /** Lines kept per view, and the terminal's own scrollback. */
  scrollback?: number;
}

/**
 * Writes build output to a terminal as it comes, and keeps one bounded ring per view (everything,
 * and each platform with the shared lines) so a view can be shown again; the full log stays on
 * disk. It thins nothing: `append` resolves once the terminal has parsed what was written for
 * it, which is what the stream acknowledges, so the core sends only as fast as the terminal
 * takes it (and keeps only the tail when the terminal falls behind).
 */
export class TerminalFeed {
  private readonly rings = new Map<string, Ring>();
  private sink: TerminalSink | undefined;
  private filter: string | undefined;
  /** Writes handed to the terminal and not parsed yet: each settles its chunk when done. */
  private readonly writing = new Set<() => void>();
  private linesPending = 0;
  readonly scrollback: number;
  readonly stats: FeedStats = { linesIn: 0, linesWritten: 0 };
  /** Called after the feed's state changed (lines in, written), for the attached view. */
  private onChange: (() => void) | undefined;

  constructor(options: FeedOptions = {}) {
    this.scrollback = options.scrollback ?? TERMINAL_SCROLLBACK;
    this.rings.set(ALL, new Ring(this.scrollback));
  }

  /** Lines written to the terminal and not parsed yet. */
  get pendingLines(): number {
    return this.linesPending;
  }

  /** Every write has been parsed. */
  get idle(): boolean {
    return this.writing.size === 0;
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
    this.settleWrites();
    this.sink = sink;
    this.onChange = onChange;
    this.redraw();
  }

  /** The terminal is going: what it had not parsed counts as consumed, so the stream never waits for it. */
  detach(sink: TerminalSink): void {
    if (this.sink !== sink) return;
    this.sink = undefined;
    this.onChange = undefined;
    this.settleWrites();
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

  /** Takes a batch in; resolves once the terminal has parsed what of it the shown view writes (at once when none). */
  append(batch: TerminalBatch | undefined): Promise<void> {
    if (!batch) return Promise.resolve();
    const lines = batchLines(batch);
    this.stats.linesIn += lines;
    const whole = { text: batch.text, lines };
    this.rings.get(ALL)!.push(whole);
    let shown: { text: string; lines: number } | undefined = this.filter === undefined ? whole : undefined;
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
      if (this.filter === key) shown = { text: platformText(batch, index), lines: n };
    }
    const done = shown ? this.write(shown.text, shown.lines) : Promise.resolve();
    this.onChange?.();
    return done;
  }

  private ringOf(filter: string | undefined): Ring | undefined {
    return this.rings.get(filter ?? ALL);
  }

  private redraw(): void {
    if (!this.sink) return;
    this.sink.reset();
    const ring = this.ringOf(this.filter);
    if (ring && ring.lines > 0) void this.write(ring.text(), ring.lines);
    this.onChange?.();
  }

  private write(text: string, lines: number): Promise<void> {
    const sink = this.sink;
    if (!sink) return Promise.resolve();
    this.stats.linesWritten += lines;
    this.linesPending += lines;
    return new Promise<void>((resolve) => {
      const done = () => {
        if (!this.writing.delete(done)) return;
        this.linesPending -= lines;
        resolve();
        this.onChange?.();
      };
      this.writing.add(done);
      sink.write(text, done);
    });
  }

  private settleWrites(): void {
    for (const done of [...this.writing]) done();
    this.linesPending = 0;
  }
}
