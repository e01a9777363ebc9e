import { z } from 'zod';
import { builderFailureData, commandRun } from './builders';
import { fileExistsData } from './ci-export';

/**
 * Every error the app can report, once: its code, what it means, and the schema of its `data`
 * (none where it carries none). `RpcError` accepts only these codes; each endpoint declares which
 * of them it raises (endpoint-errors.ts); the renderer maps them to actions (renderer/src/errors).
 * A `Problem` says what failed and why (`message`) and what to do (`hint`).
 */

interface ErrorSpec {
  readonly meaning: string;
  /** Validates `data`; a code without it carries no data. */
  readonly data?: z.ZodType;
}

/** A Build-page field that failed the context checks, with what to do about it. */
export const contextProblem = z.object({
  field: z.enum(['context', 'dockerfile']),
  message: z.string(),
  hint: z.string(),
});

/** Data of a BUILD_IMPOSSIBLE error: the combinations that cannot work, each with its fix (the check's own wording). */
export const buildImpossibleData = z.object({
  problems: z.array(
    z.object({
      code: z.string(),
      severity: z.enum(['error', 'warning']),
      field: z.string().optional(),
      message: z.string(),
      fix: z.string(),
      platforms: z.array(z.string()).optional(),
      page: z.string().optional(),
    }),
  ),
});

export const errorCatalogue = {
  // ---- the connection between window and core ----------------------------------------------------
  BAD_INPUT: {
    meaning: 'The input was refused before anything ran (contract validation or a field check).',
    data: z
      .object({
        issues: z.array(z.object({ path: z.array(z.string()), message: z.string() })).optional(),
        field: z.string().optional(),
        path: z.string().optional(),
      })
      .optional(),
  },
  UNKNOWN_CHANNEL: { meaning: 'The call names no request or stream of the contract.' },
  CANCELLED: { meaning: 'The caller cancelled, or its connection closed, before the work finished.' },
  INTERNAL: { meaning: 'A bug: something other than an RpcError was thrown.' },
  DISCONNECTED: { meaning: 'The connection between the window and the app core is gone.' },
  BAD_OUTPUT: { meaning: 'A handler produced an answer its schema refuses, or one that cannot be encoded.' },
  BAD_FRAME: { meaning: 'A message between window and core could not be used.' },
  FRAME_TOO_LARGE: { meaning: 'A message is larger than one message may carry.' },
  BUSY: { meaning: 'Too many calls are running; this one was not started.' },
  CORE_STOPPING: { meaning: 'The app is closing; the work was not started.' },
  DATA_READ_ONLY: {
    meaning: 'The data folder could not be written at start; the app runs read-only.',
    data: z.object({ dataDir: z.string() }),
  },
  SETTINGS_NOT_SAVED: { meaning: 'The settings file could not be written (or read at start); the settings are unchanged.' },
  NOT_AVAILABLE: { meaning: 'The feature does not exist in this mode (e.g. native dialogs in headless mode).' },

  // ---- Docker engine and CLI --------------------------------------------------------------------
  ENGINE_UNAVAILABLE: { meaning: 'The Docker engine is not connected.' },
  ENGINE_ERROR: { meaning: 'The engine refused or failed a request.' },
  ENGINE_TOO_OLD: { meaning: 'The engine lacks a feature the action needs.' },
  ENDPOINT_INVALID: { meaning: 'DOCKER_HOST (or the context) names no endpoint the app can use.' },
  DOCKER_CONFIG_INVALID: { meaning: "The docker CLI's config.json cannot be read." },
  DOCKER_CONTEXT_INVALID: { meaning: 'The Docker context in use does not exist or has no endpoint.' },
  DOCKER_CLI_MISSING: { meaning: 'The docker CLI is not on PATH.', data: builderFailureData.optional() },
  CLI_TIMEOUT: { meaning: 'A docker command did not finish in time and was stopped.', data: builderFailureData.optional() },
  BUILDX_MISSING: { meaning: 'The docker buildx plugin is missing or unusable.' },
  BUILDX_TOO_OLD: { meaning: 'This buildx is older than the feature needs (decided from its version).' },
  BUILDKIT_TOO_OLD: { meaning: "The builder's BuildKit is older than the feature needs." },
  BUILD_CHECKS_FAILED: { meaning: "BuildKit's build checks did not run, or printed results that cannot be read." },

  // ---- emulators ---------------------------------------------------------------------------------
  EMULATORS_UNREADABLE: { meaning: "The Docker host's binfmt_misc could not be read." },
  EMULATORS_UNSUPPORTED: { meaning: 'The engine runs no Linux containers, so there are no QEMU emulators to manage.' },
  NATIVE_ARCHITECTURE: { meaning: 'The change would touch the engine’s native architecture, which needs no emulator.' },
  CONSENT_REQUIRED: {
    meaning: 'The privileged installer may run only after the user agreed to exactly that image.',
    data: z.object({ image: z.string(), why: z.string() }),
  },
  INSTALLER_IMAGE_UNAVAILABLE: {
    meaning: 'The installer image is not on the engine and could not be pulled.',
    data: z.object({ image: z.string(), offline: z.boolean() }),
  },
  INSTALLER_FAILED: { meaning: 'The installer container reported a fatal error.' },
  BINFMT_NOT_MOUNTED: { meaning: 'binfmt_misc is not mounted on the Docker host.' },
  BINFMT_DISABLED: { meaning: 'binfmt_misc is switched off on the Docker host.' },
  CONTAINER_TIMEOUT: { meaning: 'A helper container did not finish in time and was removed.' },

  // ---- builders ------------------------------------------------------------------------------------
  BUILDER_NOT_FOUND: { meaning: 'No builder has that name.', data: builderFailureData.optional() },
  BUILDER_EXISTS: { meaning: 'A builder with that name exists already.' },
  BUILDER_ERROR: { meaning: 'buildx cannot load the builder.' },
  BUILDER_START_FAILED: { meaning: 'The builder’s last start or create failed (as the app recorded it).' },
  BUILDER_CREATE_FAILED: { meaning: '`docker buildx create` failed.', data: builderFailureData },
  BUILDER_COMMAND_FAILED: { meaning: 'A buildx command on the builder failed.', data: builderFailureData },
  BUILDER_NOT_STARTED: { meaning: 'The builder has no container yet.', data: z.object({ command: commandRun }) },
  BUILDER_NOT_STOPPABLE: { meaning: 'The docker driver’s BuildKit is part of the engine and cannot be stopped on its own.' },
  BUILDER_NOT_REMOVABLE: { meaning: 'The builder belongs to a Docker context; buildx cannot remove it.' },
  BUILDER_NO_CONTAINER: { meaning: 'The builder’s driver runs no BuildKit container to read logs from.' },
  BUILDER_CANNOT_APPEND: { meaning: 'The docker driver has exactly one node.' },
  BUILDER_NODE_EXISTS: { meaning: 'The builder already has a node with that name.' },
  BUILDER_NODE_NOT_FOUND: { meaning: 'The builder has no node with that name.' },
  BUILDER_NODE_REMOTE: { meaning: 'The node runs on another engine than the app’s.' },
  BUILDER_LAST_NODE: { meaning: 'The only node of a builder cannot be removed; remove the builder.' },
  BUILDER_PIN_NEEDLESS: { meaning: 'The platforms asked to be pinned already are, or nothing was asked.' },

  // ---- builds and history ----------------------------------------------------------------------
  BUILD_CONTEXT_INVALID: {
    meaning: 'The build context folder or its Dockerfile is unusable.',
    data: z.object({ problems: z.array(contextProblem) }).optional(),
  },
  BUILD_IMPOSSIBLE: { meaning: 'The build request cannot work on this engine and builder.', data: buildImpossibleData },
  BUILD_RUNNING: { meaning: 'The build is still running.' },
  BUILD_NOT_FOUND: { meaning: 'No build with that id is in the history.' },
  BUILD_RECORD_UNREADABLE: { meaning: 'A build record on disk cannot be read (damaged: set aside; permissions or not a file: left where it is).' },
  HISTORY_STORAGE_FAILED: { meaning: 'The history folder, or a build’s folder or record in it, cannot be read or written.' },
  DESTINATION_REFUSED: {
    meaning: 'An export or cache destination is a system location, or its folder cannot be used.',
    data: z.object({ field: z.string(), path: z.string() }),
  },
  DESTINATION_EXISTS: {
    meaning: 'An export or cache destination exists and holds something; it is replaced only once confirmed.',
    data: z.object({ field: z.string(), path: z.string(), kind: z.enum(['file', 'folder']) }),
  },
  FOLDER_UNREADABLE: { meaning: 'A folder cannot be listed.' },
  BUILD_NOT_DISTRIBUTED: { meaning: 'The build was not split over nodes.' },
  BUILD_RECORD_OUTDATED: { meaning: 'A past build’s request no longer passes today’s checks.' },
  BUILD_NODE_UNREACHABLE: { meaning: 'The node chosen for a platform cannot be reached on its own.' },
  DISTRIBUTE_TARGET_INVALID: { meaning: 'The builder or node chosen for a platform is gone or cannot build it.', data: z.object({ platform: z.string() }) },
  DISTRIBUTE_NOTHING_TO_RETRY: { meaning: 'The platform was built already.' },
  DISTRIBUTE_NOTHING_TO_MERGE: { meaning: 'No platform of the build has an image yet.' },
  DISTRIBUTE_MISSING_PLATFORMS: { meaning: 'Merging without a platform must name exactly the platforms that have no image.', data: z.object({ missing: z.array(z.string()) }) },

  // ---- timeline ----------------------------------------------------------------------------------
  TIMELINE_CORRUPT: { meaning: 'A build’s stored timeline is unreadable; it is made again from the build’s log.' },
  BUILD_NOT_RUNNING: { meaning: 'The build has ended: what was asked of a running build is in its stored timeline.' },
  STEP_NOT_FOUND: { meaning: 'The running build has no step with that digest (yet).' },
  MEASURE_NOTHING_EMULATED: { meaning: 'No platform of the build runs under emulation on its builder: there is nothing for cross-compiling to speed up.' },
  MEASURE_BUILD_FAILED: { meaning: 'One build of a measurement failed: no speed-up is claimed.' },

  // ---- build records (buildx history) ------------------------------------------------------------
  RECORDS_UNAVAILABLE: { meaning: 'The builder’s build records cannot be listed.' },
  RECORD_UNREADABLE: { meaning: 'buildx cannot read the build record, or the app no longer keeps it.' },
  RECORD_FILE_INVALID: { meaning: 'The file is not a readable .dockerbuild record file.' },
  DESTINATION_INVALID: { meaning: 'The export destination is not a file in an existing folder.' },
  EXPORT_FAILED: { meaning: 'buildx could not export the record.' },

  // ---- Dockerfile advice ---------------------------------------------------------------------------
  DOCKERFILE_CHANGED: { meaning: 'The Dockerfile changed since the page analysed it.' },
  REWRITE_NOT_OFFERED: { meaning: 'The analysis offers no rewrite for that finding (any more).' },
  REWRITE_INVALID: { meaning: 'The rewrite would make the Dockerfile unparsable; nothing was written.' },
  BACKUP_FAILED: { meaning: 'The backup could not be written; the Dockerfile was left as it is.' },
  DOCKERFILE_WRITE_FAILED: { meaning: 'The Dockerfile could not be written; it is unchanged.' },
  REGISTRY_TIMEOUT: { meaning: 'A registry did not answer within the time the check allows.' },

  // ---- registries and images -----------------------------------------------------------------------
  REGISTRY_UNREACHABLE: {
    meaning: 'The registry (or its token service, or the proxy) cannot be reached.',
    data: z.object({ code: z.string().optional(), tried: z.array(z.string()) }).optional(),
  },
  REGISTRY_AUTH: { meaning: 'The registry refused access, or its token service failed.' },
  REGISTRY_RATE_LIMITED: { meaning: 'The registry is rate-limiting requests.' },
  REGISTRY_ERROR: { meaning: 'The registry answered with an error or with something the app cannot use.' },
  IMAGE_NOT_FOUND: { meaning: 'The image is not in the registry (or the engine).' },
  MANIFEST_UNSUPPORTED: { meaning: 'The manifest has a form the app does not read.' },
  BLOB_CORRUPT: { meaning: 'A blob does not match its digest or cannot be unpacked.', data: z.object({ digest: z.string() }) },
  PLATFORM_NOT_IN_IMAGE: { meaning: 'The image has no image for that platform.' },
  PLATFORM_NOT_IN_ENGINE: { meaning: 'The engine’s store lacks that platform’s image or one of its layers.' },

  // ---- CI export ---------------------------------------------------------------------------------------
  BAKE_FILE_MISSING: { meaning: 'There is no bake file in the context.' },
  BAKE_UNREADABLE: { meaning: 'buildx cannot read the bake file, or printed something the app cannot read.' },
  BAKE_TARGET_AMBIGUOUS: { meaning: 'The bake file has several targets; one must be picked.', data: z.object({ targets: z.array(z.string()) }) },
  FILE_EXISTS: {
    meaning: 'The file exists; it is not overwritten unseen.',
    // CI export shows the file for a diff; a record export only says how large it is.
    data: z.union([fileExistsData, z.object({ path: z.string(), bytes: z.number() })]),
  },
  EXPORT_OUTSIDE_CONTEXT: { meaning: 'The path leads outside the build context.' },
  EXPORT_TARGET_NOT_A_FILE: { meaning: 'Something that is not a folder is in the way of the file.' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCatalogue = typeof errorCatalogue;
export type ErrorCode = keyof ErrorCatalogue;

export const ERROR_CODES = Object.keys(errorCatalogue) as [ErrorCode, ...ErrorCode[]];

export const isErrorCode = (code: string): code is ErrorCode => Object.hasOwn(errorCatalogue, code);

/** The type of a code's `data` (undefined for codes that carry none). */
export type ErrorData<C extends ErrorCode> = ErrorCatalogue[C] extends { data: infer S extends z.ZodType } ? z.output<S> : undefined;

/** What failed, why, and what to do: the one error shape, on the wire and inside results. */
export const problem = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  /** What the user can do about it. */
  hint: z.string().optional(),
  data: z.unknown().optional(),
});

export type Problem<C extends ErrorCode = ErrorCode> = { code: C; message: string; hint?: string; data?: unknown };

/** Checks `data` against the code's schema; returns why it does not fit, or undefined when it does. */
export function dataProblem(code: ErrorCode, data: unknown): string | undefined {
  const schema: z.ZodType | undefined = (errorCatalogue[code] as ErrorSpec).data;
  if (!schema) return data === undefined ? undefined : `${code} carries no data`;
  const parsed = schema.safeParse(data);
  return parsed.success ? undefined : `${code} data: ${parsed.error.message}`;
}

/** The data of an error of that code, parsed; undefined for another code or data that does not fit. */
export function errorData<C extends ErrorCode>(error: unknown, code: C): ErrorData<C> | undefined {
  const e = error as { code?: unknown; data?: unknown } | undefined;
  if (e?.code !== code) return undefined;
  const schema: z.ZodType | undefined = (errorCatalogue[code] as ErrorSpec).data;
  const parsed = schema?.safeParse(e.data);
  return parsed?.success ? (parsed.data as ErrorData<C>) : undefined;
}
