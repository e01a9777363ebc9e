import { z } from 'zod';
import { imageReferenceText, MAX_REFERENCE_LENGTH } from '../domain/image-reference';
import { PAGE_IDS } from '../ui/pages';

/** `system` follows the operating system's light or dark preference. */
export const THEME_CHOICES = ['system', 'light', 'dark'] as const;
export type ThemeChoice = (typeof THEME_CHOICES)[number];

/**
 * Every user setting, with its default. One schema so the settings file is validated as a whole;
 * each domain owns its section.
 */
export const settingsSchema = z.object({
  emulators: z
    .object({
      /** Installer image run privileged to register emulators; pin a tag or point at a mirror. */
      installerImage: imageReferenceText.default('tonistiigi/binfmt:latest'),
      /** Image run per platform by the emulator Test button (must exist for that platform). */
      testImage: imageReferenceText.default('busybox:latest'),
      /** Re-register remembered emulators at start-up without asking. */
      autoRestore: z.boolean().default(false),
      /** Architectures the user installed through the app (to restore after a reboot). */
      remembered: z.array(z.string().max(32)).max(32).default([]),
      /** The user already agreed to run the privileged installer with this exact image. */
      consentedImage: z.string().max(MAX_REFERENCE_LENGTH).optional(),
    })
    .prefault({}),
  builders: z
    .object({
      /** BuildKit image of new docker-container / kubernetes builders; pin a tag or point at a mirror (offline). */
      buildkitImage: imageReferenceText.default('moby/buildkit:buildx-stable-1'),
    })
    .prefault({}),
  results: z
    .object({
      /** An argv run in the container without a shell; bounded like images.smokeRun's own command. */
      smokeCommand: z
        .array(
          z
            .string()
            .min(1)
            .max(4096)
            .refine((arg) => !arg.includes('\0'), 'Arguments cannot contain NUL characters.'),
        )
        .min(1)
        .max(64)
        .default(['uname', '-m']),
    })
    .prefault({}),
  ui: z
    .object({
      theme: z.enum(THEME_CHOICES).default('system'),
      /** The page shown at the next start. */
      lastPage: z.enum(PAGE_IDS).default('engine'),
    })
    .prefault({}),
});

export type Settings = z.output<typeof settingsSchema>;

type PatchShape<S extends z.core.$ZodShape> = { [K in keyof S]: z.ZodOptional<S[K] extends z.ZodDefault<infer T> ? T : S[K]> };

/**
 * A section's fields, all optional and WITHOUT their defaults. `.partial()` is not enough: zod 4 applies
 * a default inside an optional, so `{ consentedImage }` would come back with every other field reset.
 */
function patchOf<S extends z.core.$ZodShape>(section: z.ZodObject<S>): z.ZodObject<PatchShape<S>> {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(section.shape)) {
    const type = field as unknown as z.ZodType;
    shape[key] = (type instanceof z.ZodDefault ? (type.unwrap() as z.ZodType) : type).optional();
  }
  return z.object(shape) as unknown as z.ZodObject<PatchShape<S>>;
}

/** A partial update: sections are merged one level deep. */
export const settingsPatch = z.object({
  emulators: patchOf(settingsSchema.shape.emulators.unwrap()).optional(),
  builders: patchOf(settingsSchema.shape.builders.unwrap()).optional(),
  results: patchOf(settingsSchema.shape.results.unwrap()).optional(),
  ui: patchOf(settingsSchema.shape.ui.unwrap()).optional(),
});
export type SettingsPatch = z.input<typeof settingsPatch>;

/**
 * What the renderer may change through `app.updateSettings`. Consent to run the privileged
 * installer is recorded only by the emulators flow that showed the user exactly what will run.
 */
export const userSettingsPatch = settingsPatch.extend({
  emulators: patchOf(settingsSchema.shape.emulators.unwrap()).omit({ consentedImage: true }).strict().optional(),
});
