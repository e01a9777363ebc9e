import { z } from 'zod';

/** How a platform is built or run: on the CPU itself, through a QEMU emulator, or not at all. */
export const platformSupportSchema = z.enum(['native', 'emulated', 'unavailable']);
export type PlatformSupport = z.infer<typeof platformSupportSchema>;

/** Why a platform got its verdict, for code (the note says it in words). */
export const supportReasonSchema = z.enum([
  /** The node's CPU runs it. */
  'native',
  /** The node lists it and the engine host's emulator for it is registered. */
  'emulator',
  /** The node lists it; whether an emulator serves it is not known. */
  'listed',
  /** The node lists it, but the engine host's emulator for it is no longer registered. */
  'emulator-missing',
  /** The docker driver leaves it out of its list (an earlier platform "matches" it), but it builds. */
  'docker-driver-omits',
  /** Its emulator was registered after the node started: builds use it, the node's list has not caught up. */
  'not-listed-yet',
  /** The node has not started; the engine host's emulator (or CPU) will serve it once it does. */
  'when-started',
  /** Not listed, and nothing on the engine host runs it. */
  'no-emulator',
  /** Not listed by a node on another machine. */
  'not-listed',
  /** The node is down and buildx cannot start it (a remote daemon that does not answer): nothing builds there. */
  'node-down',
]);
export type SupportReason = z.infer<typeof supportReasonSchema>;

export const platformVerdictSchema = z.object({
  platform: z.string(),
  support: platformSupportSchema,
  /** The node's own list has it (the docker driver leaves some out; a list may lag behind). */
  listed: z.boolean(),
  reason: supportReasonSchema,
  note: z.string().optional(),
});
export type PlatformVerdict = z.infer<typeof platformVerdictSchema>;

/** What one builder node can build, and how: `classify`'s answer, served as is to the renderer. */
export const nodePlatformsSchema = z.object({
  node: z.string(),
  /** Runs on the app's engine host, so that host's CPU and emulators apply. */
  local: z.boolean(),
  /** The node's own CPU platform, when known (the engine's, or the first unpinned one it lists). */
  nativePlatform: z.string().optional(),
  /** Every platform the node lists or builds without listing it, native first. */
  platforms: z.array(platformVerdictSchema),
  /** The verdict on any other platform: native when the CPU runs it, else `otherwise`. */
  unlisted: z.object({
    native: z.array(z.string()),
    otherwise: platformVerdictSchema.omit({ platform: true, listed: true }),
  }),
  /** What the user should know about this node's list. */
  notes: z.array(z.string()),
  /** An emulator is registered that this running node does not list yet. */
  restartSuggested: z.boolean(),
});
export type NodePlatforms = z.infer<typeof nodePlatformsSchema>;

/**
 * What the Emulators domain knows about the engine host, by platform (`linux/arm/v7`) or
 * architecture (`arm64`): natively, through a registered emulator, or not at all.
 */
export type EmulatorFacts = Readonly<Record<string, PlatformSupport>>;
