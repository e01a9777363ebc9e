/**
 * The buildx command lines the Builders domain runs, as argv arrays (never a shell). Pure, so the
 * renderer can preview exactly what the core will run.
 */
export type CreateDriver = 'docker-container' | 'remote' | 'kubernetes' | 'docker';

export interface CreateSpec {
  name: string;
  driver: CreateDriver;
  endpoint?: string;
  /** BuildKit image for docker-container / kubernetes (`--driver-opt image=...`). */
  buildkitImage?: string;
  platforms: readonly string[];
  /** `key=value` each, e.g. `network=host`. */
  driverOpts: readonly string[];
  buildkitdFlags?: string;
  buildkitdConfig?: string;
  node?: string;
  bootstrap: boolean;
}

export interface AppendSpec {
  builder: string;
  endpoint: string;
  node: string;
  platforms: readonly string[];
  driverOpts: readonly string[];
  buildkitdFlags?: string;
  bootstrap: boolean;
}

/** Drivers that run BuildKit from an image the user may pin. */
export const IMAGE_DRIVERS: readonly string[] = ['docker-container', 'kubernetes'];

const hasImageOpt = (opts: readonly string[]) => opts.some((o) => o.startsWith('image='));

/** `--buildkitd-config` since buildx 0.13; `--config` before. */
export function createArgs(spec: CreateSpec, options: { configFlag?: '--buildkitd-config' | '--config' } = {}): string[] {
  const args = ['buildx', 'create', '--name', spec.name, '--driver', spec.driver];
  if (spec.node) args.push('--node', spec.node);
  if (spec.platforms.length > 0) args.push('--platform', spec.platforms.join(','));
  for (const opt of spec.driverOpts) args.push('--driver-opt', opt);
  if (spec.buildkitImage && IMAGE_DRIVERS.includes(spec.driver) && !hasImageOpt(spec.driverOpts)) {
    args.push('--driver-opt', `image=${spec.buildkitImage}`);
  }
  if (spec.buildkitdFlags?.trim()) args.push('--buildkitd-flags', spec.buildkitdFlags.trim());
  if (spec.buildkitdConfig) args.push(options.configFlag ?? '--buildkitd-config', spec.buildkitdConfig);
  if (spec.bootstrap) args.push('--bootstrap');
  if (spec.endpoint) args.push(spec.endpoint);
  return args;
}

export function appendArgs(spec: AppendSpec): string[] {
  const args = ['buildx', 'create', '--append', '--name', spec.builder, '--node', spec.node];
  if (spec.platforms.length > 0) args.push('--platform', spec.platforms.join(','));
  for (const opt of spec.driverOpts) args.push('--driver-opt', opt);
  if (spec.buildkitdFlags?.trim()) args.push('--buildkitd-flags', spec.buildkitdFlags.trim());
  if (spec.bootstrap) args.push('--bootstrap');
  args.push(spec.endpoint);
  return args;
}

/**
 * Pins platforms on an existing node: `create --append` with the node's name updates it, and takes
 * those platforms off the builder's other nodes. A remote node needs its address again. buildx
 * rewrites a docker-container node's daemon flags when none are given, so they are given as they are.
 */
export function pinArgs(builder: string, driver: string, node: { name: string; endpoint: string; buildkitdFlags: readonly string[] }, platforms: readonly string[]): string[] {
  const args = ['buildx', 'create', '--append', '--name', builder, '--node', node.name, '--platform', platforms.join(',')];
  if (driver !== 'remote' && node.buildkitdFlags.length > 0) args.push('--buildkitd-flags', node.buildkitdFlags.map(quote).join(' '));
  if (driver === 'remote') args.push(node.endpoint);
  return args;
}

export const leaveArgs = (builder: string, node: string) => ['buildx', 'create', '--leave', '--name', builder, '--node', node];
export const buildxUseArgs = (name: string) => ['buildx', 'use', name];
export const stopArgs = (name: string) => ['buildx', 'stop', name];
export const removeArgs = (name: string, keepState: boolean) => ['buildx', 'rm', ...(keepState ? ['--keep-state'] : []), name];
export const inspectArgs = (name: string | undefined, bootstrap: boolean) => [
  'buildx',
  'inspect',
  ...(bootstrap ? ['--bootstrap'] : []),
  ...(name ? [name] : []),
];
export const lsJsonArgs = () => ['buildx', 'ls', '--format', 'json'];
export const lsTextArgs = () => ['buildx', 'ls'];

/** The container buildx runs for a docker-container node. */
export const containerName = (node: string) => `buildx_buildkit_${node}`;

/** The first free `<builder><n>` node name, the way buildx names nodes itself. */
export function nextNodeName(builder: string, taken: readonly string[]): string {
  for (let i = 0; ; i++) {
    const candidate = `${builder}${i}`;
    if (!taken.includes(candidate)) return candidate;
  }
}

/** A POSIX-shell rendering for display and copying (never executed). */
export function previewCommand(args: readonly string[]): string {
  return ['docker', ...args].map(quote).join(' ');
}

function quote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
