import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { carryBuildxPlugin } from '../testing/docker-config';
import { stackEnv } from '../testing/stack';
import { startTestCore, waitForEngine, type TestCore } from '../testing/test-core';
import { registryManifest } from '../testing/test-images';

/**
 * Registry access through an HTTP proxy: a real forward proxy (this test's own, so it can record
 * what arrived) in front of the stack's real registry. The proxy alone knows the registry name
 * `registry.mas-test.invalid:5000` (it forwards it to the stack registry), as a corporate proxy
 * knows names the desktop cannot resolve; the engine lists that name as insecure (plain HTTP).
 */

interface Seen {
  method: string;
  target: string;
  proxyAuthorization: string | undefined;
}

describe('registry access through HTTP_PROXY / HTTPS_PROXY / NO_PROXY', () => {
  const stack = stackEnv();
  let proxy: Server;
  let proxyUrl: string;
  let dir: string;
  const seen: Seen[] = [];
  const record = (method: string, target: string, headers: IncomingHttpHeaders) => seen.push({ method, target, proxyAuthorization: headers['proxy-authorization'] });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mas-test-proxy-'));
    await carryBuildxPlugin(join(dir, 'docker'));
    proxy = createServer((req, res) => {
      // A proxied plain-HTTP request carries the absolute URL.
      record(req.method ?? '', req.url ?? '', req.headers);
      const url = new URL(req.url ?? '');
      if (url.host !== stack.proxiedRegistry) {
        res.writeHead(502).end(`this proxy does not know ${url.host}`);
        return;
      }
      const { 'proxy-authorization': _auth, 'proxy-connection': _conn, ...headers } = req.headers;
      const upstream = request(`http://${stack.registry}${url.pathname}${url.search}`, { method: req.method, headers: { ...headers, host: stack.registry } }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    // HTTPS is tried first: the proxy has no TLS registry to tunnel to, so it refuses the tunnel.
    proxy.on('connect', (req, socket) => {
      record('CONNECT', req.url ?? '', req.headers);
      socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    proxyUrl = `http://alice:s3cret@127.0.0.1:${(proxy.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await new Promise((r) => proxy?.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    seen.length = 0;
  });

  async function core(env: Record<string, string>): Promise<TestCore> {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(https?|no)_proxy$/i.test(k)));
    const t = await startTestCore({ env: { ...clean, DOCKER_HOST: stack.dockerHost, DOCKER_CONFIG: join(dir, 'docker'), ...env } });
    await waitForEngine(t.api, 'connected');
    return t;
  }

  it('reaches a registry only the proxy knows, with the proxy credentials, and reads the same index', async () => {
    const t = await core({ HTTPS_PROXY: proxyUrl, HTTP_PROXY: proxyUrl });
    try {
      const inspection = await t.api.images.inspect({ reference: `${stack.proxiedRegistry}/stack/busybox:1` });
      const direct = await registryManifest(stack.baseImage);
      expect(inspection.digest).toBe(direct.digest);
      expect(inspection.platforms.map((p) => p.digest).sort()).toEqual(direct.json.manifests!.map((m) => m.digest).sort());
      expect(inspection.registryUrl).toBe(`http://${stack.proxiedRegistry}`);

      const auth = `Basic ${Buffer.from('alice:s3cret').toString('base64')}`;
      expect(seen[0]).toEqual({ method: 'CONNECT', target: stack.proxiedRegistry, proxyAuthorization: auth });
      expect(seen).toContainEqual({ method: 'GET', target: `http://${stack.proxiedRegistry}/v2/stack/busybox/manifests/1`, proxyAuthorization: auth });
    } finally {
      await t.close();
    }
  });

  it('goes direct for NO_PROXY hosts (then the name does not resolve) and for loopback registries', async () => {
    const t = await core({ HTTPS_PROXY: proxyUrl, HTTP_PROXY: proxyUrl, NO_PROXY: 'example.com,.mas-test.invalid' });
    try {
      await expect(t.api.images.inspect({ reference: `${stack.proxiedRegistry}/stack/busybox:1` })).rejects.toMatchObject({
        code: 'REGISTRY_UNREACHABLE',
        message: expect.stringContaining('the host name does not resolve'),
      });
      // Loopback is never proxied (as in the docker CLI and engine), NO_PROXY or not.
      const local = await t.api.images.inspect({ reference: stack.baseImage });
      expect(local.platforms.length).toBeGreaterThan(1);
      expect(seen).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('names the proxy when it cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const t = await core({ HTTPS_PROXY: `http://127.0.0.1:${port}`, HTTP_PROXY: `http://127.0.0.1:${port}` });
    try {
      await expect(t.api.images.inspect({ reference: `${stack.proxiedRegistry}/stack/busybox:1` })).rejects.toMatchObject({
        code: 'REGISTRY_UNREACHABLE',
        message: expect.stringMatching(new RegExp(`through the proxy http://127\\.0\\.0\\.1:${port}: connection refused`)),
        hint: expect.stringContaining('NO_PROXY'),
      });
    } finally {
      await t.close();
    }
  });
});
