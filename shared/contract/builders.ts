import { z } from 'zod';
import { event, request } from '../rpc/define';
import { BUILDER_NAME, BUILDER_NAME_RULE, DRIVER_OPT, checkEndpoint } from '../domain/buildx/names';
import { imageReferenceText } from '../domain/image-reference';
import { nodePlatformsSchema } from '../domain/platform-support';
import { normalizePlatform, parsePlatform } from '../domain/platform';

// ---- inputs: validated before anything runs -------------------------------------------------------

export const builderName = z.string().trim().regex(BUILDER_NAME, `A builder name needs ${BUILDER_NAME_RULE}.`);

export const nodeName = z.string().trim().regex(BUILDER_NAME, `A node name needs ${BUILDER_NAME_RULE}.`);

/** Checked as buildx and ssh will read it: percent-decoded, ports in range (see domain/buildx/endpoint). */
export const builderEndpoint = z
  .string()
  .trim()
  .superRefine((text, ctx) => {
    const check = checkEndpoint(text);
    if (!check.ok) {
      ctx.addIssue({
        code: 'custom',
        message: `${check.reason} An endpoint is a Docker context name or an address such as tcp://host:2376, ssh://user@host or unix:///path/to/buildkitd.sock.`,
      });
    }
  });

const KNOWN_OS = ['linux', 'windows', 'darwin', 'freebsd'];

export const platformInput = z
  .string()
  .trim()
  .refine((s) => KNOWN_OS.includes(parsePlatform(s)?.os ?? '') && s.includes('/'), 'A platform looks like linux/arm64 or linux/arm/v7.')
  .transform(normalizePlatform);

export const driverOpt = z
  .string()
  .trim()
  .regex(DRIVER_OPT, 'A driver option is key=value (for example network=host), without spaces, commas or quotes.');

/** The BuildKit image (e.g. moby/buildkit:buildx-stable-1), with Docker's reference rules. */
export const imageRef = z.string().trim().pipe(imageReferenceText);

const hasControlCharacter = (s: string): boolean => [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

const buildkitdFlags = z
  .string()
  .max(2000)
  // buildx splits these itself; a newline or control character is never meant.
  .refine((s) => !hasControlCharacter(s), 'BuildKit daemon flags go on one line.');

const absolutePath = z
  .string()
  .trim()
  .max(4096)
  .refine((s) => s.startsWith('/') || /^[A-Za-z]:[\\/]/.test(s), 'Give the absolute path of a buildkitd.toml on this computer.')
  .refine((s) => !hasControlCharacter(s), 'A path has no control characters.');

export const createDriver = z.enum(['docker-container', 'remote', 'kubernetes', 'docker']);

export const createBuilderInput = z
  .object({
    name: builderName,
    driver: createDriver.default('docker-container'),
    /** A Docker context or address (docker-container, kubernetes); the BuildKit address (remote). */
    endpoint: builderEndpoint.optional(),
    /** Default: the `builders.buildkitImage` setting. */
    buildkitImage: imageRef.optional(),
    platforms: z.array(platformInput).max(32).default([]),
    driverOpts: z.array(driverOpt).max(32).default([]),
    buildkitdFlags: buildkitdFlags.optional(),
    buildkitdConfig: absolutePath.optional(),
    node: nodeName.optional(),
    bootstrap: z.boolean().default(true),
    use: z.boolean().default(false),
  })
  .superRefine((input, ctx) => {
    if (input.driver === 'remote' && !input.endpoint) {
      ctx.addIssue({ code: 'custom', path: ['endpoint'], message: 'The remote driver needs the BuildKit address, e.g. unix:///run/buildkit/buildkitd.sock or tcp://host:1234.' });
    }
    if (input.driver === 'docker') {
      ctx.addIssue({
        code: 'custom',
        path: ['driver'],
        message: 'buildx cannot create docker-driver builders: each Docker context already is one (e.g. "default"). Use docker-container for a builder of your own.',
      });
    }
    if (input.name === 'default') ctx.addIssue({ code: 'custom', path: ['name'], message: '"default" is the engine\'s own builder; choose another name.' });
  });

export const appendNodeInput = z.object({
  builder: builderName,
  endpoint: builderEndpoint,
  /** Default: the first free `<builder><n>`. */
  node: nodeName.optional(),
  platforms: z.array(platformInput).max(32).default([]),
  driverOpts: z.array(driverOpt).max(32).default([]),
  buildkitdFlags: buildkitdFlags.optional(),
  bootstrap: z.boolean().default(true),
});

export const builderRef = z.object({ name: builderName });

export const pinPlatformsInput = z.object({
  builder: builderName,
  /** Each node's pinned platforms afterwards (buildx takes them off the builder's other nodes). */
  pins: z
    .array(z.object({ node: nodeName, platforms: z.array(platformInput).min(1).max(32) }))
    .min(1)
    .max(32),
});

// ---- outputs ---------------------------------------------------------------------------------------

export const builderNode = z.object({
  name: z.string(),
  endpoint: z.string(),
  status: z.string(),
  error: z.string().optional(),
  buildkitVersion: z.string().optional(),
  /** As buildx reports them. */
  platforms: z.array(z.string()),
  /** Pinned with `--platform`, when known. */
  preferredPlatforms: z.array(z.string()),
  /** Which platforms it builds and how (native / emulated / unavailable), and why: `classify`, computed in the core. */
  support: nodePlatformsSchema,
  driverOpts: z.record(z.string(), z.string()),
  buildkitdFlags: z.array(z.string()),
  /** Runs on the app's engine host. */
  local: z.boolean(),
  /** The engine container of a docker-container node. */
  container: z.string().optional(),
});

/** A command the app ran, as the user would type it, with its outcome. */
export const commandRun = z.object({
  command: z.string(),
  exitCode: z.number().int(),
  /** stdout + stderr (trimmed to the last part when long). */
  output: z.string(),
  durationMs: z.number(),
});

export const builderProblem = z.object({
  message: z.string(),
  hint: z.string().optional(),
  command: z.string().optional(),
  output: z.string().optional(),
  at: z.string(),
});

export const builderStatus = z.enum(['running', 'inactive', 'stopped', 'error', 'unknown']);

export const builderSummary = z.object({
  name: z.string(),
  driver: z.string(),
  current: z.boolean(),
  status: builderStatus,
  /** Running with every node reachable and no recorded start failure. */
  healthy: z.boolean(),
  lastActivity: z.string().optional(),
  error: z.string().optional(),
  nodes: z.array(builderNode),
  /** Union of the nodes' usable platforms (native + emulated). */
  platforms: z.array(z.string()),
  /** A failed start or create recorded by the app (buildx itself forgets why). */
  problem: builderProblem.optional(),
  restartSuggested: z.boolean(),
});

export const builderList = z.object({
  builders: z.array(builderSummary),
  current: z.string(),
  buildxVersion: z.string(),
  /** Which output the list came from. */
  source: z.enum(['ls-json', 'ls-text']),
  enginePlatform: z.string(),
  containerdImageStore: z.boolean(),
  /** Why the engine host's emulators could not be read (the classification then relies on the builders' own lists). */
  emulatorsProblem: z.string().optional(),
  commands: z.array(commandRun),
});

export const actionResult = z.object({
  /** What happened, in one sentence. */
  message: z.string(),
  commands: z.array(commandRun),
  builder: builderSummary.optional(),
  /** Something to know although it worked (e.g. "restart later"). */
  notes: z.array(z.string()),
});

export const inspectResult = z.object({
  builder: builderSummary,
  commands: z.array(commandRun),
  /** The inspect text as buildx printed it. */
  text: z.string(),
});

export const multiPlatformCheck = z.object({
  builder: z.string(),
  driver: z.string(),
  verdict: z.enum(['yes', 'no', 'limited', 'unknown']),
  summary: z.string(),
  details: z.array(z.string()),
  suggestContainerBuilder: z.boolean(),
  /** A ready create input for the one-click fix (a free name, docker-container, bootstrap, use). */
  fix: z
    .object({
      name: z.string(),
      driver: z.literal('docker-container'),
      buildkitImage: z.string(),
      driverOpts: z.array(z.string()),
      bootstrap: z.literal(true),
      use: z.literal(true),
      command: z.string(),
    })
    .optional(),
});

export const builderLogs = z.object({
  builder: z.string(),
  node: z.string(),
  container: z.string(),
  text: z.string(),
  /** The equivalent command. */
  command: z.string(),
  truncated: z.boolean(),
});

export const restartAllResult = z.object({
  results: z.array(
    z.object({
      name: z.string(),
      ok: z.boolean(),
      message: z.string(),
      commands: z.array(commandRun),
    }),
  ),
});

export const buildersChanged = z.object({
  reason: z.enum(['created', 'removed', 'used', 'stopped', 'started', 'node-appended', 'node-removed', 'pinned']),
  name: z.string(),
});

export type CreateBuilderInput = z.input<typeof createBuilderInput>;
export type CreateBuilderSpec = z.output<typeof createBuilderInput>;
export type AppendNodeInput = z.input<typeof appendNodeInput>;
export type AppendNodeSpec = z.output<typeof appendNodeInput>;
export type PinPlatformsSpec = z.output<typeof pinPlatformsInput>;
export type BuilderNode = z.infer<typeof builderNode>;
export type BuilderSummary = z.infer<typeof builderSummary>;
export type BuilderList = z.infer<typeof builderList>;
export type BuilderProblem = z.infer<typeof builderProblem>;
export type CommandRun = z.infer<typeof commandRun>;
export type ActionResult = z.infer<typeof actionResult>;
export type InspectResult = z.infer<typeof inspectResult>;
export type MultiPlatformCheck = z.infer<typeof multiPlatformCheck>;
export type BuilderLogs = z.infer<typeof builderLogs>;
export type RestartAllResult = z.infer<typeof restartAllResult>;
export type BuildersChanged = z.infer<typeof buildersChanged>;

/** Data of a BUILDER_COMMAND_FAILED / BUILDER_CREATE_FAILED error: what ran and what it said. */
export const builderFailureData = z.object({ commands: z.array(commandRun) });

export const buildersContract = {
  /** Every builder with its nodes, status, platforms (native / emulated) and which one is current. */
  list: request(z.object({}), builderList),
  /** `docker buildx inspect [--bootstrap] NAME`: with bootstrap, starts it first, then shows its platforms. */
  inspect: request(z.object({ name: builderName, bootstrap: z.boolean().default(false) }), inspectResult),
  /** `docker buildx create ...`; a half-made builder left by a failed start is removed again. */
  create: request(createBuilderInput, actionResult),
  /** `docker buildx create --append --node N --name B ENDPOINT`: another machine builds its platforms natively. */
  appendNode: request(appendNodeInput, actionResult),
  /**
   * `docker buildx create --append --name B --node N --platform …` per node: pins platforms so
   * buildx routes them there (the node × platform map's fix when it picks an emulating node).
   */
  pin: request(pinPlatformsInput, actionResult),
  /** `docker buildx create --leave --name B --node N`. */
  removeNode: request(z.object({ builder: builderName, node: nodeName }), actionResult),
  /** `docker buildx use NAME`. */
  use: request(builderRef, actionResult),
  /** `docker buildx stop NAME`. */
  stop: request(builderRef, actionResult),
  /** Stop, then start again, so the builder sees newly registered emulators. */
  restart: request(builderRef, actionResult),
  /** Restarts every running builder that can be restarted (after emulators change). */
  restartRunning: request(z.object({}), restartAllResult),
  /** `docker buildx rm [--keep-state] NAME`. */
  remove: request(z.object({ name: builderName, keepState: z.boolean().default(false) }), actionResult),
  /** The BuildKit container's log of a docker-container node, through the engine. */
  logs: request(
    z.object({ name: builderName, node: nodeName.optional(), tail: z.number().int().min(1).max(10_000).default(500) }),
    builderLogs,
  ),
  /** Can the builder (default: the current one) build several platforms in one go, and if not, the fix. */
  multiPlatform: request(z.object({ name: builderName.optional() }), multiPlatformCheck),
  onChanged: event(buildersChanged),
};
