import { describe, expect, it } from 'vitest';
import { parseImageReference } from '../../../shared/domain/image-reference';
import type { HttpTransport } from './http-transport';
import { RegistryClient, apiHost } from './registry-client';
import { networkReason } from './registry-errors';

// Fault injection at the HTTP layer: a non-loopback registry that refuses TLS, and a redirect to
// another origin, are not something the local stack can give. The happy paths run against the real
// registry in images.engine.test.ts and registry-auth.engine.test.ts.

const ref = (text: string) => {
  const parsed = parseImageReference(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.ref;
};

function tlsRefused(): Error {
  return Object.assign(new TypeError('request failed'), { code: 'EPROTO', message: 'write EPROTO ssl3_get_record:wrong version number' });
}

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  status: 200,
  headers: new Headers({ 'content-type': 'application/vnd.oci.image.manifest.v1+json', ...headers }),
  body: Buffer.from(JSON.stringify(body)),
});

const manifest = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { digest: `sha256:${'a'.repeat(64)}`, size: 2 }, layers: [] };

describe('RegistryClient transport rules', () => {
  it('talks to Docker Hub at registry-1.docker.io', () => {
    expect(apiHost('docker.io')).toBe('registry-1.docker.io');
    expect(apiHost('ghcr.io')).toBe('ghcr.io');
  });

  it('never falls back to plain HTTP for a registry that is not loopback or insecure, and says how to allow it', async () => {
    const urls: string[] = [];
    const transport: HttpTransport = async (url) => {
      urls.push(url);
      throw tlsRefused();
    };
    const client = new RegistryClient({ credentials: { lookup: async () => ({}) }, allowsPlainHttp: async () => false, transport });
    const session = await client.session(ref('myreg.example:5000/app:1'));
    await expect(session.manifest('1')).rejects.toMatchObject({
      code: 'REGISTRY_UNREACHABLE',
      message: expect.stringContaining('tried https://myreg.example:5000/v2/app/manifests/1)'),
      hint: expect.stringContaining('"insecure-registries"'),
    });
    expect(urls).toEqual(['https://myreg.example:5000/v2/app/manifests/1']);
  });

  it('falls back to plain HTTP where allowed, and remembers it', async () => {
    const urls: string[] = [];
    const transport: HttpTransport = async (url) => {
      urls.push(url);
      if (url.startsWith('https:')) throw tlsRefused();
      return json(manifest);
    };
    const client = new RegistryClient({ credentials: { lookup: async () => ({}) }, allowsPlainHttp: async () => true, transport });
    const first = await client.session(ref('build.lan:5000/app:1'));
    await first.manifest('1');
    expect(first.registryUrl).toBe('http://build.lan:5000');
    await (await client.session(ref('build.lan:5000/app:1'))).manifest('1');
    expect(urls).toEqual(['https://build.lan:5000/v2/app/manifests/1', 'http://build.lan:5000/v2/app/manifests/1', 'http://build.lan:5000/v2/app/manifests/1']);
  });

  it('drops Authorization when a redirect leaves the registry, and refuses a manifest whose digest differs', async () => {
    const seen: Array<{ url: string; auth?: string }> = [];
    const transport: HttpTransport = async (url, init) => {
      seen.push({ url, auth: init.headers.Authorization });
      if (url.includes('/v2/') && !init.headers.Authorization) {
        return { status: 401, headers: new Headers({ 'www-authenticate': 'Bearer realm="https://auth.example/token",service="reg"' }), body: Buffer.alloc(0) };
      }
      if (url.startsWith('https://auth.example/token')) return json({ token: 'T' }, { 'content-type': 'application/json' });
      if (url.includes('/blobs/')) return { status: 307, headers: new Headers({ location: 'https://cdn.example/blob?sig=1' }), body: Buffer.alloc(0) };
      if (url.startsWith('https://cdn.example/')) return json({ architecture: 'arm64', os: 'linux' });
      return json(manifest);
    };
    const client = new RegistryClient({ credentials: { lookup: async () => ({}) }, allowsPlainHttp: async () => false, transport });
    const session = await client.session(ref('reg.example/app:1'));
    const digest = `sha256:${'b'.repeat(64)}`;
    await expect(session.blobJson(digest)).rejects.toMatchObject({ code: 'REGISTRY_ERROR', message: expect.stringMatching(/does not match/) });
    expect(seen.find((s) => s.url.startsWith('https://reg.example/v2/app/blobs/') && s.auth)?.auth).toBe('Bearer T');
    expect(seen.find((s) => s.url.startsWith('https://cdn.example/'))?.auth).toBeUndefined();
    await expect(session.manifest(digest)).rejects.toMatchObject({ code: 'REGISTRY_ERROR', message: expect.stringMatching(/not the sha256:b+ asked for/) });
  });

  it('puts network failures in words', () => {
    expect(networkReason(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })).reason).toMatch(/connection refused/);
    expect(networkReason(Object.assign(new Error('x'), { code: 'ENOTFOUND' })).reason).toMatch(/does not resolve/);
    expect(networkReason(Object.assign(new Error('aborted'), { name: 'AbortError', cause: { name: 'TimeoutError' } })).reason).toMatch(/did not answer in time/);
    expect(networkReason(tlsRefused())).toMatchObject({ tls: true });
  });
});
