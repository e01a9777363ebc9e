import { z } from 'zod';
import { event, request } from '../rpc/define';
import { isShortcutId, type ShortcutId } from '../ui/keymap';
import { settingsSchema, userSettingsPatch } from './settings';

export const appAbout = z.object({
  name: z.string(),
  version: z.string(),
  /** `desktop` inside Electron, `headless` when served to a browser. */
  mode: z.enum(['desktop', 'headless']),
  /** OS of the machine running the core (not of the Docker engine). */
  hostPlatform: z.string(),
  dataDir: z.string(),
});

export type AppAbout = z.infer<typeof appAbout>;

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
  /** Answered with `path` unset when the user cancels; NOT_AVAILABLE in headless mode. */
  pickPath: request(pickPathInput, pickedPath),
  onCommand: event(appCommand),
};
