import { join } from 'node:path';
import { z } from 'zod';
import { readJsonFile, writeJsonAtomic } from '../core/store/json-file';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

const rect = z.object({ x: z.number().int(), y: z.number().int(), width: z.number().int().positive(), height: z.number().int().positive() });
const windowState = z.object({ bounds: rect, maximized: z.boolean() });
export type WindowState = z.infer<typeof windowState>;

export const DEFAULT_SIZE = { width: 1280, height: 820 } as const;
/** Saved this long after the last move or resize (a drag fires dozens of events). */
export const SAVE_DELAY_MS = 500;

export const windowStateFile = (dataDir: string) => join(dataDir, 'window-state.json');

const overlap = (a: Rect, b: Rect) =>
  Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)) * Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
const clamp = (value: number, low: number, high: number) => Math.min(Math.max(value, low), Math.max(low, high));

/**
 * Where the window opens: where it was, kept on screen. The saved bounds go to the display whose
 * work area they overlap most (the primary one when that monitor is gone), shrunk to fit it and
 * moved inside it. With nothing saved, the default size, placed by the system.
 */
export function placeWindow(saved: WindowState | undefined, workAreas: readonly Rect[], primary: Rect): { bounds: Partial<Rect> & { width: number; height: number }; maximized: boolean } {
  if (!saved) return { bounds: { ...DEFAULT_SIZE }, maximized: false };
  const best = workAreas.reduce<{ area: Rect; shared: number } | undefined>((found, area) => {
    const shared = overlap(saved.bounds, area);
    return shared > (found?.shared ?? 0) ? { area, shared } : found;
  }, undefined);
  const area = best?.area ?? primary;
  const width = Math.min(saved.bounds.width, area.width);
  const height = Math.min(saved.bounds.height, area.height);
  return {
    bounds: {
      x: clamp(saved.bounds.x, area.x, area.x + area.width - width),
      y: clamp(saved.bounds.y, area.y, area.y + area.height - height),
      width,
      height,
    },
    maximized: saved.maximized,
  };
}

export async function loadWindowState(path: string): Promise<WindowState | undefined> {
  // A corrupt file is set aside by readJsonFile; the window then opens at the default size.
  const read = await readJsonFile(path, windowState).catch(() => undefined);
  return read?.status === 'ok' ? read.value : undefined;
}

export const saveWindowState = (path: string, state: WindowState) => writeJsonAtomic(path, state);

/** What the tracker needs of a BrowserWindow. */
export interface TrackedWindow {
  on(event: 'resize' | 'move' | 'maximize' | 'unmaximize' | 'close', listener: () => void): unknown;
  getNormalBounds(): Rect;
  isMaximized(): boolean;
}

export interface Timer {
  set(run: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

/**
 * Saves the window's place after it settles (debounced) and at once when it closes. The normal
 * bounds are kept while maximised, so un-maximising after a restart returns to them.
 */
export function trackWindowState(win: TrackedWindow, save: (state: WindowState) => void, timer: Timer): void {
  let pending: unknown;
  const snapshot = (): WindowState => ({ bounds: win.getNormalBounds(), maximized: win.isMaximized() });
  const later = () => {
    if (pending !== undefined) timer.clear(pending);
    pending = timer.set(() => {
      pending = undefined;
      save(snapshot());
    }, SAVE_DELAY_MS);
  };
  for (const event of ['resize', 'move', 'maximize', 'unmaximize'] as const) win.on(event, later);
  win.on('close', () => {
    if (pending !== undefined) timer.clear(pending);
    pending = undefined;
    save(snapshot());
  });
}
