import type { TerminalSink } from './terminal-feed';

/** Runs `fn` before the next frame is drawn; returns what cancels it. */
export type FrameScheduler = (fn: () => void) => () => void;

/** The page's animation frames. */
export const animationFrames: FrameScheduler = (fn) => {
  const handle = requestAnimationFrame(() => fn());
  return () => cancelAnimationFrame(handle);
};

/**
 * Every second animation frame. xterm.js draws after each write, and in a flood laying out and
 * painting its rows was most of the page's work: at 30 writes a second (twice the characters
 * each) the log moves as smoothly and the page needs about half the drawing.
 */
export const everyOtherFrame: FrameScheduler = (fn) => {
  let handle = requestAnimationFrame(() => {
    handle = requestAnimationFrame(() => fn());
  });
  return () => cancelAnimationFrame(handle);
};

/**
 * Characters handed to the terminal per animation frame. xterm.js parses about 30 MB/s on the
 * development machine, so this is 2 ms of parsing, leaving the frame to draw (a flood hands the
 * terminal far more than anyone can read: the core keeps the tail while the terminal is behind).
 */
export const FRAME_BUDGET_CHARS = 64 * 1024;

/**
 * The longest piece of text handed to xterm.js in one write. xterm parses what it is given in a
 * timer task and yields to the page between writes once 12 ms have passed, but never inside one:
 * a 64 K-character write parsed by a still-cold parser held the page for 70 ms as a build's first
 * lines came in. Pieces this size keep each of its tasks short; the text is the same.
 */
export const PIECE_CHARS = 8 * 1024;

/**
 * Hands writes to the terminal once per animation frame, at most `budget` characters at a time (at
 * least one write, however long), so parsing a flood never crowds out drawing it. A write's callback still runs
 * once xterm has parsed it: that is what the build stream acknowledges, so text still waiting for
 * a frame counts as not taken and the core sends only the tail of a flood. Frames do not come
 * while the page is hidden; the view detaches the feed then (see TerminalView).
 */
export class FrameWriter implements TerminalSink {
  private queue: Array<{ data: string; callback?: () => void }> = [];
  private cancelFrame: (() => void) | undefined;

  constructor(
    private readonly terminal: TerminalSink,
    private readonly nextFrame: FrameScheduler,
    private readonly budget = FRAME_BUDGET_CHARS,
    private readonly pieceChars = PIECE_CHARS,
  ) {}

  write(data: string, callback?: () => void): void {
    this.queue.push(callback ? { data, callback } : { data });
    this.cancelFrame ??= this.nextFrame(this.flush);
  }

  /** Forgets what waits for a frame, then clears the terminal. */
  reset(): void {
    this.drop();
    this.terminal.reset();
  }

  /** Forgets what waits for a frame; its callbacks run, so nobody waits for text that will not be parsed. */
  drop(): void {
    this.cancelFrame?.();
    this.cancelFrame = undefined;
    const dropped = this.queue;
    this.queue = [];
    for (const w of dropped) w.callback?.();
  }

  private readonly flush = (): void => {
    this.cancelFrame = undefined;
    let chars = 0;
    while (this.queue.length > 0) {
      const w = this.queue[0]!;
      if (chars > 0 && chars + w.data.length > this.budget) break;
      this.queue.shift();
      chars += w.data.length;
      this.hand(w.data, w.callback);
    }
    if (this.queue.length > 0) this.cancelFrame = this.nextFrame(this.flush);
  };

  /** One write as pieces of at most `pieceChars`; the callback goes with the last (xterm parses in order). */
  private hand(data: string, callback: (() => void) | undefined): void {
    const piece = this.pieceChars;
    let at = 0;
    for (; data.length - at > piece; at += piece) this.terminal.write(data.slice(at, at + piece));
    this.terminal.write(at === 0 ? data : data.slice(at), callback);
  }
}
