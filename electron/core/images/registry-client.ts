import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { MANIFEST_ACCEPT, bareMediaType } from '../../../shared/domain/manifests/media-types';
import { ManifestFormatError, parseManifestDocument, type ManifestDocument } from '../../../shared/domain/manifests/classify';
import { DEFAULT_REGISTRY, type ImageReference } from '../../../shared/domain/image-reference';
import { RpcError } from '../../../shared/rpc/errors';
import type { CredentialLookup, RegistryCredentials } from './credentials';
import { DigestVerifier } from './digest-stream';
import { createHttpTransport, IdleTimeout, type HttpTransport } from './http-transport';
import { isLoopbackHost } from './insecure-registries';
import { authError, networkReason, registryErrors, statusError, unreachableError } from './registry-errors';
import { parseChallenges, type Challenge } from './www-authenticate';

/**
 * A small Registry HTTP API v2 client: the token flow (WWW-Authenticate Bearer realm /
 * service / scope, Basic, identity tokens), plain HTTP only where allowed, manifests with every
 * Accept type, digests verified. No npm client fitted: the maintained ones ask for one platform's
 * manifest with Docker-only Accept types and do not fall back to plain HTTP for insecure registries.
 */

export interface FetchedManifest {
  /** sha256 of the bytes the registry sent (what Docker-Content-Digest should say). */
  digest: string;
  mediaType: string;
  size: number;
  document: ManifestDocument;
}

export interface RegistryClientOptions {
  credentials: { lookup(registry: string): Promise<CredentialLookup> };
  allowsPlainHttp(registry: string): Promise<boolean>;
  requestTimeoutMs?: number;
  transport?: HttpTransport;
  /** The proxy a URL goes through (to say so when the registry cannot be reached). */
  proxyFor?(url: URL): URL | undefined;
}

const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_CONFIG_BYTES = 8 * 1024 * 1024;
const MAX_REDIRECTS = 5;
const USER_AGENT = 'multiarch-studio';

/** Docker Hub's API is not at docker.io. */
export function apiHost(registry: string): string {
  return registry === DEFAULT_REGISTRY ? 'registry-1.docker.io' : registry;
}

interface RawResponse {
  status: number;
  headers: Headers;
  body: Buffer;
  url: string;
  /** A streamed 2xx body (see `RequestInit.stream`). */
  stream?: Readable;
}

interface RequestInit {
  headers: Record<string, string>;
  signal?: AbortSignal;
  maxBytes: number;
  method?: string;
  body?: string;
  /** Hand a 2xx body over as a stream: the timeout then applies to silence (no byte for that long), not to the whole transfer. */
  stream?: boolean;
}

interface CachedToken {
  header: string;
  expiresAt: number;
}

export class RegistryClient {
  private readonly transport: HttpTransport;
  private readonly timeoutMs: number;
  /** Scheme that worked per registry, so a plain-HTTP registry is not probed over HTTPS every time. */
  private readonly schemes = new Map<string, 'https' | 'http'>();
  private readonly tokens = new Map<string, CachedToken>();

  constructor(private readonly options: RegistryClientOptions) {
    this.transport = options.transport ?? createHttpTransport();
    this.timeoutMs = options.requestTimeoutMs ?? 20_000;
  }

  /** One repository's conversation: credentials looked up once, tokens reused across its requests. */
  async session(ref: ImageReference, signal?: AbortSignal): Promise<RegistrySession> {
    const [lookup, plainHttp] = await Promise.all([this.options.credentials.lookup(ref.registry), this.options.allowsPlainHttp(ref.registry)]);
    signal?.throwIfAborted();
    return new RegistrySession(this, ref, lookup, plainHttp);
  }

  /** @internal */ schemesFor(registry: string, plainHttp: boolean): Array<'https' | 'http'> {
    if (!plainHttp) return ['https'];
    const known = this.schemes.get(registry);
    return known === 'http' ? ['http', 'https'] : ['https', 'http'];
  }

  /** @internal */ rememberScheme(registry: string, scheme: 'https' | 'http'): void {
    this.schemes.set(registry, scheme);
  }

  /** @internal */ token(key: string): string | undefined {
    const t = this.tokens.get(key);
    if (t && t.expiresAt > Date.now()) return t.header;
    this.tokens.delete(key);
    return undefined;
  }

  /** @internal */ storeToken(key: string, header: string, ttlSeconds: number): void {
    // Renew a little early: the token must still be valid when the request reaches the registry.
    this.tokens.set(key, { header, expiresAt: Date.now() + Math.max(10, ttlSeconds - 10) * 1000 });
  }

  /** @internal */ proxyFor(url: URL): URL | undefined {
    return this.options.proxyFor?.(url);
  }

  /** @internal GET (or POST) with a timeout, manual redirects (Authorization is dropped when the origin changes) and a size cap. */
  async get(url: string, init: RequestInit): Promise<RawResponse> {
    const idle = init.stream ? new IdleTimeout(this.timeoutMs) : undefined;
    const timeout = idle?.signal ?? AbortSignal.timeout(this.timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    let current = url;
    let headers: Record<string, string> = { 'User-Agent': USER_AGENT, ...init.headers };
    try {
      for (let hop = 0; ; hop++) {
        const res = await this.transport(current, { method: init.method, headers, body: init.body, signal, maxBytes: init.maxBytes, stream: init.stream });
        const location = res.headers.get('location');
        if (res.status >= 300 && res.status < 400 && location) {
          if (hop >= MAX_REDIRECTS) throw new RpcError('REGISTRY_ERROR', `Too many redirects from ${url}.`);
          const next = new URL(location, current);
          if (next.origin !== new URL(current).origin) {
            const { Authorization: _dropped, ...rest } = headers;
            headers = rest;
          }
          current = next.toString();
          continue;
        }
        if (idle && res.stream) idle.watch(res.stream);
        else idle?.stop();
        return { ...res, url: current };
      }
    } catch (error) {
      idle?.stop();
      throw error;
    }
  }
}

export function sha256Digest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export class RegistrySession {
  readonly credentials: RegistryCredentials | undefined;
  readonly credentialProblem: string | undefined;
  private baseUrl: string | undefined;
  private authHeader: string | undefined;

  constructor(
    private readonly client: RegistryClient,
    readonly ref: ImageReference,
    lookup: CredentialLookup,
    private readonly plainHttp: boolean,
  ) {
    this.credentials = lookup.credentials;
    this.credentialProblem = lookup.problem;
  }

  /** `https://registry-1.docker.io`, `http://127.0.0.1:5000` (known after the first request). */
  get registryUrl(): string {
    return this.baseUrl ?? `https://${apiHost(this.ref.registry)}`;
  }

  get credentialsSource(): string {
    return this.credentials?.source ?? 'none';
  }

  private get scope(): string {
    return `repository:${this.ref.repository}:pull`;
  }

  async manifest(reference: string, signal?: AbortSignal): Promise<FetchedManifest> {
    const res = await this.request(`/v2/${this.ref.repository}/manifests/${reference}`, { Accept: MANIFEST_ACCEPT.join(', ') }, MAX_MANIFEST_BYTES, signal);
    const digest = sha256Digest(res.body);
    if (reference.startsWith('sha256:') && digest !== reference) {
      throw new RpcError('REGISTRY_ERROR', `The registry sent a manifest whose digest is ${digest}, not the ${reference} asked for.`);
    }
    let json: unknown;
    try {
      json = JSON.parse(res.body.toString('utf8'));
    } catch {
      throw new RpcError('REGISTRY_ERROR', `${res.url} did not answer with JSON.`);
    }
    const contentType = bareMediaType(res.headers.get('content-type'));
    let document: ManifestDocument;
    try {
      document = parseManifestDocument(json, contentType);
    } catch (error) {
      if (error instanceof ManifestFormatError) throw new RpcError('MANIFEST_UNSUPPORTED', `${this.ref.familiar}: ${error.message}`);
      throw error;
    }
    return { digest, mediaType: document.mediaType, size: res.body.length, document };
  }

  /** A small JSON blob (a config, an attestation), verified against its digest; refused past `maxBytes`. */
  async blobJson(digest: string, signal?: AbortSignal, maxBytes = MAX_CONFIG_BYTES): Promise<unknown> {
    const res = await this.request(`/v2/${this.ref.repository}/blobs/${digest}`, { Accept: '*/*' }, maxBytes, signal);
    if (digest.startsWith('sha256:') && sha256Digest(res.body) !== digest) {
      throw new RpcError('REGISTRY_ERROR', `The registry sent a blob whose content does not match ${digest}.`);
    }
    try {
      return JSON.parse(res.body.toString('utf8'));
    } catch {
      throw new RpcError('REGISTRY_ERROR', `The blob ${digest} is not JSON.`);
    }
  }

  /**
   * A blob as a stream (a layer: never held in memory), verified as it flows: the stream fails at
   * its end if the bytes are not what `digest` names or not `size` long. `onBytes` counts progress.
   */
  async blobStream(digest: string, options: { size?: number; signal?: AbortSignal; onBytes?: (n: number) => void } = {}): Promise<Readable> {
    const res = await this.request(`/v2/${this.ref.repository}/blobs/${digest}`, { Accept: '*/*' }, MAX_CONFIG_BYTES, options.signal, true);
    if (!res.stream) throw new RpcError('REGISTRY_ERROR', `${res.url} answered without a body.`);
    const verifier = new DigestVerifier(digest, options.size, options.onBytes);
    res.stream.on('error', (error) => verifier.destroy(this.interrupted(error, digest, options.signal)));
    return res.stream.pipe(verifier);
  }

  private interrupted(error: unknown, digest: string, signal?: AbortSignal): Error {
    if (signal?.aborted) return new RpcError('CANCELLED', 'Cancelled.');
    const { reason } = networkReason(error);
    return new RpcError('REGISTRY_UNREACHABLE', `Reading the blob ${digest} from ${this.ref.registry} failed: ${reason}.`, {
      hint: 'Check the registry and your network, then try again.',
    });
  }

  private async request(path: string, headers: Record<string, string>, maxBytes: number, signal?: AbortSignal, stream = false): Promise<RawResponse> {
    let res = await this.send(path, headers, maxBytes, signal, stream);
    if (res.status === 401) {
      const challenges = parseChallenges(res.headers.get('www-authenticate'));
      await this.authenticate(challenges, signal);
      res = await this.send(path, headers, maxBytes, signal, stream);
    }
    if (res.status >= 200 && res.status < 300) return res;
    throw statusError(this, res);
  }

  /** Picks the scheme on the first request: HTTPS, then plain HTTP where allowed when HTTPS cannot connect. */
  private async send(path: string, headers: Record<string, string>, maxBytes: number, signal?: AbortSignal, stream = false): Promise<RawResponse> {
    const withAuth = this.authHeader ? { ...headers, Authorization: this.authHeader } : headers;
    if (this.baseUrl) return this.fetchOrExplain(`${this.baseUrl}${path}`, { headers: withAuth, maxBytes, signal, stream });
    const host = apiHost(this.ref.registry);
    const schemes = this.client.schemesFor(this.ref.registry, this.plainHttp);
    const tried: string[] = [];
    let lastError: unknown;
    for (const scheme of schemes) {
      const base = `${scheme}://${host}`;
      try {
        const res = await this.client.get(`${base}${path}`, { headers: withAuth, signal, maxBytes, stream });
        this.baseUrl = base;
        this.client.rememberScheme(this.ref.registry, scheme);
        return res;
      } catch (error) {
        if (error instanceof RpcError || signal?.aborted) throw error;
        tried.push(`${base}${path}`);
        lastError = error;
      }
    }
    throw this.unreachable(lastError, tried);
  }

  private async fetchOrExplain(url: string, init: RequestInit): Promise<RawResponse> {
    try {
      return await this.client.get(url, init);
    } catch (error) {
      if (error instanceof RpcError || init.signal?.aborted) throw error;
      throw this.unreachable(error, [url]);
    }
  }

  private unreachable(error: unknown, tried: string[]): RpcError {
    const last = tried[tried.length - 1];
    return unreachableError(this.ref, error, tried, { plainHttp: this.plainHttp, proxy: last ? this.client.proxyFor(new URL(last)) : undefined });
  }

  private async authenticate(challenges: Challenge[], signal?: AbortSignal): Promise<void> {
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const basic = challenges.find((c) => c.scheme === 'basic');
    const creds = this.credentials;
    if (bearer) {
      this.authHeader = await this.bearerToken(bearer.params, signal);
      return;
    }
    if (basic && creds?.username !== undefined && creds.password !== undefined) {
      this.authHeader = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
      return;
    }
    throw authError(this, basic ? 'it asks for a user name and password' : 'it asks for an authentication scheme this app does not speak');
  }

  private async bearerToken(params: Record<string, string>, signal?: AbortSignal): Promise<string> {
    const creds = this.credentials;
    if (creds?.registryToken) return `Bearer ${creds.registryToken}`;
    const realm = params.realm;
    if (!realm) throw authError(this, 'its Bearer challenge has no realm');
    let realmUrl: URL;
    try {
      realmUrl = new URL(realm);
    } catch {
      throw authError(this, `its token realm "${realm}" is not a URL`);
    }
    const realmPlainOk = realmUrl.protocol === 'http:' && (this.plainHttp || isLoopbackHost(realmUrl.hostname.replace(/^\[|\]$/g, '')));
    if (realmUrl.protocol !== 'https:' && !realmPlainOk) throw authError(this, `its token realm ${realm} is not HTTPS`);
    const scope = params.scope ?? this.scope;
    const service = params.service ?? '';
    const key = `${realm}|${service}|${scope}|${creds?.source ?? 'anonymous'}|${creds?.username ?? ''}`;
    const cached = this.client.token(key);
    if (cached) return cached;

    let res: RawResponse;
    if (creds?.identityToken) {
      // OAuth2 refresh-token grant, as the docker CLI does with an identity token.
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken, service, scope, client_id: USER_AGENT, access_type: 'offline' });
      res = await this.realmRequest(realmUrl.toString(), { 'Content-Type': 'application/x-www-form-urlencoded' }, signal, 'POST', form.toString());
    } else {
      if (service) realmUrl.searchParams.set('service', service);
      realmUrl.searchParams.set('scope', scope);
      const headers: Record<string, string> = {};
      if (creds?.username !== undefined && creds.password !== undefined) {
        headers.Authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
      }
      res = await this.realmRequest(realmUrl.toString(), headers, signal);
    }
    if (res.status === 401 || res.status === 403) throw authError(this, `the token service refused ${creds ? `the credentials from ${creds.source}` : 'anonymous access'}`);
    if (res.status < 200 || res.status >= 300) throw new RpcError('REGISTRY_AUTH', `The token service ${realmUrl.origin} answered HTTP ${res.status}: ${registryErrors(res.body).text || 'no details'}.`);
    let answer: { token?: string; access_token?: string; expires_in?: number };
    try {
      answer = JSON.parse(res.body.toString('utf8')) as typeof answer;
    } catch {
      throw new RpcError('REGISTRY_AUTH', `The token service ${realmUrl.origin} did not answer with JSON.`);
    }
    const token = answer.token ?? answer.access_token;
    if (!token) throw new RpcError('REGISTRY_AUTH', `The token service ${realmUrl.origin} answered without a token.`);
    const header = `Bearer ${token}`;
    this.client.storeToken(key, header, typeof answer.expires_in === 'number' ? answer.expires_in : 60);
    return header;
  }

  private async realmRequest(url: string, headers: Record<string, string>, signal?: AbortSignal, method?: string, body?: string): Promise<RawResponse> {
    try {
      return await this.client.get(url, { headers, signal, maxBytes: 1024 * 1024, method, body });
    } catch (error) {
      if (error instanceof RpcError || signal?.aborted) throw error;
      const { reason } = networkReason(error);
      throw new RpcError('REGISTRY_UNREACHABLE', `Cannot reach the token service of ${this.ref.registry} at ${new URL(url).origin}: ${reason}.`, {
        hint: 'Check your network and any proxy, then try again.',
      });
    }
  }
}
