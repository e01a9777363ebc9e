import type { CallNames } from '../rpc/define';
import { dataProblem, errorData, type ErrorCode, type ErrorData } from './errors';
import type { Contract } from './index';

/**
 * The errors each endpoint can raise, by wire name. Kept in one table rather than in each
 * contract file so domains stay independent; the type makes the table total (an endpoint
 * missing here is a compile error) and allows catalogue codes only. In tests (validateOutputs)
 * the server refuses a handler error whose code is not declared here or whose data does not fit
 * the catalogue's schema.
 */

/** Any call can end with these: the connection, the contract checks, cancellation, bugs. */
export const CALL_ERRORS = ['BAD_INPUT', 'UNKNOWN_CHANNEL', 'CANCELLED', 'INTERNAL', 'DISCONNECTED', 'BAD_OUTPUT', 'BAD_FRAME', 'FRAME_TOO_LARGE', 'BUSY'] as const satisfies readonly ErrorCode[];

/** Raised while the core starts (resolving DOCKER_HOST and the Docker context), before any call can be made. */
export const STARTUP_ERRORS = ['ENDPOINT_INVALID', 'DOCKER_CONFIG_INVALID', 'DOCKER_CONTEXT_INVALID'] as const satisfies readonly ErrorCode[];

/** Anything that talks to the Docker engine. */
const ENGINE = ['ENGINE_UNAVAILABLE', 'ENGINE_ERROR'] as const;
/** Anything that runs the docker CLI. */
const CLI = ['DOCKER_CLI_MISSING', 'CLI_TIMEOUT'] as const;
/** Anything that reads a registry. */
const REGISTRY = ['REGISTRY_UNREACHABLE', 'REGISTRY_AUTH', 'REGISTRY_RATE_LIMITED', 'REGISTRY_ERROR', 'IMAGE_NOT_FOUND', 'MANIFEST_UNSUPPORTED', 'BLOB_CORRUPT'] as const;
/** Reading the Docker host's binfmt_misc (through a helper container when the engine is remote). */
const READ_EMULATORS = [...ENGINE, 'EMULATORS_UNREADABLE', 'EMULATORS_UNSUPPORTED', 'CONTAINER_TIMEOUT'] as const;
const CHANGE_EMULATORS = [...READ_EMULATORS, 'CONSENT_REQUIRED', 'NATIVE_ARCHITECTURE', 'INSTALLER_IMAGE_UNAVAILABLE'] as const;
/** The builders service: buildx through the CLI, containers through the engine. */
const BUILDERS = [...ENGINE, ...CLI, 'BUILDX_MISSING', 'BUILDER_NOT_FOUND', 'BUILDER_COMMAND_FAILED'] as const;
const INTEGRITY = [...REGISTRY, ...ENGINE, 'ENGINE_TOO_OLD', 'PLATFORM_NOT_IN_IMAGE', 'PLATFORM_NOT_IN_ENGINE'] as const;
const BUILD_CONTEXT = ['BUILD_CONTEXT_INVALID', 'FOLDER_UNREADABLE'] as const;
/** Reading or writing the app's own build history on disk. */
const HISTORY = ['HISTORY_STORAGE_FAILED', 'BUILD_RECORD_UNREADABLE'] as const;

type EndpointErrorTable = { readonly [N in CallNames<Contract>]: readonly ErrorCode[] };

export const endpointErrors = {
  'app.about': [],
  'app.settings': [],
  'app.updateSettings': ['SETTINGS_NOT_SAVED'],
  'app.pickPath': ['NOT_AVAILABLE'],
  'engine.state': [],
  'engine.info': [...ENGINE, ...CLI],
  'engine.reconnect': [],
  'emulators.status': READ_EMULATORS,
  'emulators.plan': READ_EMULATORS,
  'emulators.install': CHANGE_EMULATORS,
  'emulators.uninstall': CHANGE_EMULATORS,
  'emulators.restore': CHANGE_EMULATORS,
  'emulators.forget': READ_EMULATORS,
  'emulators.test': [...ENGINE, 'CONTAINER_TIMEOUT'],
  'builders.list': BUILDERS,
  'builders.inspect': BUILDERS,
  'builders.create': [...BUILDERS, 'BUILDER_EXISTS', 'BUILDER_CREATE_FAILED'],
  'builders.appendNode': [...BUILDERS, 'BUILDER_CANNOT_APPEND', 'BUILDER_NODE_EXISTS'],
  'builders.pin': [...BUILDERS, 'BUILDER_NODE_NOT_FOUND', 'BUILDER_PIN_NEEDLESS'],
  'builders.removeNode': [...BUILDERS, 'BUILDER_NODE_NOT_FOUND', 'BUILDER_LAST_NODE'],
  'builders.use': BUILDERS,
  'builders.stop': [...BUILDERS, 'BUILDER_NOT_STOPPABLE'],
  'builders.restart': BUILDERS,
  'builders.restartRunning': BUILDERS,
  'builders.remove': [...BUILDERS, 'BUILDER_NOT_REMOVABLE'],
  'builders.logs': [...BUILDERS, 'BUILDER_NO_CONTAINER', 'BUILDER_NODE_NOT_FOUND', 'BUILDER_NODE_REMOTE', 'BUILDER_NOT_STARTED'],
  'builders.multiPlatform': BUILDERS,
  'builds.facts': [...BUILDERS, ...READ_EMULATORS],
  'builds.inspectContext': BUILD_CONTEXT,
  'builds.browse': ['FOLDER_UNREADABLE'],
  'builds.run': [...BUILD_CONTEXT, ...BUILDERS, ...READ_EMULATORS, ...HISTORY, 'BUILD_IMPOSSIBLE', 'CORE_STOPPING', 'DATA_READ_ONLY', 'DESTINATION_REFUSED', 'DESTINATION_EXISTS'],
  'builds.distribute': [...BUILD_CONTEXT, ...BUILDERS, ...READ_EMULATORS, ...HISTORY, 'BUILD_IMPOSSIBLE', 'CORE_STOPPING', 'DATA_READ_ONLY', 'DISTRIBUTE_TARGET_INVALID', 'BUILD_NODE_UNREACHABLE'],
  'builds.retryPlatform': [...BUILDERS, ...HISTORY, 'BUILD_NOT_FOUND', 'BUILD_RUNNING', 'BUILD_NOT_DISTRIBUTED', 'BUILD_RECORD_OUTDATED', 'CORE_STOPPING', 'DISTRIBUTE_TARGET_INVALID', 'DISTRIBUTE_NOTHING_TO_RETRY', 'BUILD_NODE_UNREACHABLE'],
  'builds.merge': [...HISTORY, 'BUILD_NOT_FOUND', 'BUILD_RUNNING', 'BUILD_NOT_DISTRIBUTED', 'BUILD_RECORD_OUTDATED', 'CORE_STOPPING', 'DISTRIBUTE_NOTHING_TO_MERGE', 'DISTRIBUTE_MISSING_PLATFORMS'],
  'builds.watch': ['BUILD_NOT_FOUND', ...HISTORY],
  'builds.cancel': [],
  'builds.list': HISTORY,
  'builds.get': ['BUILD_NOT_FOUND', ...HISTORY],
  'builds.remove': ['BUILD_NOT_FOUND', 'BUILD_RUNNING', ...HISTORY],
  'builds.leftovers': [],
  'builds.stopLeftovers': [],
  'images.inspect': REGISTRY,
  'images.smokeRun': [...ENGINE, 'IMAGE_NOT_FOUND'],
  'integrity.check': INTEGRITY,
  'integrity.compare': INTEGRITY,
  'integrity.attestations': REGISTRY,
  'dockerfile.analyze': [],
  'dockerfile.apply': ['DOCKERFILE_CHANGED', 'REWRITE_NOT_OFFERED', 'REWRITE_INVALID', 'BACKUP_FAILED', 'DOCKERFILE_WRITE_FAILED'],
  'dockerfile.preflight': [...ENGINE, ...REGISTRY],
  // Its own failures are in the report (problem), never thrown: the advice stands without the checks.
  'dockerfile.checks': [],
  'ciExport.readBake': [...CLI, 'BUILD_CONTEXT_INVALID', 'BAKE_FILE_MISSING', 'BAKE_UNREADABLE', 'BAKE_TARGET_AMBIGUOUS'],
  'ciExport.save': ['BUILD_CONTEXT_INVALID', 'FILE_EXISTS', 'EXPORT_OUTSIDE_CONTEXT', 'EXPORT_TARGET_NOT_A_FILE'],
  'records.list': [...ENGINE, ...CLI, 'BUILDX_MISSING'],
  'records.open': [...ENGINE, ...CLI, 'RECORD_UNREADABLE'],
  'records.export': [...ENGINE, ...CLI, 'RECORD_UNREADABLE', 'NOT_AVAILABLE', 'DESTINATION_INVALID', 'FILE_EXISTS', 'EXPORT_FAILED'],
  'records.import': ['RECORD_FILE_INVALID'],
  'timeline.get': ['BUILD_NOT_FOUND', 'BUILD_RECORD_UNREADABLE', 'TIMELINE_CORRUPT'],
  'timeline.stepLog': ['BUILD_NOT_RUNNING', 'STEP_NOT_FOUND'],
  'timeline.trend': ['BUILD_NOT_FOUND', 'BUILD_RECORD_UNREADABLE'],
  'timeline.compare': ['BUILD_NOT_FOUND', 'BUILD_RECORD_UNREADABLE', 'BUILD_RUNNING'],
  // A build of the measurement that fails is in the result (MEASURE_BUILD_FAILED), never thrown.
  'timeline.measure': [
    ...BUILD_CONTEXT,
    ...BUILDERS,
    ...READ_EMULATORS,
    ...HISTORY,
    'BUILD_NOT_FOUND',
    'BUILD_RUNNING',
    'BUILD_RECORD_OUTDATED',
    'BUILD_IMPOSSIBLE',
    'CORE_STOPPING',
    'DATA_READ_ONLY',
    'REWRITE_NOT_OFFERED',
    'REWRITE_INVALID',
    'MEASURE_NOTHING_EMULATED',
  ],
} as const satisfies EndpointErrorTable;

export type EndpointName = CallNames<Contract>;

/** The codes a call of endpoint N can fail with: its declared ones and those of any call. */
export type EndpointErrorCode<N extends EndpointName> = (typeof endpointErrors)[N][number] | (typeof CALL_ERRORS)[number];

/** An error a caller caught, as the one code it asked for, with that code's data parsed by the catalogue. */
export interface CaughtError<C extends ErrorCode> {
  code: C;
  message: string;
  hint?: string;
  /** undefined when the error carries no data, or data the catalogue's schema refuses. */
  data: ErrorData<C> | undefined;
}

/**
 * The client's side of the declarations: `error`, caught from a call of `endpoint` (or of any of
 * several), as its error `code`, or undefined for any other error. Only codes those endpoints
 * declare, or any call can end with, are accepted: asking for one they never raise is a compile error.
 */
export function endpointError<N extends EndpointName, C extends EndpointErrorCode<N>>(_endpoint: N | readonly N[], error: unknown, code: C): CaughtError<C> | undefined {
  const e = error as { code?: unknown; message?: unknown; hint?: unknown } | null | undefined;
  if (e?.code !== code) return undefined;
  return {
    code,
    message: typeof e.message === 'string' ? e.message : '',
    ...(typeof e.hint === 'string' ? { hint: e.hint } : {}),
    data: errorData(error, code),
  };
}

/**
 * Why an error breaks endpoint `channel`'s declaration (a code it does not list, data that does
 * not fit the catalogue), or undefined. The server runs it in tests.
 */
export function errorBreach(channel: string, error: { code: ErrorCode; data: unknown }): string | undefined {
  const declared: readonly ErrorCode[] | undefined = (endpointErrors as Record<string, readonly ErrorCode[]>)[channel];
  if (!declared) return undefined;
  if (!declared.includes(error.code) && !(CALL_ERRORS as readonly ErrorCode[]).includes(error.code)) {
    return `${channel} raised ${error.code}, which its entry in shared/contract/endpoint-errors.ts does not declare`;
  }
  const bad = dataProblem(error.code, error.data);
  return bad ? `${channel} raised ${error.code} with data the catalogue refuses: ${bad}` : undefined;
}
