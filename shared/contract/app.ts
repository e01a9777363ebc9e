import { z } from 'zod';
import { absolutePath } from '../domain/build-request/request';
import { request } from '../rpc/define';
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
  /** The desktop shell can open its native file dialog (`app.pickFile`); headless mode cannot. */
  canPickFiles: z.boolean(),
});

export const pickFileInput = z.object({
  /** What the file is for: a picked Dockerfile may then be read outside the build context. */
  purpose: z.enum(['dockerfile']),
  /** Where the dialog opens. */
  defaultPath: absolutePath.optional(),
});

export type AppAbout = z.infer<typeof appAbout>;
export type StorageState = z.infer<typeof storageState>;
export type PickFileInput = z.infer<typeof pickFileInput>;

export const appContract = {
  about: request(z.object({}), appAbout),
  settings: request(z.object({}), settingsSchema),
  updateSettings: request(userSettingsPatch, settingsSchema),
  /**
   * Opens the desktop shell's native file dialog. The path the user chooses there (and only
   * that) is granted: main may read it although it lies outside the build context. Refused with
   * NOT_AVAILABLE in headless mode.
   */
  pickFile: request(pickFileInput, z.object({ path: z.string().optional() })),
};
