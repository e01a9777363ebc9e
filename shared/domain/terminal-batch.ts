import { z } from 'zod';

/**
 * Terminal text of one batch, with the platform of each stretch: one string and a flat list of
 * runs (far cheaper on the wire than an object per line when platforms interleave line by line).
 */
export const terminalBatch = z.object({
  /** Whole lines with ANSI colours, each ending in CRLF. */
  text: z.string(),
  /** The platforms `runs` refers to. */
  platforms: z.array(z.string()),
  /** Triples [platform index, or -1 for shared steps and buildx's own lines; characters; lines], in order, covering `text`. */
  runs: z.array(z.number().int()),
});

export type TerminalBatch = z.infer<typeof terminalBatch>;

/** Lines the terminal keeps per view (everything, or one platform); the rest of the log is on disk. */
export const TERMINAL_SCROLLBACK = 5000;

/** Calls `fn` for each stretch of a batch's text, with its platform (undefined: shared lines). */
export function forEachRun(batch: TerminalBatch, fn: (text: string, platform: string | undefined, lines: number) => void): void {
  const { runs, text, platforms } = batch;
  let at = 0;
  for (let i = 0; i + 2 < runs.length; i += 3) {
    const index = runs[i]!;
    const length = runs[i + 1]!;
    fn(text.slice(at, at + length), index < 0 ? undefined : platforms[index], runs[i + 2]!);
    at += length;
  }
}

export function batchLines(batch: TerminalBatch): number {
  let n = 0;
  for (let i = 2; i < batch.runs.length; i += 3) n += batch.runs[i]!;
  return n;
}

/**
 * Terminal text as it is formatted, joined into one batch when taken: a string and a run per
 * stretch, no object per line (a build's log path adds three terminal lines per log line).
 */
export class TerminalBatchAccumulator {
  private parts: string[] = [];
  private runs: number[] = [];
  private readonly platforms: string[] = [];
  private readonly index = new Map<string, number>();
  /** Characters held. */
  size = 0;

  add(text: string, platform: string | undefined, lines: number): void {
    if (text.length === 0) return;
    let view = -1;
    if (platform !== undefined) {
      view = this.index.get(platform) ?? this.platforms.length;
      if (view === this.platforms.length) {
        this.platforms.push(platform);
        this.index.set(platform, view);
      }
    }
    this.parts.push(text);
    this.size += text.length;
    appendRun(this.runs, view, text.length, lines);
  }

  /** Everything held, as one batch; undefined when nothing is. */
  take(): TerminalBatch | undefined {
    if (this.parts.length === 0) return undefined;
    const batch = { text: this.parts.length === 1 ? this.parts[0]! : this.parts.join(''), platforms: [...this.platforms], runs: this.runs };
    this.parts = [];
    this.runs = [];
    this.size = 0;
    return batch;
  }
}

/**
 * A stretch of whole lines: of one view (a platform index, or -1 for lines every view shows), or a
 * whole batch appended as it came (`runs` in this builder's indexes), kept whole so that a batch
 * passed through unchanged is never cut up and joined again.
 */
interface Piece {
  text: string;
  lines: number;
  view: number;
  runs?: number[];
  /** A batch's own lines per platform index. */
  own?: number[];
  /** Lines every view shows. */
  shared: number;
}

export interface BuilderOptions {
  /**
   * Lines kept per view (everything, and each platform with the shared lines): older pieces that
   * no view can show any more are dropped and counted in `dropped`. Unbounded when left out.
   */
  keep?: number;
  /** Platforms whose views count even before they have lines of their own. */
  views?: readonly string[];
}

/**
 * Accumulates terminal text as pieces and joins them only when taken, so text a terminal could no
 * longer show is dropped before anyone concatenates, sends or parses it: the one place where a
 * flood is thinned ("show the tail when behind"). Without `keep` it is a plain batch builder.
 */
export class TerminalBatchBuilder {
  private pieces: Piece[] = [];
  private head = 0;
  private readonly platforms: string[] = [];
  private readonly index = new Map<string, number>();
  /** Lines of each platform's own pieces, and of the shared ones. */
  private own: number[] = [];
  private shared = 0;
  private readonly keep: number;
  /** Trimming scans the pieces: it waits until this many lines are held, so its cost is spread. */
  private trimAt: number;
  lines = 0;
  /** Characters held. */
  size = 0;
  /** Lines dropped since this was last reset by the caller. */
  dropped = 0;

  constructor(options: BuilderOptions = {}) {
    this.keep = options.keep ?? Infinity;
    this.trimAt = 2 * this.keep;
    for (const v of options.views ?? []) this.indexOf(v);
  }

  add(text: string, platform: string | undefined, lines: number): void {
    if (text.length === 0) return;
    const view = platform === undefined ? -1 : this.indexOf(platform);
    this.push({ text, lines, view, shared: view < 0 ? lines : 0 });
  }

  /** Appends a batch whole (its runs re-indexed; its text is not copied). */
  addBatch(batch: TerminalBatch): void {
    if (batch.text.length === 0) return;
    const remap = batch.platforms.map((p) => this.indexOf(p));
    const same = remap.every((to, from) => to === from);
    this.push(batchPiece(batch.text, same ? batch.runs : batch.runs.map((n, i) => (i % 3 === 0 && n >= 0 ? remap[n]! : n))));
  }

  /**
   * The oldest pieces, up to about `maxChars` (at least one piece), as one batch; `lead` goes
   * first as a shared line. Undefined when nothing is held and there is no lead.
   */
  take(maxChars = Infinity, lead?: string): TerminalBatch | undefined {
    if (this.head === this.pieces.length && lead === undefined) return undefined;
    const parts: string[] = [];
    const runs: number[] = [];
    let chars = 0;
    const addRun = (text: string, view: number, lines: number) => {
      parts.push(text);
      chars += text.length;
      appendRun(runs, view, text.length, lines);
    };
    if (lead !== undefined) addRun(lead, -1, 1);
    while (this.head < this.pieces.length) {
      const piece = this.pieces[this.head]!;
      if (parts.length > 0 && chars + piece.text.length > maxChars) break;
      if (piece.runs) {
        // A batch bigger than a chunk goes in chunk-sized parts, cut at line ends.
        if (parts.length === 0 && piece.text.length > maxChars) {
          const [first, rest] = splitBatch(piece, maxChars);
          if (rest) {
            this.account(piece, -1);
            this.account(rest, 1);
            this.pieces[this.head] = rest;
            return { text: first.text, platforms: [...this.platforms], runs: first.runs! };
          }
        }
        // A batch taken alone goes out as it came.
        if (parts.length === 0 && (this.head + 1 === this.pieces.length || chars + piece.text.length + this.pieces[this.head + 1]!.text.length > maxChars)) {
          this.forget(piece);
          this.head++;
          this.compact();
          return { text: piece.text, platforms: [...this.platforms], runs: piece.runs };
        }
        parts.push(piece.text);
        chars += piece.text.length;
        for (let i = 0; i + 2 < piece.runs.length; i += 3) appendRun(runs, piece.runs[i]!, piece.runs[i + 1]!, piece.runs[i + 2]!);
      } else {
        addRun(piece.text, piece.view, piece.lines);
      }
      this.forget(piece);
      this.head++;
    }
    this.compact();
    return { text: parts.length === 1 ? parts[0]! : parts.join(''), platforms: [...this.platforms], runs };
  }

  private indexOf(platform: string): number {
    let index = this.index.get(platform);
    if (index === undefined) {
      index = this.platforms.length;
      this.platforms.push(platform);
      this.index.set(platform, index);
      this.own.push(0);
    }
    return index;
  }

  private push(piece: Piece): void {
    this.pieces.push(piece);
    this.account(piece, 1);
    if (this.lines >= this.trimAt) this.trim();
  }

  private forget(piece: Piece): void {
    this.account(piece, -1);
  }

  /** Adds (1) or removes (-1) a piece's lines, characters and per-view counts. */
  private account(piece: Piece, sign: 1 | -1): void {
    this.lines += sign * piece.lines;
    this.size += sign * piece.text.length;
    this.shared += sign * piece.shared;
    if (piece.own) for (let v = 0; v < piece.own.length; v++) this.own[v] = this.own[v]! + sign * piece.own[v]!;
    else if (piece.view >= 0) this.own[piece.view] = this.own[piece.view]! + sign * piece.lines;
  }

  /**
   * Drops every piece outside the last `keep` lines of all the views it shows in: everything, and
   * its platform (a shared piece: every platform). Scans from the oldest; stops where the
   * everything-view needs all that follows.
   */
  private trim(): void {
    const keep = this.keep;
    let all = this.lines;
    const own = [...this.own];
    let shared = this.shared;
    const kept: Piece[] = [];
    let i = this.head;
    for (; i < this.pieces.length && all > keep; i++) {
      const piece = this.pieces[i]!;
      // Needed if some of its lines are among the last `keep` of a view it shows in.
      let needed = all - piece.lines < keep;
      for (let v = 0; v < own.length && !needed; v++) {
        const mine = piece.shared + (piece.own ? (piece.own[v] ?? 0) : piece.view === v ? piece.lines : 0);
        needed = mine > 0 && own[v]! + shared - mine < keep;
      }
      all -= piece.lines;
      shared -= piece.shared;
      if (piece.own) for (let v = 0; v < piece.own.length; v++) own[v] = own[v]! - piece.own[v]!;
      else if (piece.view >= 0) own[piece.view] = own[piece.view]! - piece.lines;
      if (needed) kept.push(piece);
      else {
        this.forget(piece);
        this.dropped += piece.lines;
      }
    }
    if (i > this.head) {
      this.pieces = kept.concat(this.pieces.slice(i));
      this.head = 0;
    }
    // What the views need stays; trim again only once another `keep` lines came.
    this.trimAt = this.lines + keep;
  }

  private compact(): void {
    if (this.head === this.pieces.length) {
      this.pieces = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.pieces.length) {
      this.pieces = this.pieces.slice(this.head);
      this.head = 0;
    }
  }
}

/** Adds a run to a flat run list, merged into the last one when it is of the same view. */
function appendRun(runs: number[], view: number, length: number, lines: number): void {
  const n = runs.length;
  if (n >= 3 && runs[n - 3] === view) {
    runs[n - 2] = runs[n - 2]! + length;
    runs[n - 1] = runs[n - 1]! + lines;
  } else {
    runs.push(view, length, lines);
  }
}

/**
 * A batch piece cut in two at a line end: at most `maxChars` first (one line at least, however
 * long), the rest after; `rest` is undefined when it all fits.
 */
function splitBatch(piece: Piece, maxChars: number): [Piece, Piece | undefined] {
  const runs = piece.runs!;
  const head: number[] = [];
  let at = 0;
  for (let i = 0; i + 2 < runs.length; i += 3) {
    const [view, length, lines] = [runs[i]!, runs[i + 1]!, runs[i + 2]!];
    let cut = length;
    if (at + length > maxChars) {
      const text = piece.text.slice(at, at + length);
      cut = text.lastIndexOf('\n', maxChars - at - 1) + 1;
      if (cut === 0 && at === 0) cut = text.indexOf('\n') + 1 || length;
    }
    if (cut === 0) return [batchPiece(piece.text.slice(0, at), head), batchPiece(piece.text.slice(at), runs.slice(i))];
    const n = cut === length ? lines : countNewlines(piece.text.slice(at, at + cut));
    head.push(view, cut, n);
    at += cut;
    if (cut < length) return [batchPiece(piece.text.slice(0, at), head), batchPiece(piece.text.slice(at), [view, length - cut, lines - n, ...runs.slice(i + 3)])];
  }
  return [piece, undefined];
}

/** A batch piece of `text` and its runs (in builder indexes), with its per-view counts. */
function batchPiece(text: string, runs: number[]): Piece {
  const own: number[] = [];
  let shared = 0;
  let lines = 0;
  for (let i = 0; i + 2 < runs.length; i += 3) {
    const view = runs[i]!;
    const n = runs[i + 2]!;
    lines += n;
    if (view < 0) shared += n;
    else own[view] = (own[view] ?? 0) + n;
  }
  for (let v = 0; v < own.length; v++) own[v] ??= 0;
  return { text, lines, view: -2, runs, own, shared };
}

function countNewlines(text: string): number {
  let n = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) n++;
  return n;
}
