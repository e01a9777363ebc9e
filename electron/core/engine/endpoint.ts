import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineEndpoint } from '../../../shared/contract/engine';
import { RpcError } from '../../../shared/rpc/errors';

export interface ResolvedEndpoint extends EngineEndpoint {
  /** TLS material for tcp:// endpoints (from DOCKER_CERT_PATH or the context's tls folder). */
  tlsFiles?: { ca?: string; cert?: string; key?: string; verify: boolean };
}

export interface EndpointInputs {
  env: Record<string, string | undefined>;
  homeDir: string;
  platform: NodeJS.Platform;
  /** Injected so tests can describe a machine without touching the real one. */
  fileExists?: (path: string) => boolean;
}

/**
 * Finds the engine the way the docker CLI does: DOCKER_HOST, then DOCKER_CONTEXT, then the
 * current context in the CLI's config.json, then the platform default.
 */
export function resolveEndpoint({ env, homeDir, platform, fileExists = existsSync }: EndpointInputs): ResolvedEndpoint {
  const configDir = env.DOCKER_CONFIG || join(homeDir, '.docker');

  const dockerHost = env.DOCKER_HOST?.trim();
  if (dockerHost) {
    return {
      host: dockerHost,
      source: 'DOCKER_HOST',
      detail: 'the DOCKER_HOST environment variable',
      tls: isTls(dockerHost, env),
      ...envTls(dockerHost, env, configDir),
    };
  }

  const envContext = env.DOCKER_CONTEXT?.trim();
  if (envContext && envContext !== 'default') {
    return fromContext(envContext, configDir, 'DOCKER_CONTEXT', `context "${envContext}" from the DOCKER_CONTEXT environment variable`);
  }

  const configPath = join(configDir, 'config.json');
  const current = envContext ? undefined : readCurrentContext(configPath);
  if (current && current !== 'default') {
    return fromContext(current, configDir, 'config', `current context "${current}" in ${configPath}`);
  }

  return platformDefault(platform, homeDir, env, fileExists);
}

function platformDefault(
  platform: NodeJS.Platform,
  homeDir: string,
  env: Record<string, string | undefined>,
  fileExists: (path: string) => boolean,
): ResolvedEndpoint {
  if (platform === 'win32') {
    return { host: 'npipe:////./pipe/docker_engine', source: 'default', detail: 'the Windows default named pipe', tls: false };
  }
  const system = '/var/run/docker.sock';
  if (fileExists(system)) return { host: `unix://${system}`, source: 'default', detail: 'the default socket', tls: false };
  const desktop = join(homeDir, '.docker', 'run', 'docker.sock');
  if (fileExists(desktop)) return { host: `unix://${desktop}`, source: 'default', detail: "Docker Desktop's socket", tls: false };
  const rootless = env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'docker.sock') : undefined;
  if (rootless && fileExists(rootless)) {
    return { host: `unix://${rootless}`, source: 'default', detail: 'the rootless Docker socket', tls: false };
  }
  return { host: `unix://${system}`, source: 'default', detail: 'the default socket (not found on this machine)', tls: false };
}

function readCurrentContext(configPath: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch {
    return undefined; // no config.json: the CLI uses the default context too
  }
  try {
    const parsed = JSON.parse(text) as { currentContext?: unknown };
    return typeof parsed.currentContext === 'string' && parsed.currentContext ? parsed.currentContext : undefined;
  } catch (error) {
    throw new RpcError('DOCKER_CONFIG_INVALID', `${configPath} is not valid JSON: ${(error as Error).message}`, {
      hint: 'Fix or remove the file; the docker CLI cannot read it either.',
    });
  }
}

/** Contexts live in `contexts/meta/<sha256(name)>/meta.json`; TLS files beside them under `contexts/tls/`. */
function fromContext(
  name: string,
  configDir: string,
  source: 'DOCKER_CONTEXT' | 'config',
  detail: string,
): ResolvedEndpoint {
  const id = createHash('sha256').update(name).digest('hex');
  const metaPath = join(configDir, 'contexts', 'meta', id, 'meta.json');
  let meta: { Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } } };
  try {
    meta = JSON.parse(readFileSync(metaPath, 'utf8')) as typeof meta;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new RpcError(
      'DOCKER_CONTEXT_INVALID',
      missing ? `Docker context "${name}" does not exist (no ${metaPath}).` : `Docker context "${name}" is unreadable: ${(error as Error).message}`,
      { hint: `Run \`docker context ls\` to see the contexts, then \`docker context use <name>\` or unset ${source === 'config' ? 'currentContext in config.json' : 'DOCKER_CONTEXT'}.` },
    );
  }
  const host = meta.Endpoints?.docker?.Host;
  if (typeof host !== 'string' || !host) {
    throw new RpcError('DOCKER_CONTEXT_INVALID', `Docker context "${name}" has no docker endpoint in ${metaPath}.`, {
      hint: 'Recreate the context with `docker context create`.',
    });
  }
  const tlsDir = join(configDir, 'contexts', 'tls', id, 'docker');
  const file = (f: string) => (existsSync(join(tlsDir, f)) ? join(tlsDir, f) : undefined);
  const verify = meta.Endpoints?.docker?.SkipTLSVerify !== true;
  const tlsFiles = { ca: file('ca.pem'), cert: file('cert.pem'), key: file('key.pem'), verify };
  const tls = host.startsWith('tcp://') && (Boolean(tlsFiles.cert) || Boolean(tlsFiles.ca));
  return { host, source, detail, context: name, tls, ...(tls ? { tlsFiles } : {}) };
}

function isTls(host: string, env: Record<string, string | undefined>): boolean {
  return host.startsWith('tcp://') && (Boolean(env.DOCKER_TLS_VERIFY) || Boolean(env.DOCKER_CERT_PATH));
}

function envTls(host: string, env: Record<string, string | undefined>, configDir: string): Partial<ResolvedEndpoint> {
  if (!isTls(host, env)) return {};
  const dir = env.DOCKER_CERT_PATH || configDir;
  return {
    tlsFiles: {
      ca: join(dir, 'ca.pem'),
      cert: join(dir, 'cert.pem'),
      key: join(dir, 'key.pem'),
      verify: Boolean(env.DOCKER_TLS_VERIFY) && env.DOCKER_TLS_VERIFY !== '0',
    },
  };
}

/**
 * The environment that makes a docker CLI child talk to the same engine as the app.
 * A context is passed by name so the CLI applies its own TLS/SSH settings.
 */
export function cliEnvFor(endpoint: EngineEndpoint, base: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  if (endpoint.context) {
    delete env.DOCKER_HOST;
    env.DOCKER_CONTEXT = endpoint.context;
  } else {
    delete env.DOCKER_CONTEXT;
    env.DOCKER_HOST = endpoint.host;
  }
  return env;
}
