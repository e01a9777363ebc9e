import type { CommandRun } from '../../../shared/contract/builders';
import { errorData, type ErrorCode, type Problem } from '../../../shared/contract/errors';
import { PAGE_LABELS, type PageId } from '../../../shared/ui/pages';

/**
 * What the user can do about a problem, decided here once for every error display: open the page
 * where it is fixed, try again, or look at the commands that ran.
 */
export type OpenPageAction = { kind: 'open-page'; page: PageId; label: string };
export type ProblemAction =
  | OpenPageAction
  | { kind: 'retry'; label: string }
  | { kind: 'show-commands'; commands: CommandRun[] };

/** The page where each code's cause is fixed. */
const FIX_PAGE: Partial<Record<ErrorCode, PageId>> = {
  ENGINE_UNAVAILABLE: 'engine',
  ENGINE_TOO_OLD: 'engine',
  ENDPOINT_INVALID: 'engine',
  DOCKER_CONFIG_INVALID: 'engine',
  DOCKER_CONTEXT_INVALID: 'engine',
  DOCKER_CLI_MISSING: 'engine',
  BUILDX_MISSING: 'engine',
  EMULATORS_UNREADABLE: 'emulators',
  CONSENT_REQUIRED: 'emulators',
  INSTALLER_IMAGE_UNAVAILABLE: 'emulators',
  INSTALLER_FAILED: 'emulators',
  BINFMT_NOT_MOUNTED: 'emulators',
  BINFMT_DISABLED: 'emulators',
  BUILDER_NOT_FOUND: 'builders',
  BUILDER_ERROR: 'builders',
  BUILDER_START_FAILED: 'builders',
  BUILDER_NOT_STARTED: 'builders',
  MEASURE_NOTHING_EMULATED: 'builders',
  BUILD_NOT_FOUND: 'history',
  BUILD_RECORD_UNREADABLE: 'history',
  PLATFORM_NOT_IN_IMAGE: 'results',
};

/** Codes whose cause may pass by itself (a network hiccup, a busy engine, a file changed under the page). */
const RETRYABLE = new Set<ErrorCode>([
  'ENGINE_UNAVAILABLE',
  'ENGINE_ERROR',
  'CLI_TIMEOUT',
  'CONTAINER_TIMEOUT',
  'BUSY',
  'REGISTRY_UNREACHABLE',
  'REGISTRY_RATE_LIMITED',
  'REGISTRY_ERROR',
  'REGISTRY_TIMEOUT',
  'BLOB_CORRUPT',
  'EMULATORS_UNREADABLE',
  'INSTALLER_IMAGE_UNAVAILABLE',
  'DOCKERFILE_CHANGED',
  'BUILDER_COMMAND_FAILED',
  'BUILDER_CREATE_FAILED',
]);

/** The page where a known build failure cause (from the build log) is fixed. */
const CAUSE_PAGE: Partial<Record<string, PageId>> = {
  'emulator-missing': 'emulators',
  'emulator-crash': 'emulators',
  'docker-driver-multiplatform': 'builders',
  'builder-missing': 'builders',
  'load-manifest-list': 'builders',
  'daemon-unreachable': 'engine',
  'engine-lost': 'engine',
  'builder-lost': 'builders',
};

const openPage = (page: PageId): OpenPageAction => ({ kind: 'open-page', page, label: `Open the ${PAGE_LABELS[page]} page` });

/** The commands an error says ran (buildx actions), from its catalogued data. */
function commandsOf(problem: Problem): CommandRun[] {
  const many = errorData(problem, 'BUILDER_COMMAND_FAILED') ?? errorData(problem, 'BUILDER_CREATE_FAILED') ?? errorData(problem, 'BUILDER_NOT_FOUND');
  if (many) return many.commands;
  const one = errorData(problem, 'BUILDER_NOT_STARTED');
  return one ? [one.command] : [];
}

/**
 * The actions for a problem shown on page `here` (a link to the page you are on is left out);
 * `retry` only when the display can retry (it knows the call).
 */
export function problemActions(problem: Problem, options: { here?: PageId; canRetry?: boolean } = {}): ProblemAction[] {
  const actions: ProblemAction[] = [];
  const pages = new Set<PageId>();
  const fixPage = FIX_PAGE[problem.code];
  if (fixPage) pages.add(fixPage);
  // A refused build names the page of each blocking check.
  for (const p of errorData(problem, 'BUILD_IMPOSSIBLE')?.problems ?? []) {
    if (p.severity === 'error' && isPage(p.page)) pages.add(p.page);
  }
  for (const page of pages) if (page !== options.here) actions.push(openPage(page));
  if (options.canRetry && RETRYABLE.has(problem.code)) actions.push({ kind: 'retry', label: 'Try again' });
  const commands = commandsOf(problem);
  if (commands.length > 0) actions.push({ kind: 'show-commands', commands });
  return actions;
}

/** The page link for a build that failed with a known cause, if one fixes it. */
export function causeAction(cause: string, here?: PageId): OpenPageAction | undefined {
  const page = CAUSE_PAGE[cause];
  return page && page !== here ? openPage(page) : undefined;
}

const isPage = (page: string | undefined): page is PageId => page !== undefined && page in PAGE_LABELS;
