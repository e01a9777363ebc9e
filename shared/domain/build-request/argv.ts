import type { BuildOutput, BuildRequest } from './request';

/**
 * The request as `docker buildx build` arguments: an argv array for spawn (never a shell), and
 * the same command quoted for a POSIX shell, for the user to read and copy.
 */

export interface ArgvOptions {
  /** Where buildx writes the result's digests (`--metadata-file`). */
  metadataFile?: string;
  /** `--progress=rawjson` for the app's parser; omitted from the command shown to the user. */
  progress?: 'rawjson' | 'plain' | 'auto';
  /** An `--output` of the app's own instead of the request's (a distributed build pushes each platform by digest). */
  output?: string;
  /** Where buildx really writes an OCI tarball or local export (the app's staging path beside `dest`). */
  outputDest?: string;
  /** `--no-cache-filter`: stages rebuilt without the cache (a measurement busts only the stages it measures). */
  noCacheFilter?: readonly string[];
}

/** The Dockerfile path the build uses: absolute, or taken from the context folder. */
export function resolveDockerfile(request: Pick<BuildRequest, 'context' | 'dockerfile'>): string {
  const file = request.dockerfile?.trim() || 'Dockerfile';
  if (file.startsWith('/') || /^[A-Za-z]:[\\/]/.test(file) || file.startsWith('\\\\')) return file;
  const windows = /^[A-Za-z]:\\/.test(request.context) && !request.context.includes('/');
  const sep = windows ? '\\' : '/';
  const base = request.context.endsWith('/') || request.context.endsWith('\\') ? request.context.slice(0, -1) : request.context;
  return `${base}${sep}${file.replace(/^\.[\\/]/, '')}`;
}

/** One CSV field of `--output` (buildx reads that flag as CSV): quoted when it holds a comma or quote. */
function csvField(field: string): string {
  return /[",\n\r]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

export function outputFlag(output: BuildOutput, dest?: string): string {
  switch (output.type) {
    case 'push':
      return 'type=registry';
    case 'load':
      return 'type=docker';
    case 'oci':
      return ['type=oci', `dest=${dest ?? output.dest}`].map(csvField).join(',');
    case 'local':
      return ['type=local', `dest=${dest ?? output.dest}`].map(csvField).join(',');
    case 'cacheonly':
      return 'type=cacheonly';
  }
}

/** Arguments after `docker`: `buildx build … <context>`. */
export function buildArgv(request: BuildRequest, options: ArgvOptions = {}): string[] {
  const argv = ['buildx', 'build'];
  if (request.builder) argv.push('--builder', request.builder);
  if (options.progress) argv.push(`--progress=${options.progress}`);
  if (options.metadataFile) argv.push('--metadata-file', options.metadataFile);
  argv.push('--platform', request.platforms.join(','));
  argv.push('-f', resolveDockerfile(request));
  for (const tag of request.tags) argv.push('-t', tag);
  for (const arg of request.buildArgs) argv.push('--build-arg', `${arg.key}=${arg.value}`);
  if (request.target) argv.push('--target', request.target);
  argv.push('--output', options.output ?? outputFlag(request.output, options.outputDest));
  argv.push(`--provenance=${request.provenance}`);
  argv.push(`--sbom=${request.sbom}`);
  if (request.noCache) argv.push('--no-cache');
  if (options.noCacheFilter?.length) argv.push('--no-cache-filter', options.noCacheFilter.join(','));
  if (request.pull) argv.push('--pull');
  for (const cache of request.cacheFrom) argv.push('--cache-from', cache);
  for (const cache of request.cacheTo) argv.push('--cache-to', cache);
  argv.push(request.context);
  return argv;
}

/** Quotes one word for a POSIX shell, only when needed. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command a user would type for the same build (without the app's own progress/metadata flags). */
export function displayCommand(request: BuildRequest, binary = 'docker'): string {
  return [binary, ...buildArgv(request)].map(shellWord).join(' ');
}
