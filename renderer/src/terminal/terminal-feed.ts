import type { TerminalSegment } from '../../../shared/contract/builds';

/** What the feed writes to: an xterm Terminal, or anything with the same two calls. */
export interface TerminalSink {
  /** `callback` runs once the terminal has processed `data` (xterm's flow-control hook). */
  write(data: string, callback?: () => void): void;
  /** Clears the screen and the scrollback. */
  reset(): void;
}

/** The last lines of one view (everything, or one platform), bounded by line count. */
class Ring {
  private items: TerminalSegment[] = [];
  private head = 0;
  lines = 0;

  constructor(private readonly cap: number) {}

  push(seg: TerminalSegment): void {
    this.items.push(seg);
    this.lines += seg.lines;
    while (this.head < this.items.length - 1 && this.lines - this.items[this.head]!.lines >= this.cap) {
      this.lines -= this.items[this.head]!.lines;
      this.head++;
    }
    // Compact now and then instead of shifting on every push.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  text(): string {
    let out = '';
    for (let i = this.head; i < this.items.length; i++) out += this.items[i]!.text;
    return out;
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

/**
 * Feeds build output to a terminal without ever holding more than a scrollback of text per view:
 * the full log stays on disk. Keeps one bounded ring per platform (shared lines go to every
 * platform) so a tab can re-show one platform; writes through xterm's callbacks so the terminal
 * is never handed more than it can parse (when it falls behind, lines that would scroll out
 * before being seen are skipped, and a line says so).
 */
export class TerminalFeed {
  private readonly rings = new Map<string, Ring>();
  private sink: TerminalSink | undefined;
  private filter: string | undefined;
  private queue: TerminalSegment[] = [];
  private queuedLines = 0;
  private inFlightBytes = 0;
  private skippedSinceMarker = 0;
  /** Bumped on every reset, so callbacks of writes to the previous view are ignored. */
  private epoch = 0;
  readonly stats: FeedStats = { linesIn: 0, linesWritten: 0, linesSkipped: 0 };

  constructor(
    readonly scrollback = 5000,
    private readonly maxInFlightBytes = 512 * 1024,
  ) {
    this.rings.set(ALL, new Ring(scrollback));
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

  attach(sink: TerminalSink): void {
    this.sink = sink;
    this.redraw();
  }

  detach(sink: TerminalSink): void {
    if (this.sink !== sink) return;
    this.sink = undefined;
    this.epoch++;
    this.queue = [];
    this.queuedLines = 0;
    this.inFlightBytes = 0;
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

  append(segments: readonly TerminalSegment[]): void {
    for (const seg of segments) {
      this.stats.linesIn += seg.lines;
      this.rings.get(ALL)!.push(seg);
      if (seg.platform === undefined) {
        for (const [key, ring] of this.rings) if (key !== ALL) ring.push(seg);
      } else {
        let ring = this.rings.get(seg.platform);
        if (!ring) {
          ring = new Ring(this.scrollback);
          this.rings.set(seg.platform, ring);
        }
        ring.push(seg);
      }
      if (this.sink && (this.filter === undefined || seg.platform === undefined || seg.platform === this.filter)) this.enqueue(seg);
    }
    this.pump();
  }

  private ringOf(filter: string | undefined): Ring | undefined {
    return this.rings.get(filter ?? ALL);
  }

  private redraw(): void {
    this.epoch++;
    this.queue = [];
    this.queuedLines = 0;
    this.inFlightBytes = 0;
    this.skippedSinceMarker = 0;
    if (!this.sink) return;
    this.sink.reset();
    const ring = this.ringOf(this.filter);
    if (ring && ring.lines > 0) this.enqueue({ text: ring.text(), lines: ring.lines });
    this.pump();
  }

  private enqueue(seg: TerminalSegment): void {
    this.queue.push(seg);
    this.queuedLines += seg.lines;
    // More than a scrollback waiting: the oldest would scroll away unseen, so they are not written.
    while (this.queue.length > 1 && this.queuedLines - this.queue[0]!.lines >= this.scrollback) {
      const dropped = this.queue.shift()!;
      this.queuedLines -= dropped.lines;
      this.stats.linesSkipped += dropped.lines;
      this.skippedSinceMarker += dropped.lines;
    }
  }

  private pump(): void {
    const sink = this.sink;
    if (!sink) return;
    while (this.queue.length > 0 && this.inFlightBytes < this.maxInFlightBytes) {
      let text = '';
      let lines = 0;
      if (this.skippedSinceMarker > 0) {
        text = `\x1b[2m… ${this.skippedSinceMarker} lines not shown here (the terminal fell behind; the full log is kept on disk)\x1b[0m\r\n`;
        this.skippedSinceMarker = 0;
      }
      // One write per batch: far cheaper for xterm than one per segment.
      while (this.queue.length > 0 && text.length < 256 * 1024) {
        const seg = this.queue.shift()!;
        text += seg.text;
        lines += seg.lines;
      }
      this.queuedLines -= lines;
      const size = text.length;
      const epoch = this.epoch;
      this.inFlightBytes += size;
      this.stats.linesWritten += lines;
      sink.write(text, () => {
        if (epoch !== this.epoch) return;
        this.inFlightBytes -= size;
        this.pump();
      });
    }
  }
}
