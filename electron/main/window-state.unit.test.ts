import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SIZE, loadWindowState, placeWindow, SAVE_DELAY_MS, saveWindowState, trackWindowState, type Rect, type Timer, type WindowState } from './window-state';
import { StandInBrowserWindow } from './testing/electron-stand-in';

const laptop: Rect = { x: 0, y: 0, width: 1440, height: 876 };
const monitor: Rect = { x: 1440, y: -200, width: 2560, height: 1400 };

/** A clock the test advances by hand. */
function manualTimer() {
  let now = 0;
  const due = new Map<number, { at: number; run: () => void }>();
  let next = 1;
  const timer: Timer = {
    set: (run, ms) => (due.set(next, { at: now + ms, run }), next++),
    clear: (handle) => void due.delete(handle as number),
  };
  return {
    timer,
    pending: () => due.size,
    advance(ms: number) {
      now += ms;
      for (const [id, t] of [...due]) {
        if (t.at > now) continue;
        due.delete(id);
        t.run();
      }
    },
  };
}

describe('where the window opens', () => {
  it('opens at the default size, placed by the system, the first time', () => {
    expect(placeWindow(undefined, [laptop], laptop)).toEqual({ bounds: { ...DEFAULT_SIZE }, maximized: false });
  });

  it('opens where it was when that still fits, maximised if it was', () => {
    const saved: WindowState = { bounds: { x: 1600, y: 0, width: 1400, height: 900 }, maximized: true };
    expect(placeWindow(saved, [laptop, monitor], laptop)).toEqual({ bounds: saved.bounds, maximized: true });
  });

  it('moves a window whose monitor is gone onto the primary display, shrunk to fit', () => {
    const saved: WindowState = { bounds: { x: 1600, y: 0, width: 2000, height: 1200 }, maximized: false };
    expect(placeWindow(saved, [laptop], laptop)).toEqual({ bounds: { x: 0, y: 0, width: 1440, height: 876 }, maximized: false });
  });

  it('pulls a window hanging off the edge back inside the display it mostly covers', () => {
    const saved: WindowState = { bounds: { x: 3600, y: -400, width: 1000, height: 800 }, maximized: false };
    expect(placeWindow(saved, [laptop, monitor], laptop).bounds).toEqual({ x: 3000, y: -200, width: 1000, height: 800 });
    const leftOfLaptop: WindowState = { bounds: { x: -300, y: 500, width: 1000, height: 800 }, maximized: false };
    expect(placeWindow(leftOfLaptop, [laptop, monitor], laptop).bounds).toEqual({ x: 0, y: 76, width: 1000, height: 800 });
  });
});

describe('remembering the window', () => {
  it('saves once the window settles after moves and resizes, and at once on close', () => {
    const clock = manualTimer();
    const win = new StandInBrowserWindow({ width: 1280, height: 820 });
    const saved: WindowState[] = [];
    trackWindowState(win, (s) => saved.push(s), clock.timer);
    win.moveTo({ x: 10, y: 20, width: 1000, height: 700 });
    win.moveTo({ x: 30, y: 40, width: 1000, height: 700 });
    clock.advance(SAVE_DELAY_MS - 1);
    expect(saved).toEqual([]);
    clock.advance(1);
    expect(saved).toEqual([{ bounds: { x: 30, y: 40, width: 1000, height: 700 }, maximized: false }]);
    win.maximize();
    win.moveTo({ x: 50, y: 60, width: 900, height: 650 });
    win.close();
    expect(saved[1]).toEqual({ bounds: { x: 50, y: 60, width: 900, height: 650 }, maximized: true });
    expect(clock.pending()).toBe(0);
  });

  it('keeps the state in the data folder; a corrupt file is set aside and the default used', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mas-window-'));
    const file = join(dir, 'window-state.json');
    expect(await loadWindowState(file)).toBeUndefined();
    const state: WindowState = { bounds: { x: -1200, y: 10, width: 1100, height: 700 }, maximized: true };
    await saveWindowState(file, state);
    expect(await loadWindowState(file)).toEqual(state);
    await writeFile(file, '{"bounds": {"x": 1');
    expect(await loadWindowState(file)).toBeUndefined();
    expect((await readdir(dir)).some((f) => f.startsWith('window-state.json.corrupt-'))).toBe(true);
    await writeFile(file, JSON.stringify({ bounds: { x: 0, y: 0, width: -5, height: 10 }, maximized: false }));
    expect(await loadWindowState(file)).toBeUndefined();
    await rm(dir, { recursive: true, force: true });
  });
});
