import { z } from 'zod';
import { event, request } from '../rpc/define';
import { isShortcutId, type ShortcutId } from '../ui/keymap';
import { settingsSchema, userSettingsPatch } from './settings';

/** Whether the app's data folder can be written, and what the user should know about it. */
export const storageState = z.object({
  writable: z.boolean(),
  /** Why it cannot be written, and what to do (the app works read-only meanwhile). */
  problem: z.object({ message: z.string(), hint: z.string() }).optional(),
  /** Found at start and kept for the user: a settings file set aside or unreadable, records not yet written. */
  notices: z.array(z.string()),
});

export const appAbout = z.object({
  name: z.string(),
  version: z.string(),
  /** `desktop` inside Electron, `headless` when served to a browser. */
  mode: z.enum(['desktop', 'headless']),
  /** OS of the machine running the core (not of the Docker engine). */
  hostPlatform: z.string(),
  dataDir: z.string(),
  storage: storageState,
});

export type AppAbout = z.infer<typeof appAbout>;
export type StorageState = z.infer<typeof storageState>;

/** A native open dialog of the desktop shell (headless mode has none: the page browses folders itself). */
export const pickPathInput = z.object({
  kind: z.enum(['folder', 'file']),
  title: z.string().min(1).max(200),
  /** Where the dialog opens. */
  defaultPath: z.string().max(4096).optional(),
});
export type PickPathInput = z.infer<typeof pickPathInput>;
export const pickedPath = z.object({ path: z.string().optional() });

/** A desktop menu item that stands for a shortcut (Go › Build, Help › Keyboard shortcuts…). */
export const appCommand = z.object({ id: z.custom<ShortcutId>(isShortcutId, 'not a shortcut of the keymap') });

export const appContract = {
  about: request(z.object({}), appAbout),
  settings: request(z.object({}), settingsSchema),
  updateSettings: request(userSettingsPatch, settingsSchema),
  /**
   * Answered with `path` unset when the user cancels; NOT_AVAILABLE in headless mode. A file
   * chosen there (and only there) is granted: main may read it as a Dockerfile although it lies
   * outside the build context.
   */
  pickPath: request(pickPathInput, pickedPath),
  onCommand: event(appCommand),
};
