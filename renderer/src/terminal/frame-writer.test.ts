import { afterEach, describe, expect, it, vi } from 'vitest';
import { everyOtherFrame, FrameWriter, type FrameScheduler } from './frame-writer';
import type { TerminalSink } from './terminal-feed';

/** Frames on demand: `frame()` runs what asked for the next one. */
function manualFrames() {
  let waiting: Array<() => void> = [];
  const schedule: FrameScheduler = (fn) => {
    waiting.push(fn);
    return () => {
      waiting = waiting.filter((f) => f !== fn);
    };
  };
  return {
    schedule,
    get requested() {
      return waiting.length;
    },
    frame() {
      const run = waiting;
      waiting = [];
      for (const fn of run) fn();
    },
  };
}

/** A terminal that records what it was given and parses when told. */
class RecordingTerminal implements TerminalSink {
  writes: string[] = [];
  resets = 0;
  private unparsed: Array<() => void> = [];
  write(data: string, callback?: () => void) {
    this.writes.push(data);
    if (callback) this.unparsed.push(callback);
  }
  reset() {
    this.resets++;
  }
  parse() {
    this.unparsed.splice(0).forEach((cb) => cb());
  }
}

/** A writer with the given budget between manual frames and a recording terminal. */
function setup(budget: number, pieceChars?: number) {
  const frames = manualFrames();
  const terminal = new RecordingTerminal();
  return { frames, terminal, writer: new FrameWriter(terminal, frames.schedule, budget, pieceChars) };
}

describe('FrameWriter', () => {
  it('hands nothing to the terminal until a frame comes, then everything within the budget, in order', () => {
    const { frames, terminal, writer } = setup(7);
    writer.write('abc');
    writer.write('def');
    writer.write('gh');
    expect(terminal.writes).toEqual([]);
    expect(frames.requested).toBe(1);
    frames.frame();
    expect(terminal.writes).toEqual(['abc', 'def']);
    expect(frames.requested).toBe(1);
    frames.frame();
    expect(terminal.writes).toEqual(['abc', 'def', 'gh']);
    expect(frames.requested).toBe(0);
  });

  it('writes one write per frame when it alone is over the budget', () => {
    const { frames, terminal, writer } = setup(4);
    writer.write('0123456789');
    writer.write('x');
    frames.frame();
    expect(terminal.writes).toEqual(['0123456789']);
    frames.frame();
    expect(terminal.writes).toEqual(['0123456789', 'x']);
  });

  it('hands a long write as pieces in order, calling back once the last piece is parsed', () => {
    const { frames, terminal, writer } = setup(100, 4);
    const done: string[] = [];
    writer.write('0123456789', () => done.push('long'));
    writer.write('abcd', () => done.push('exact'));
    frames.frame();
    expect(terminal.writes).toEqual(['0123', '4567', '89', 'abcd']);
    terminal.parse();
    expect(done).toEqual(['long', 'exact']);
  });

  it('keeps the budget per frame in characters of whole writes, however they are cut', () => {
    const { frames, terminal, writer } = setup(10, 3);
    writer.write('0123456'); // 7 characters: pieces of 3, 3, 1
    writer.write('abcdef'); // over what the frame has left: next frame
    frames.frame();
    expect(terminal.writes).toEqual(['012', '345', '6']);
    frames.frame();
    expect(terminal.writes.slice(3)).toEqual(['abc', 'def']);
  });

  it('calls back once the terminal has parsed, not when the write was queued or handed over', () => {
    const { frames, terminal, writer } = setup(100);
    const done: string[] = [];
    writer.write('a', () => done.push('a'));
    writer.write('b');
    writer.write('c', () => done.push('c'));
    frames.frame();
    expect(done).toEqual([]);
    terminal.parse();
    expect(done).toEqual(['a', 'c']);
  });

  it('drop forgets what waits for a frame and calls its callbacks, so the stream never waits for it', () => {
    const { frames, terminal, writer } = setup(100);
    const done: string[] = [];
    writer.write('a', () => done.push('a'));
    writer.drop();
    expect(done).toEqual(['a']);
    expect(frames.requested).toBe(0);
    frames.frame();
    expect(terminal.writes).toEqual([]);
    // and it writes again afterwards
    writer.write('b');
    frames.frame();
    expect(terminal.writes).toEqual(['b']);
  });

  it('reset drops what waits and clears the terminal at once', () => {
    const { frames, terminal, writer } = setup(100);
    let called = 0;
    writer.write('old', () => called++);
    writer.reset();
    writer.write('new');
    frames.frame();
    expect(terminal.resets).toBe(1);
    expect(called).toBe(1);
    expect(terminal.writes).toEqual(['new']);
  });
});

describe('everyOtherFrame', () => {
  afterEach(() => vi.unstubAllGlobals());

  /** The page's animation frames, run on demand. */
  function pageFrames() {
    const waiting = new Map<number, FrameRequestCallback>();
    let next = 1;
    vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => {
      waiting.set(next, cb);
      return next++;
    });
    vi.stubGlobal('cancelAnimationFrame', (h: number) => waiting.delete(h));
    return () => {
      const run = [...waiting.values()];
      waiting.clear();
      for (const cb of run) cb(0);
    };
  }

  it('runs on the second frame, and not at all once cancelled, before or between the frames', () => {
    const frame = pageFrames();
    let ran = 0;
    everyOtherFrame(() => ran++);
    frame();
    expect(ran).toBe(0);
    frame();
    expect(ran).toBe(1);
    frame();
    expect(ran).toBe(1);
    everyOtherFrame(() => ran++)();
    frame();
    frame();
    const cancel = everyOtherFrame(() => ran++);
    frame();
    cancel();
    frame();
    expect(ran).toBe(1);
  });
});
