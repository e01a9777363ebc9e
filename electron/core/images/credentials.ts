import { spawn } from 'node:child_process';
import type { ProcessGate } from '../process-gate';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_REGISTRY } from '../../../shared/domain/image-reference';

/**
 * The user's registry credentials, found the way the docker CLI finds them: `$DOCKER_CONFIG` or
 * `~/.docker`, then `credHelpers[host]`, else `credsStore`, else `auths[host]` (base64 `user:pass`
 * or an identity token). Helpers run as `docker-credential-<name> get` with the server address on
 * stdin: an argv array, never a shell.
 */

/** Docker Hub's credentials are stored under the v1 index address, not `docker.io`. */
export const DOCKER_HUB_SERVER = 'https://index.docker.io/v1/';
const HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

export interface RegistryCredentials {
  username?: string;
  password?: string;
  /** OAuth refresh token (`identitytoken`, or a helper's `<token>` user): exchanged at the token realm. */
  identityToken?: string;
  /** A bearer token to send as is. */
  registryToken?: string;
  /** Where they came from, for the UI: `config.json auths`, `credential helper "pass"`. */
  source: string;
}

export interface CredentialLookup {
  credentials?: RegistryCredentials;
  /** Why a configured source gave nothing usable (a failing helper, a corrupt entry). */
  problem?: string;
}

const authEntry = z.object({
  auth: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  identitytoken: z.string().optional(),
  registrytoken: z.string().optional(),
});

const configSchema = z.object({
  auths: z.record(z.string(), authEntry).optional(),
  credsStore: z.string().optional(),
  credHelpers: z.record(z.string(), z.string()).optional(),
});
type DockerConfig = z.infer<typeof configSchema>;

const helperAnswer = z.object({ ServerURL: z.string().optional(), Username: z.string().optional(), Secret: z.string() });

const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** The server address the CLI stores a registry's credentials under. */
export function serverAddressFor(registry: string): string {
  return HUB_HOSTS.has(registry.toLowerCase()) ? DOCKER_HUB_SERVER : registry;
}

/** `https://host:5000/v1/` → `host:5000` (the CLI's ConvertToHostname), Hub aliases folded to docker.io. */
export function hostnameOf(key: string): string {
  const bare = key.replace(/^https?:\/\//i, '').split('/')[0] ?? '';
  const lower = bare.toLowerCase();
  return HUB_HOSTS.has(lower) ? DEFAULT_REGISTRY : lower;
}

export interface DockerCredentialsOptions {
  env: Record<string, string | undefined>;
  homeDir: string;
  helperTimeoutMs?: number;
  /** The core's bound on processes: a helper is a process like any docker command. */
  gate?: ProcessGate;
}

export class DockerCredentials {
  private readonly env: Record<string, string | undefined>;
  private readonly homeDir: string;
  private readonly helperTimeoutMs: number;
  private readonly gate: ProcessGate | undefined;

  constructor(options: DockerCredentialsOptions) {
    this.env = options.env;
    this.homeDir = options.homeDir;
    this.helperTimeoutMs = options.helperTimeoutMs ?? 10_000;
    this.gate = options.gate;
  }

  get configDir(): string {
    return this.env.DOCKER_CONFIG || join(this.homeDir, '.docker');
  }

  /** Read on each lookup so a `docker login` in another window is seen without a restart. */
  private async readConfig(): Promise<{ config?: DockerConfig; problem?: string }> {
    const path = join(this.configDir, 'config.json');
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      return { problem: `Cannot read ${path}: ${(error as Error).message}` };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      return { problem: `${path} is not valid JSON (${(error as Error).message}); registries are accessed anonymously.` };
    }
    const parsed = configSchema.safeParse(json);
    if (!parsed.success) return { problem: `${path} has an unexpected shape (${parsed.error.issues[0]?.message ?? 'invalid'}); registries are accessed anonymously.` };
    return { config: parsed.data };
  }

  async lookup(registry: string): Promise<CredentialLookup> {
    const { config, problem } = await this.readConfig();
    if (!config) return problem ? { problem } : {};
    const server = serverAddressFor(registry);
    const host = hostnameOf(server);
    const helper = config.credHelpers?.[server] ?? findByHost(config.credHelpers ?? {}, host) ?? config.credsStore;
    if (helper) {
      const fromHelper = await this.fromHelper(helper, server);
      // The CLI falls back to the file only when no helper is configured; a helper that has nothing means anonymous.
      return fromHelper;
    }
    const entry = config.auths?.[server] ?? findByHost(config.auths ?? {}, host);
    if (!entry) return {};
    return fromAuthEntry(entry);
  }

  private async fromHelper(name: string, server: string): Promise<CredentialLookup> {
    if (!HELPER_NAME.test(name)) return { problem: `Credential helper name "${name}" in ${this.configDir}/config.json is not valid.` };
    const release = this.gate ? await this.gate.acquire() : () => undefined;
    try {
      return await this.runHelper(name, server);
    } finally {
      release();
    }
  }

  private runHelper(name: string, server: string): Promise<CredentialLookup> {
    const binary = `docker-credential-${name}`;
    const source = `credential helper "${name}"`;
    return new Promise((resolve) => {
      const child = spawn(binary, ['get'], { env: this.env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'], shell: false, windowsHide: true });
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve({ problem: `${binary} did not answer within ${Math.round(this.helperTimeoutMs / 1000)} s.` });
      }, this.helperTimeoutMs);
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      child.on('error', (error) => {
        clearTimeout(timer);
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        resolve({
          problem: missing
            ? `${binary} is configured in ${this.configDir}/config.json but is not on PATH.`
            : `${binary} could not be started: ${error.message}`,
        });
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        const said = (stdout.trim() || stderr.trim()).split('\n')[0] ?? '';
        if (code !== 0) {
          // The helpers' protocol: "credentials not found in native keychain" means anonymous, not a failure.
          resolve(/credentials not found/i.test(said) ? {} : { problem: `${binary} get failed (exit ${code}): ${said || 'no output'}` });
          return;
        }
        let answer: z.infer<typeof helperAnswer>;
        try {
          answer = helperAnswer.parse(JSON.parse(stdout));
        } catch {
          resolve({ problem: `${binary} get printed something that is not its JSON answer.` });
          return;
        }
        if (answer.Username === '<token>') resolve({ credentials: { identityToken: answer.Secret, source } });
        else resolve({ credentials: { username: answer.Username ?? '', password: answer.Secret, source } });
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(server);
    });
  }
}

function findByHost<T>(table: Record<string, T>, host: string): T | undefined {
  for (const [key, value] of Object.entries(table)) if (hostnameOf(key) === host) return value;
  return undefined;
}

export function fromAuthEntry(entry: z.infer<typeof authEntry>): CredentialLookup {
  const source = 'config.json auths';
  if (entry.registrytoken) return { credentials: { registryToken: entry.registrytoken, source } };
  if (entry.identitytoken) return { credentials: { identityToken: entry.identitytoken, username: entry.username, source } };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) return { problem: 'The auths entry in config.json is not base64 of user:password.' };
    return { credentials: { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), source } };
  }
  if (entry.username && entry.password) return { credentials: { username: entry.username, password: entry.password, source } };
  return {};
}

/** The engine's X-Registry-Auth for a pull with these credentials. */
export function engineAuthConfig(credentials: RegistryCredentials | undefined, registry: string): Record<string, string> | undefined {
  if (!credentials) return undefined;
  const serveraddress = serverAddressFor(registry);
  if (credentials.registryToken) return { registrytoken: credentials.registryToken, serveraddress };
  if (credentials.identityToken) return { identitytoken: credentials.identityToken, serveraddress };
  if (credentials.username !== undefined && credentials.password !== undefined) {
    return { username: credentials.username, password: credentials.password, serveraddress };
  }
  return undefined;
}
