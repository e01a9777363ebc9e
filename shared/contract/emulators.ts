import { z } from 'zod';
import { EMULATOR_ARCHITECTURES } from '../domain/binfmt/architectures';
import { imageReferenceText, MAX_REFERENCE_LENGTH } from '../domain/image-reference';
import { platformSupportSchema } from '../domain/platform-support';
import { event, request, stream } from '../rpc/define';

/** A table architecture; anything else is refused as BAD_INPUT before any work. */
export const emulatorArchitecture = z.enum(EMULATOR_ARCHITECTURES);

/** The installer or test image (e.g. tonistiigi/binfmt:qemu-v8.1.5 or mirror.example:5000/binfmt:latest). */
export const imageReference = imageReferenceText;

export const binfmtEntry = z.object({
  name: z.string(),
  enabled: z.boolean(),
  interpreter: z.string(),
  flags: z.string(),
  offset: z.number().int().optional(),
  magic: z.string().optional(),
  mask: z.string().optional(),
  extension: z.string().optional(),
});

export const emulatorIssue = z.object({
  code: z.enum(['NO_FIX_BINARY', 'NO_PRESERVE_ARGV0', 'DISABLED', 'BINFMT_DISABLED', 'NATIVE_SHADOWED', 'NATIVE_UNCERTAIN']),
  severity: z.enum(['error', 'warning', 'info']),
  message: z.string(),
});

export const emulatorRow = z.object({
  architecture: emulatorArchitecture,
  platform: z.string(),
  state: platformSupportSchema,
  entry: binfmtEntry.optional(),
  issues: z.array(emulatorIssue),
  installerName: z.string(),
  entryName: z.string(),
  sharedWith: z.array(emulatorArchitecture),
});

export const emulatorStatus = z.object({
  /** The Docker host whose kernel the table describes. */
  host: z.object({
    platform: z.string(),
    kernel: z.string(),
    name: z.string(),
    /** `local`: read from this machine's /proc (same kernel as the engine); `engine`: through a container on the engine. */
    source: z.enum(['local', 'engine']),
    sourceDetail: z.string(),
  }),
  /** binfmt_misc is mounted on the Docker host at /proc/sys/fs/binfmt_misc (else its entries cannot be read). */
  mounted: z.boolean(),
  binfmtEnabled: z.boolean(),
  rows: z.array(emulatorRow),
  otherQemu: z.array(binfmtEntry),
  nonQemu: z.array(binfmtEntry),
  /** What the user installed through the app (restored after a reboot). */
  remembered: z.array(emulatorArchitecture),
  /** Remembered architectures whose emulator is gone from the host (e.g. after a reboot). */
  missing: z.array(emulatorArchitecture),
  installerImage: z.string(),
  testImage: z.string(),
  /** The user already agreed to run the installer image privileged. */
  consented: z.boolean(),
  autoRestore: z.boolean(),
  /** The last automatic restore, if one ran since the app started. */
  lastAutoRestore: z
    .object({
      at: z.string(),
      architectures: z.array(emulatorArchitecture),
      ok: z.boolean(),
      message: z.string(),
    })
    .optional(),
  readAt: z.string(),
  readMs: z.number(),
});

export const changeAction = z.enum(['install', 'uninstall', 'restore']);

/** Exactly what a change would run, for the consent dialog. */
export const emulatorPlan = z.object({
  action: changeAction,
  architectures: z.array(emulatorArchitecture),
  image: z.string(),
  /** Arguments given to the installer image (after the image name). */
  args: z.array(z.string()),
  /** The equivalent command line, for display and copying. */
  command: z.string(),
  /** Why the container must be privileged. */
  why: z.string(),
  consented: z.boolean(),
  /** Architectures that need no work (nothing to remove, or native), and why. */
  skipped: z.array(z.object({ architecture: emulatorArchitecture, reason: z.string() })),
});

export const consent = z.object({
  /** The installer image the user agreed to run privileged; must equal the configured one. */
  image: z.string().min(1).max(MAX_REFERENCE_LENGTH),
});

export const changeInput = z.object({
  architectures: z.array(emulatorArchitecture).min(1).max(EMULATOR_ARCHITECTURES.length),
  consent: consent.optional(),
});

export const changeChunk = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('phase'), phase: z.enum(['image', 'pull', 'run', 'verify']), message: z.string() }),
  z.object({
    kind: z.literal('pull'),
    id: z.string().optional(),
    status: z.string(),
    progress: z.string().optional(),
    current: z.number().optional(),
    total: z.number().optional(),
  }),
  z.object({ kind: z.literal('output'), stream: z.enum(['stdout', 'stderr']), line: z.string() }),
]);

export const archOutcome = z.object({
  architecture: emulatorArchitecture,
  entry: z.string(),
  outcome: z.enum(['ok', 'already-registered', 'not-registered', 'eperm', 'not-supported', 'failed', 'skipped']),
  /** The installer's own words, or what the re-read of binfmt_misc showed. */
  message: z.string(),
  /** The host's binfmt_misc, read again afterwards, agrees with the outcome. */
  verified: z.boolean(),
});

export const changeResult = z.object({
  action: changeAction,
  image: z.string(),
  command: z.string(),
  outcomes: z.array(archOutcome),
  /** The installer's fatal error, if it gave one (it still exits 0). */
  fatal: z.string().optional(),
  /** The installer's exit code: reported, never trusted (it is 0 even on failure). Absent when nothing had to run. */
  exitCode: z.number().int().optional(),
  status: emulatorStatus,
  /** Running builders keep the platform list they started with: offer to restart them. */
  restartBuildersAdvised: z.boolean(),
  durationMs: z.number(),
});

export const testResult = z.object({
  architecture: emulatorArchitecture,
  platform: z.string(),
  image: z.string(),
  command: z.string(),
  ok: z.boolean(),
  /** What `uname -m` printed. */
  machine: z.string().optional(),
  expected: z.array(z.string()),
  failure: z
    .object({
      kind: z.enum(['exec-format', 'image-missing', 'wrong-machine', 'other']),
      message: z.string(),
      hint: z.string(),
    })
    .optional(),
  /** The image had to be pulled for that platform first. */
  pulled: z.boolean(),
  durationMs: z.number(),
});

export type EmulatorStatus = z.infer<typeof emulatorStatus>;
export type EmulatorRowData = z.infer<typeof emulatorRow>;
export type BinfmtEntryData = z.infer<typeof binfmtEntry>;
export type EmulatorPlan = z.infer<typeof emulatorPlan>;
export type ChangeChunk = z.infer<typeof changeChunk>;
export type ChangeResult = z.infer<typeof changeResult>;
export type ArchOutcome = z.infer<typeof archOutcome>;
export type TestResult = z.infer<typeof testResult>;
export type ChangeAction = z.infer<typeof changeAction>;

export const emulatorsContract = {
  /** The Docker host's emulators, read from its binfmt_misc now. */
  status: request(z.object({}), emulatorStatus),
  /** What Install / Uninstall / Restore would run (image, arguments, why privileged), without running it. */
  plan: request(z.object({ action: changeAction, architectures: z.array(emulatorArchitecture).max(EMULATOR_ARCHITECTURES.length) }), emulatorPlan),
  /** Registers emulators through a privileged installer container; refused without consent for that image. */
  install: stream(changeInput, changeChunk, changeResult),
  /** Removes emulators the same way. */
  uninstall: stream(changeInput, changeChunk, changeResult),
  /** Re-installs the remembered emulators that are gone (after a reboot). */
  restore: stream(z.object({ consent: consent.optional() }), changeChunk, changeResult),
  /** Stops offering to restore these architectures. */
  forget: request(z.object({ architectures: z.array(emulatorArchitecture).min(1).max(EMULATOR_ARCHITECTURES.length) }), emulatorStatus),
  /** Runs `uname -m` in a tiny container of that platform. */
  test: request(z.object({ architecture: emulatorArchitecture }), testResult),
  onStatusChanged: event(emulatorStatus),
  /** Remembered emulators are gone from the host (found at start, on reconnect or on a re-read). */
  onRestoreNeeded: event(
    z.object({ missing: z.array(emulatorArchitecture), image: z.string(), consented: z.boolean(), autoRestore: z.boolean() }),
  ),
  /** Emulators were installed or removed; running builders may still report the old platforms. */
  onChanged: event(
    z.object({ action: changeAction, architectures: z.array(emulatorArchitecture), restartBuildersAdvised: z.boolean() }),
  ),
};
