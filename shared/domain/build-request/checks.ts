import { COMMON_PLATFORMS } from '../arch';
import { normalizePlatform, parsePlatform } from '../platform';
import { bestNode, isDown, verdictOf, type NodePlatforms, type PlatformSupport, type PlatformVerdict } from '../platform-support';
import { routeBuild, type RoutingNode } from '../buildx/routing';
import { checkTagReference, registryOf } from './reference';
import type { BuildRequest } from './request';

/**
 * What the engine, its builders and its emulators can do, and what that makes of a build request:
 * the platform ticks grouped native / emulated / unavailable, and the combinations that cannot
 * work, each with its fix, caught before a process starts.
 */

export interface BuilderFact {
  name: string;
  driver: string;
  /** `running`, `inactive`, … as buildx says. */
  status: string;
  current: boolean;
  /** Each node's classification (the core's `classify`), in buildx's node order. */
  nodes: NodePlatforms[];
  /** The same nodes as buildx's build routing sees them (their pins); absent when not known. */
  routing?: RoutingNode[];
}

export interface BuildFacts {
  /** The engine's native platform, e.g. `linux/amd64`. */
  nativePlatform: string;
  /** The engine keeps images in containerd: the docker driver builds multi-platform, `--load` keeps manifest lists. */
  containerdImageStore: boolean;
  builders: BuilderFact[];
  /** What the engine host itself runs, for when the builder is not known. */
  host: NodePlatforms;
  /** Name of the current builder (what `docker buildx build` uses without `--builder`). */
  currentBuilder?: string;
  /** The builder list could not be read: checks that need it are left to buildx. */
  buildersUnknown?: boolean;
}

/** A platform tick: the best node's verdict on it (native first), and that node. */
export interface PlatformChoice extends PlatformVerdict {
  /** The node that builds it best, when the builder has nodes. */
  node?: string;
}

export function selectedBuilder(facts: BuildFacts, name?: string): BuilderFact | undefined {
  const wanted = name ?? facts.currentBuilder;
  return facts.builders.find((b) => b.name === wanted) ?? (name ? undefined : facts.builders.find((b) => b.current));
}

const ORDER: Record<PlatformSupport, number> = { native: 0, emulated: 1, unavailable: 2 };

/** Every platform the form offers for this builder, with the served verdicts, native first. */
export function platformChoices(facts: BuildFacts, builderName?: string, extra: readonly string[] = []): PlatformChoice[] {
  const builder = selectedBuilder(facts, builderName);
  // A builder buildx could not load has no nodes: the engine host's own verdicts stand in.
  const nodes = builder && builder.nodes.length > 0 ? builder.nodes : [facts.host];
  const seen = new Set<string>();
  const all: string[] = [];
  const add = (p: string) => {
    if (!parsePlatform(p) || !p.includes('/')) return;
    const n = normalizePlatform(p);
    if (!seen.has(n)) {
      seen.add(n);
      all.push(n);
    }
  };
  add(facts.nativePlatform);
  // The common platforms are offered even when no builder lists them, so a missing emulator shows as a fixable gap.
  COMMON_PLATFORMS.forEach(add);
  for (const node of nodes) node.platforms.forEach((v) => add(v.platform));
  extra.forEach(add);
  const choices = all.map((platform): PlatformChoice => {
    const best = bestNode(nodes, platform);
    return best ? { ...best.verdict, ...(builder && builder.nodes.length > 0 ? { node: best.node } : {}) } : verdictOf(facts.host, platform);
  });
  return choices
    .map((c, i) => ({ c, i }))
    .sort((a, b) => ORDER[a.c.support] - ORDER[b.c.support] || a.i - b.i)
    .map(({ c }) => c);
}

/** The platform ticked by default: the engine's own, when the builder can build it. */
export function defaultPlatforms(facts: BuildFacts, builderName?: string): string[] {
  const native = normalizePlatform(facts.nativePlatform);
  const choice = platformChoices(facts, builderName).find((c) => c.platform === native);
  return choice && choice.support !== 'unavailable' ? [native] : [];
}

// ---- impossible combinations ------------------------------------------------------------------------

export type BuildProblemCode =
  | 'BUILDER_NOT_FOUND'
  | 'MULTI_PLATFORM_UNSUPPORTED'
  | 'LOAD_MANIFEST_LIST'
  | 'PLATFORM_UNAVAILABLE'
  | 'PUSH_WITHOUT_TAG'
  | 'PUSH_TO_DOCKER_HUB'
  | 'EXPORTER_UNSUPPORTED'
  | 'CACHE_EXPORT_UNSUPPORTED'
  | 'TARGET_UNKNOWN'
  | 'BAD_TAG'
  | 'BUILDER_NOT_RUNNING'
  | 'BUILDER_NODE_DOWN'
  | 'PLATFORM_UNKNOWN';

export interface BuildProblem {
  code: BuildProblemCode;
  /** An error stops the build; a warning is shown and the build may go ahead. */
  severity: 'error' | 'warning';
  /** The form field it is about. */
  field?: 'builder' | 'platforms' | 'output' | 'tags' | 'target' | 'cacheTo';
  message: string;
  fix: string;
  platforms?: string[];
  /** The page where the fix is made. */
  page?: 'emulators' | 'builders' | 'engine';
}

export interface CheckOptions {
  /** Named stages of the Dockerfile, when known (for `--target`). */
  stages?: readonly string[];
}

/**
 * Image platforms are named with Go's GOOS / GOARCH values (the OCI image spec says so): Go's own
 * lists of known ones (go/build syslist), so no real platform is refused; anything else no
 * builder can make.
 */
const GOOS = ['aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'js', 'linux', 'nacl', 'netbsd', 'openbsd', 'plan9', 'solaris', 'wasip1', 'windows', 'zos'];
const GOARCH = ['386', 'amd64', 'amd64p32', 'arm', 'armbe', 'arm64', 'arm64be', 'loong64', 'mips', 'mipsle', 'mips64', 'mips64le', 'mips64p32', 'mips64p32le', 'ppc', 'ppc64', 'ppc64le', 'riscv', 'riscv64', 's390', 's390x', 'sparc', 'sparc64', 'wasm'];

/**
 * What is wrong with a request on its own, before any fact is read: a build these problems
 * block is refused without asking the engine or buildx anything.
 */
export function checkRequestAlone(request: Pick<BuildRequest, 'output' | 'tags' | 'platforms'>): BuildProblem[] {
  const problems: BuildProblem[] = [];
  const unknown = request.platforms.filter((p) => {
    const parsed = parsePlatform(p);
    return !parsed || !GOOS.includes(parsed.os) || !GOARCH.includes(parsed.architecture);
  });
  if (unknown.length > 0) {
    problems.push({
      code: 'PLATFORM_UNKNOWN',
      severity: 'error',
      field: 'platforms',
      message: `${unknown.join(', ')}: no builder can build ${unknown.length > 1 ? 'these platforms' : 'this platform'}; an image platform is an OS and architecture Docker knows (such as linux/arm64).`,
      fix: `Untick ${unknown.join(', ')}, or correct the spelling.`,
      platforms: unknown,
    });
  }
  if (request.output.type === 'push') {
    if (request.tags.length === 0) {
      problems.push({
        code: 'PUSH_WITHOUT_TAG',
        severity: 'error',
        field: 'tags',
        message: 'Pushing needs at least one tag: it names the registry and repository to push to.',
        fix: 'Add a tag such as registry.example.com/team/app:1.0 (or 127.0.0.1:5000/app:dev for a local registry).',
      });
    }
    const hub = request.tags.filter((t) => {
      const c = checkTagReference(t);
      return c.ok && registryOf(c.reference) === 'docker.io';
    });
    if (hub.length > 0) {
      problems.push({
        code: 'PUSH_TO_DOCKER_HUB',
        severity: 'warning',
        field: 'tags',
        message: `${hub.join(', ')} name${hub.length > 1 ? '' : 's'} no registry, so ${hub.length > 1 ? 'they go' : 'it goes'} to Docker Hub.`,
        fix: 'Put the registry host first (e.g. 127.0.0.1:5000/app:dev) to push elsewhere; Docker Hub needs `docker login`.',
      });
    }
  }

  for (const tag of request.tags) {
    const c = checkTagReference(tag);
    if (!c.ok) problems.push({ code: 'BAD_TAG', severity: 'error', field: 'tags', message: c.reason, fix: 'Correct the tag.' });
  }

  return problems;
}

export function checkBuild(request: BuildRequest, facts: BuildFacts, options: CheckOptions = {}): BuildProblem[] {
  const problems: BuildProblem[] = [];
  const builder = selectedBuilder(facts, request.builder);
  const several = request.platforms.length > 1;

  if (!builder && !facts.buildersUnknown) {
    problems.push({
      code: 'BUILDER_NOT_FOUND',
      severity: 'error',
      field: 'builder',
      message: request.builder ? `There is no builder named "${request.builder}".` : 'No buildx builder was found.',
      fix: 'Pick an existing builder, or create one on the Builders page.',
      page: 'builders',
    });
  }
  const dockerDriver = builder?.driver === 'docker';

  if (builder && several && dockerDriver && !facts.containerdImageStore) {
    problems.push({
      code: 'MULTI_PLATFORM_UNSUPPORTED',
      severity: 'error',
      field: 'builder',
      message: `"${builder.name}" uses the docker driver on an engine without the containerd image store: it cannot build ${request.platforms.length} platforms in one build.`,
      fix: 'Create and use a docker-container builder on the Builders page (or turn on the containerd image store), or tick a single platform.',
      platforms: [...request.platforms],
      page: 'builders',
    });
  }

  if (request.output.type === 'load' && several && !facts.containerdImageStore) {
    problems.push({
      code: 'LOAD_MANIFEST_LIST',
      severity: 'error',
      field: 'output',
      message: `Loading ${request.platforms.length} platforms into the engine needs a manifest list, which this engine's image store (no containerd image store) cannot hold.`,
      fix: 'Push to a registry instead, or export an OCI tarball, or load one platform at a time, or turn on the containerd image store.',
      platforms: [...request.platforms],
      page: 'engine',
    });
  }

  if (request.output.type === 'oci' && dockerDriver && !facts.containerdImageStore) {
    problems.push({
      code: 'EXPORTER_UNSUPPORTED',
      severity: 'error',
      field: 'output',
      message: 'The docker driver cannot export an OCI tarball on an engine without the containerd image store.',
      fix: 'Use a docker-container builder (Builders page), or turn on the containerd image store.',
      page: 'builders',
    });
  }

  if (request.cacheTo.length > 0 && dockerDriver && !facts.containerdImageStore) {
    problems.push({
      code: 'CACHE_EXPORT_UNSUPPORTED',
      severity: 'error',
      field: 'cacheTo',
      message: 'The docker driver cannot export a build cache (--cache-to) on an engine without the containerd image store.',
      fix: 'Remove "cache to", or use a docker-container builder (Builders page).',
      page: 'builders',
    });
  }

  if (builder) {
    const choices = platformChoices(facts, builder.name, request.platforms);
    const unavailable = request.platforms.filter((p) => choices.find((c) => c.platform === p)?.support === 'unavailable');
    if (unavailable.length > 0) {
      problems.push({
        code: 'PLATFORM_UNAVAILABLE',
        severity: 'error',
        field: 'platforms',
        message: `${unavailable.join(', ')}: neither the builder "${builder.name}" nor an emulator on the engine host can run ${unavailable.length > 1 ? 'them' : 'it'}.`,
        fix: `Install the emulator${unavailable.length > 1 ? 's' : ''} on the Emulators page (then restart the builder if it is a docker-container one), or untick ${unavailable.join(', ')}.`,
        platforms: unavailable,
        page: 'emulators',
      });
    }
    const down = builder.nodes.filter(isDown);
    if (down.length > 0) {
      const problem = downNodesProblem(builder, down, request.platforms);
      if (problem) problems.push(problem);
    } else if (builder.status !== 'running' && builder.driver !== 'docker') {
      problems.push({
        code: 'BUILDER_NOT_RUNNING',
        severity: 'warning',
        field: 'builder',
        message: `"${builder.name}" is ${builder.status || 'not running'}; ${startsFirst(builder.driver)}`,
        fix: builder.driver === 'remote' ? 'Check that its BuildKit daemon runs, or start it on the Builders page beforehand.' : 'Nothing to do, or start it on the Builders page beforehand.',
        page: 'builders',
      });
    }
  }

  problems.push(...checkRequestAlone(request));

  if (request.target && options.stages && !options.stages.includes(request.target)) {
    problems.push({
      code: 'TARGET_UNKNOWN',
      severity: 'error',
      field: 'target',
      message: `The Dockerfile has no stage named "${request.target}".`,
      fix: options.stages.length ? `Pick one of: ${options.stages.join(', ')}.` : 'The Dockerfile names no stages (FROM … AS name); leave the target empty.',
    });
  }
  return problems;
}

/** What buildx does first with a builder that is not running, by driver (`driver.Boot` → the driver's `Bootstrap`). */
function startsFirst(driver: string): string {
  if (driver === 'remote') return 'buildx cannot start a remote daemon: it waits up to 20 s for it to answer, and the build fails if it does not.';
  return 'buildx starts it first, which adds a few seconds.';
}

/**
 * A builder with nodes that are down (remote daemons that do not answer). buildx does not skip them
 * (see `buildx/routing`): a platform pinned on a down node goes there, and a build with a platform
 * pinned nowhere starts every node; either way it fails after 20 s. Only a build whose every
 * platform is pinned on running nodes gets through. With the nodes' pins known that is decided
 * here; without them a build is refused only when it has a platform pinned on a down node.
 */
function downNodesProblem(builder: BuilderFact, allDown: readonly NodePlatforms[], platforms: readonly string[]): BuildProblem | undefined {
  const wanted = platforms.map(normalizePlatform);
  const routing = builder.routing && routeBuild(builder.routing, wanted);
  if (routing && routing.failsOn.length === 0) return undefined;
  const down = routing ? allDown.filter((n) => routing.failsOn.includes(n.node)) : allDown;
  const hit = routing
    ? routing.routes.filter((r) => r.pass === 'pinned' && routing.failsOn.includes(r.node)).map((r) => r.platform)
    : wanted.filter((p) => down.some((n) => n.platforms.some((v) => v.platform === p)));
  const names = down.map((n) => `"${n.node}"`).join(', ');
  const notes = down.map((n) => n.unlisted.otherwise.note).filter(Boolean).join(' ');
  const downIs = `${down.length > 1 ? 'are' : 'is'} down`;
  if (hit.length > 0) {
    return {
      code: 'BUILDER_NODE_DOWN',
      severity: 'error',
      field: 'builder',
      message: `${hit.join(', ')} ${hit.length > 1 ? 'are' : 'is'} pinned on ${names} of "${builder.name}", which ${downIs}: buildx sends ${hit.length > 1 ? 'them' : 'it'} there anyway and the build fails after waiting 20 s.`,
      fix: `${notes} Or untick ${hit.join(', ')}, or distribute the build over running nodes.`,
      platforms: hit,
      page: 'builders',
    };
  }
  if (routing) {
    const unpinned = routing.unpinned;
    return {
      code: 'BUILDER_NODE_DOWN',
      severity: 'error',
      field: 'builder',
      message: `${unpinned.join(', ')} ${unpinned.length > 1 ? 'are' : 'is'} pinned on no node of "${builder.name}", so buildx starts every node, and ${names} ${downIs}: the build fails after waiting 20 s.`,
      fix: `${notes} Or pin ${unpinned.join(', ')} on a running node (Builders page), untick ${unpinned.length > 1 ? 'them' : 'it'}, or distribute the build over running nodes.`,
      platforms: unpinned,
      page: 'builders',
    };
  }
  return {
    code: 'BUILDER_NODE_DOWN',
    severity: 'warning',
    field: 'builder',
    message: `${names} of "${builder.name}" ${downIs}. buildx does not skip a node that is down: the build works only if every platform is pinned on a running node; otherwise buildx waits 20 s for ${names} and fails.`,
    fix: notes,
    page: 'builders',
  };
}

export const blockingProblems = (problems: readonly BuildProblem[]): BuildProblem[] => problems.filter((p) => p.severity === 'error');
