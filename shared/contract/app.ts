import { z } from 'zod';
import { request } from '../rpc/define';
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

export const appContract = {
  about: request(z.object({}), appAbout),
  settings: request(z.object({}), settingsSchema),
  updateSettings: request(userSettingsPatch, settingsSchema),
};
