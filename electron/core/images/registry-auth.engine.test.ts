import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate, createPrivateKey, randomBytes, sign } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { carryBuildxPlugin } from '../testing/docker-config';
import { stackEnv } from '../testing/stack';
import { startTestCore, waitForEngine, type TestCore } from '../testing/test-core';
import { registryManifest } from '../testing/test-images';

/**
 * The token flow against a real distribution registry (the stack's binary) configured for token
 * auth, serving a copy of the stack's base image read-only. The token service is this test's own: the
 * stack has none, and it lets the test see what the client sent (and refuse on demand).
 */

const run = promisify(execFile);
const SERVICE = 'mas-test-registry';
const ISSUER = 'mas-test-issuer';
const USER = 'alice';
const PASSWORD = 'pa:ss';
const REFRESH_TOKEN = 'refresh-abc';

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

interface TokenRequest {
  method: string;
  service: string | null;
  scope: string | null;
  authorization: string | undefined;
  grant?: string;
  refreshToken?: string;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => resolve(body));
  });
}

describe('registry token flow against a real token-auth registry', () => {
  const stack = stackEnv();
  let dir: string;
  let tokenServer: Server;
  let registry: ChildProcess;
  let registryHost: string;
  let certDer: Buffer;
  let keyPem: string;
  const tokenRequests: TokenRequest[] = [];

  function mintToken(scope: string | null): string {
    const access = (scope ?? '')
      .split(' ')
      .filter(Boolean)
      .map((s) => {
        const [type = '', name = '', actions = ''] = s.split(':');
        return { type, name, actions: actions.split(',') };
      });
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'ES256', typ: 'JWT', x5c: [certDer.toString('base64')] };
    const claims = { iss: ISSUER, sub: USER, aud: SERVICE, exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(input), { key: createPrivateKey(keyPem), dsaEncoding: 'ieee-p1363' });
    return `${input}.${b64url(signature)}`;
  }

  async function core(env: Record<string, string>): Promise<TestCore> {
    const t = await startTestCore({ env: { ...process.env, DOCKER_HOST: stack.dockerHost, ...env } });
    await waitForEngine(t.api, 'connected');
    return t;
  }

  async function dockerConfig(name: string, config: unknown): Promise<string> {
    const configDir = join(dir, name);
    await carryBuildxPlugin(configDir);
    await writeFile(join(configDir, 'config.json'), JSON.stringify(config));
    return configDir;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mas-test-auth-'));
    await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=mas-test-token-issuer',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')]);
    keyPem = await readFile(join(dir, 'key.pem'), 'utf8');
    certDer = new X509Certificate(await readFile(join(dir, 'cert.pem'))).raw;

    tokenServer = createHttpServer((req, res) => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://x');
        const body = req.method === 'POST' ? new URLSearchParams(await readBody(req)) : undefined;
        const record: TokenRequest = {
          method: req.method ?? '',
          service: body?.get('service') ?? url.searchParams.get('service'),
          scope: body?.get('scope') ?? url.searchParams.get('scope'),
          authorization: req.headers.authorization,
          ...(body ? { grant: body.get('grant_type') ?? '', refreshToken: body.get('refresh_token') ?? '' } : {}),
        };
        tokenRequests.push(record);
        const basicOk = req.headers.authorization === `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
        const refreshOk = record.grant === 'refresh_token' && record.refreshToken === REFRESH_TOKEN;
        res.setHeader('Content-Type', 'application/json');
        if (!basicOk && !refreshOk) {
          res.statusCode = 401;
          res.end(JSON.stringify({ details: 'incorrect username or password' }));
          return;
        }
        const token = mintToken(record.scope);
        res.end(JSON.stringify(refreshOk ? { access_token: token, expires_in: 300 } : { token, expires_in: 300 }));
      })();
    });
    await new Promise<void>((r) => tokenServer.listen(0, '127.0.0.1', r));
    const tokenPort = (tokenServer.address() as { port: number }).port;

    const port = await freePort();
    registryHost = `127.0.0.1:${port}`;
    // The stack registry keeps its content in memory, so this one gets its own copy of the base
    // image: served without auth first, filled by a plain copy of the whole index (the stack's skopeo: this is
    // set-up, not the subject, and buildx 0.29's imagetools create sometimes put a manifest before its blobs
    // into a registry just started), then restarted with token auth.
    const storage = ['storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'registry-data')}`];
    const http = ['http:', `  addr: ${registryHost}`];
    registry = await serveRegistry('fill.yml', [...storage, ...http], 200);
    await run('skopeo', ['copy', '--all', '--preserve-digests', '--src-tls-verify=false', '--dest-tls-verify=false', '--quiet', `docker://${stack.baseImage}`, `docker://${registryHost}/stack/busybox:1`]);
    await stopRegistry();
    registry = await serveRegistry(
      'auth.yml',
      [
        ...storage,
        '  maintenance:',
        '    readonly:',
        '      enabled: true',
        ...http,
        'auth:',
        '  token:',
        `    realm: http://127.0.0.1:${tokenPort}/token`,
        `    service: ${SERVICE}`,
        `    issuer: ${ISSUER}`,
        `    rootcertbundle: ${join(dir, 'cert.pem')}`,
      ],
      401,
    );
  });

  /** Starts the stack's registry binary with `lines` and waits until `/v2/` answers `ready`. */
  async function serveRegistry(name: string, lines: string[], ready: number): Promise<ChildProcess> {
    await writeFile(join(dir, name), ['version: 0.1', 'log:', '  level: warn', ...lines, ''].join('\n'));
    const child = spawn('/usr/bin/docker-registry', ['serve', join(dir, name)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    for (let i = 0; ; i++) {
      const status = await fetch(`http://${registryHost}/v2/`).then((r) => r.status, () => 0);
      if (status === ready) return child;
      if (i > 100 || child.exitCode !== null) throw new Error(`the test registry (${name}) did not start: ${log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function stopRegistry(): Promise<void> {
    if (!registry || registry.exitCode !== null) return;
    const exited = new Promise((r) => registry.once('exit', r));
    registry.kill('SIGTERM');
    await exited;
  }

  afterAll(async () => {
    await stopRegistry();
    await new Promise((r) => tokenServer?.close(r));
    // A process that wrote into it may still be letting go of a file: retry as rm does for that race.
    await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  });

  it('gets a bearer token with the config.json credentials, for the repository pull scope, and reuses it', async () => {
    const configDir = await dockerConfig('auths', { auths: { [registryHost]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } });
    const t = await core({ DOCKER_CONFIG: configDir });
    try {
      tokenRequests.length = 0;
      const inspection = await t.api.images.inspect({ reference: `${registryHost}/stack/busybox:1` });
      const plain = await registryManifest(stack.baseImage);
      expect(inspection.digest).toBe(plain.digest);
      expect(inspection.platforms).toHaveLength(plain.json.manifests!.length);
      expect(inspection.credentials).toBe('config.json auths');
      expect(inspection.registryUrl).toBe(`http://${registryHost}`);
      // 1 index + 8 manifests + 8 configs, and one token for all of them.
      expect(tokenRequests).toEqual([
        { method: 'GET', service: SERVICE, scope: 'repository:stack/busybox:pull', authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` },
      ]);
    } finally {
      await t.close();
    }
  });

  it('exchanges an identity token from a credential helper (OAuth refresh grant)', async () => {
    const bin = join(dir, 'bin');
    await mkdir(bin, { recursive: true });
    await writeFile(join(bin, 'docker-credential-fake'), `#!/bin/sh\nread -r server\nprintf '{"ServerURL":"%s","Username":"<token>","Secret":"${REFRESH_TOKEN}"}' "$server"\n`);
    await chmod(join(bin, 'docker-credential-fake'), 0o755);
    const configDir = await dockerConfig('helper', { credsStore: 'fake' });
    const t = await core({ DOCKER_CONFIG: configDir, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` });
    try {
      tokenRequests.length = 0;
      const inspection = await t.api.images.inspect({ reference: `${registryHost}/stack/busybox:1` });
      expect(inspection.credentials).toBe('credential helper "fake"');
      expect(tokenRequests).toEqual([
        { method: 'POST', service: SERVICE, scope: 'repository:stack/busybox:pull', authorization: undefined, grant: 'refresh_token', refreshToken: REFRESH_TOKEN },
      ]);
    } finally {
      await t.close();
    }
  });

  it('says to log in when there are no credentials, and which credentials were refused', async () => {
    const anonymous = await core({ DOCKER_CONFIG: await dockerConfig('none', {}) });
    try {
      await expect(anonymous.api.images.inspect({ reference: `${registryHost}/stack/busybox:1` })).rejects.toMatchObject({
        code: 'REGISTRY_AUTH',
        message: `${registryHost} refused access to stack/busybox: the token service refused anonymous access.`,
        hint: expect.stringContaining(`docker login ${registryHost}`),
      });
    } finally {
      await anonymous.close();
    }
    const wrong = await core({ DOCKER_CONFIG: await dockerConfig('wrong', { auths: { [registryHost]: { auth: Buffer.from(`${USER}:nope`).toString('base64') } } }) });
    try {
      await expect(wrong.api.images.inspect({ reference: `${registryHost}/stack/busybox:1` })).rejects.toMatchObject({
        code: 'REGISTRY_AUTH',
        message: expect.stringContaining('the token service refused the credentials from config.json auths'),
      });
    } finally {
      await wrong.close();
    }
  });

  it('pulls for a smoke run with the same credentials passed to the engine', async () => {
    const configDir = await dockerConfig('auths-smoke', { auths: { [registryHost]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } });
    const t = await core({ DOCKER_CONFIG: configDir });
    const ref = `${registryHost}/stack/busybox:1`;
    try {
      tokenRequests.length = 0;
      const result = await t.api.images.smokeRun({ reference: ref, platform: 'linux/arm64' });
      expect(result, result.error?.message).toMatchObject({ status: 'match', machine: 'aarch64', pulled: true });
      // The engine itself fetched a token with the user's credentials.
      expect(tokenRequests.some((r) => r.authorization === `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`)).toBe(true);
    } finally {
      await t.close();
      await run('docker', ['image', 'rm', '--force', ref], { env: { ...process.env, DOCKER_HOST: stack.dockerHost } }).catch(() => undefined);
    }
  });
});
