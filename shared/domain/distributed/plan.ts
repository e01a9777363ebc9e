import { buildArgv, shellWord } from '../build-request/argv';
import type { BuildRequest } from '../build-request/request';
import { cacheAttributes, formatAttributes } from '../ci-export/csv';
import { repositoryOf } from '../ci-export/registries';
import { platformSlug } from '../ci-export/runners';
import { splitReference } from '../image-reference';
import { normalizePlatform } from '../platform';

/**
 * A build split over nodes: one `docker buildx build` per platform, each on the node or builder
 * chosen for it, each pushing its image by digest (no tag) with its own cache, then
 * `docker buildx imagetools create` joining the digests into one index under the requested tags.
 * The same split Docker's CI recipes make across runners, here across the nodes of the user's
 * builders.
 */

/** The output of each platform's build: the image pushed by digest only, under the repository of the first tag. */
export function digestOutput(repository: string): string {
  return ['type=image', `name=${repository}`, 'push-by-digest=true', 'name-canonical=true', 'push=true'].map(csvWord).join(',');
}

const csvWord = (field: string): string => (/[",\n\r]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field);

/** The repository every platform pushes its digest to: the first tag's (the merge copies to other repositories). */
export const digestRepository = (request: Pick<BuildRequest, 'tags'>): string => repositoryOf(request.tags[0] ?? '');

/** The registry cache the app adds for each platform when the form names none. */
export const defaultCacheRef = (repository: string, platform: string): string => `${repository}:buildcache-${platformSlug(platform)}`;

/**
 * `ref` with the platform's slug added to its tag (`app:cache` → `app:cache-linux-arm64`, `app` →
 * `app:linux-arm64`); a reference pinned by digest, or text that is none, is left for buildx to judge.
 */
function platformRef(ref: string, slug: string): string {
  const parts = splitReference(ref);
  if (!parts || parts.digest !== undefined) return ref;
  return `${parts.name}:${parts.tag !== undefined ? `${parts.tag}-` : ''}${slug}`;
}

/**
 * One cache setting made the platform's own, so parallel builds never overwrite each other's
 * cache: a registry ref gets the platform in its tag, a folder a sub-folder, a GitHub Actions cache
 * its scope (the same slug the CI export's per-platform jobs use). `inline` lives in each
 * platform's image already; other types are passed unchanged.
 */
export function platformCache(spec: string, platform: string): string {
  const attrs = cacheAttributes(spec);
  if (!attrs) return spec;
  const slug = platformSlug(platform);
  switch (attrs.type) {
    case 'registry':
      if (attrs.ref) attrs.ref = platformRef(attrs.ref, slug);
      break;
    case 'local':
      for (const key of ['src', 'dest'] as const) if (attrs[key]) attrs[key] = `${attrs[key]!.replace(/[\\/]+$/, '')}/${slug}`;
      break;
    case 'gha':
      attrs.scope = `${attrs.scope ?? 'buildkit'}-${slug}`;
      break;
    case 's3':
    case 'azblob':
      attrs.name = `${attrs.name ?? 'buildkit'}-${slug}`;
      break;
    default:
      return spec;
  }
  return formatAttributes(attrs);
}

export interface LaneCache {
  from: string[];
  to: string[];
}

/** The platform's caches: the form's, each made the platform's own; or, with none given and `registryCache`, one registry cache per platform. */
export function laneCache(request: Pick<BuildRequest, 'cacheFrom' | 'cacheTo' | 'tags'>, platform: string, registryCache: boolean): LaneCache {
  if (request.cacheFrom.length || request.cacheTo.length || !registryCache) {
    return { from: request.cacheFrom.map((c) => platformCache(c, platform)), to: request.cacheTo.map((c) => platformCache(c, platform)) };
  }
  const ref = defaultCacheRef(digestRepository(request), platform);
  return { from: [`type=registry,ref=${ref}`], to: [`type=registry,ref=${ref},mode=max`] };
}

export interface LaneArgvOptions {
  /** The builder that runs it: the user's, or the app's single-node builder for a chosen node. */
  builder: string;
  registryCache: boolean;
  metadataFile?: string;
  progress?: 'rawjson' | 'plain';
}

/** `docker buildx build` of one platform, pushing by digest (arguments after `docker`). */
export function laneArgv(request: BuildRequest, platform: string, options: LaneArgvOptions): string[] {
  const cache = laneCache(request, platform, options.registryCache);
  const one: BuildRequest = { ...request, builder: options.builder, platforms: [normalizePlatform(platform)], tags: [], cacheFrom: cache.from, cacheTo: cache.to };
  return buildArgv(one, {
    output: digestOutput(digestRepository(request)),
    ...(options.metadataFile ? { metadataFile: options.metadataFile } : {}),
    ...(options.progress ? { progress: options.progress } : {}),
  });
}

/**
 * buildx has no "build on node X" flag: it routes each platform itself (see `../buildx/routing`).
 * To build on one node of a multi-node builder, the app makes a builder of that node alone with
 * the `remote` driver, pointed at the node's own BuildKit (its address for a `remote` node; for a
 * `docker-container` node its container, through BuildKit's `docker-container://` connection, on
 * the node's Docker context when it has one). It is the same daemon with the same local cache,
 * only reached without buildx's routing; the app removes that builder when the platform is done.
 * Returns undefined for nodes that cannot be reached this way (kubernetes pods, the docker driver).
 */
export function nodeEndpoint(node: { name: string; endpoint: string; local: boolean }, driver: string): string | undefined {
  if (driver === 'remote') return node.endpoint;
  if (driver === 'docker-container') {
    const container = `buildx_buildkit_${node.name}`;
    // A node on another Docker context is reached through that context; an engine address is not a context.
    if (node.local || !node.endpoint || node.endpoint.includes('://')) return node.local ? `docker-container://${container}` : undefined;
    return `docker-container://${container}?context=${encodeURIComponent(node.endpoint)}`;
  }
  return undefined;
}

/** The remote driver's TLS options of a node, carried to its single-node builder. */
const TLS_OPTS = ['cacert', 'cert', 'key', 'servername'];

export function nodeBuilderArgs(name: string, endpoint: string, driverOpts: Readonly<Record<string, string>> = {}): string[] {
  const opts = Object.entries(driverOpts)
    .filter(([k]) => TLS_OPTS.includes(k))
    .flatMap(([k, v]) => ['--driver-opt', `${k}=${v}`]);
  return ['buildx', 'create', '--name', name, '--driver', 'remote', ...opts, endpoint];
}

export const removeBuilderArgs = (name: string): string[] => ['buildx', 'rm', name];

/** The app's name for a platform's single-node builder: unique per build and platform, recognisable for clean-up. */
export const NODE_BUILDER_PREFIX = 'multiarch-node-';
export const nodeBuilderName = (buildId: string, platform: string): string => `${NODE_BUILDER_PREFIX}${buildId.slice(-8)}-${platformSlug(platform)}`;

/** A platform's commands (arguments after `docker`): make the node's own builder, build, remove that builder; or just the build on a whole builder. */
export function laneCommands(request: BuildRequest, platform: string, runner: string, registryCache: boolean, reach?: { endpoint: string; driverOpts: Readonly<Record<string, string>> }): string[][] {
  const build = laneArgv(request, platform, { builder: runner, registryCache });
  return reach ? [nodeBuilderArgs(runner, reach.endpoint, reach.driverOpts), build, removeBuilderArgs(runner)] : [build];
}

/** `docker buildx imagetools create` of one index from the platforms' digests, under every tag (arguments after `docker`). */
export function mergeArgv(tags: readonly string[], sources: readonly string[]): string[] {
  return ['buildx', 'imagetools', 'create', ...tags.flatMap((t) => ['-t', t]), ...sources];
}

/** A platform's pushed image: `repository@digest`. */
export const digestSource = (request: Pick<BuildRequest, 'tags'>, digest: string): string => `${digestRepository(request)}@${digest}`;

/** A placeholder that stands for a digest not known yet in a command shown before the build. */
export const digestPlaceholder = (platform: string): string => `<digest of ${normalizePlatform(platform)}>`;

export const displayArgv = (argv: readonly string[]): string => ['docker', ...argv].map(shellWord).join(' ');
