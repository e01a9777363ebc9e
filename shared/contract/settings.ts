import { z } from 'zod';

/**
 * Every user setting, with its default. One schema so the settings file is validated as a whole;
 * each domain owns its section.
 */
export const settingsSchema = z.object({
  emulators: z
    .object({
      /** Installer image run privileged to register emulators; pin a tag or point at a mirror. */
      installerImage: z.string().min(1).default('tonistiigi/binfmt:latest'),
      /** Image run per platform by the emulator Test button (must exist for that platform). */
      testImage: z.string().min(1).default('busybox:latest'),
      /** Re-register remembered emulators at start-up without asking. */
      autoRestore: z.boolean().default(false),
      /** Architectures the user installed through the app (to restore after a reboot). */
      remembered: z.array(z.string()).default([]),
      /** The user already agreed to run the privileged installer with this exact image. */
      consentedImage: z.string().optional(),
    })
    .prefault({}),
  builders: z
    .object({
      buildkitImage: z.string().min(1).default('moby/buildkit:buildx-stable-1'),
    })
    .prefault({}),
  results: z
    .object({
      smokeCommand: z.array(z.string()).min(1).default(['uname', '-m']),
    })
    .prefault({}),
});

export type Settings = z.output<typeof settingsSchema>;

/** A partial update: sections are merged one level deep. */
export const settingsPatch = z.object({
  emulators: settingsSchema.shape.emulators.unwrap().partial().optional(),
  builders: settingsSchema.shape.builders.unwrap().partial().optional(),
  results: settingsSchema.shape.results.unwrap().partial().optional(),
});
export type SettingsPatch = z.input<typeof settingsPatch>;
