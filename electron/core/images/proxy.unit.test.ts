import { describe, expect, it } from 'vitest';
import { proxyFor } from './proxy';

const P = 'http://proxy.corp:3128/';
const at = (url: string, env: Record<string, string>) => proxyFor(new URL(url), env)?.href;

describe('proxyFor (the rules of the docker CLI and engine)', () => {
  it('takes HTTPS_PROXY for https and HTTP_PROXY for http, upper case first, with no fallback between them', () => {
    expect(at('https://ghcr.io/v2/', { HTTPS_PROXY: P })).toBe(P);
    expect(at('http://ghcr.io/v2/', { HTTPS_PROXY: P })).toBeUndefined();
    expect(at('http://ghcr.io/v2/', { http_proxy: P })).toBe(P);
    expect(at('https://ghcr.io/v2/', { HTTPS_PROXY: P, https_proxy: 'http://other:1/' })).toBe(P);
    expect(at('https://ghcr.io/v2/', {})).toBeUndefined();
  });

  it('reads a proxy without a scheme as http://', () => {
    expect(at('https://ghcr.io/v2/', { HTTPS_PROXY: 'proxy.corp:3128' })).toBe(P);
  });

  it('never proxies localhost or loopback addresses', () => {
    for (const url of ['http://localhost:5000/v2/', 'http://127.0.0.1:5000/v2/', 'http://127.8.9.1/v2/', 'http://[::1]:5000/v2/']) {
      expect(at(url, { HTTP_PROXY: P }), url).toBeUndefined();
    }
  });

  it.each([
    ['*', 'https://ghcr.io/v2/', true],
    ['ghcr.io', 'https://ghcr.io/v2/', true],
    ['ghcr.io', 'https://eu.ghcr.io/v2/', true],
    ['ghcr.io', 'https://notghcr.io/v2/', false],
    ['.ghcr.io', 'https://ghcr.io/v2/', false],
    ['.ghcr.io', 'https://eu.ghcr.io/v2/', true],
    ['*.ghcr.io', 'https://eu.ghcr.io/v2/', true],
    ['registry.corp:5000', 'https://registry.corp:5000/v2/', true],
    ['registry.corp:5000', 'https://registry.corp/v2/', false],
    ['registry.corp:443', 'https://registry.corp/v2/', true],
    ['10.0.0.0/8', 'https://10.1.2.3:5000/v2/', true],
    ['10.0.0.0/8', 'https://192.168.1.2/v2/', false],
    ['10.1.2.3', 'https://10.1.2.3:5000/v2/', true],
    ['10.1.2.3:5000', 'https://10.1.2.3:5001/v2/', false],
    ['fd00::/8', 'https://[fd00::5]/v2/', true],
    ['example.com, GHCR.IO', 'https://ghcr.io/v2/', true],
    ['example.com ghcr.io', 'https://ghcr.io/v2/', true],
    ['10.0.0.0/99, 10.0.0.0/x', 'https://10.1.2.3/v2/', false],
  ])('NO_PROXY=%s for %s: bypassed %s', (noProxy, url, bypassed) => {
    expect(at(url, { HTTPS_PROXY: P, NO_PROXY: noProxy })).toBe(bypassed ? undefined : P);
  });

  it('refuses a proxy it cannot use with what to do, and never repeats its password', () => {
    const bad = (value: string) => {
      try {
        proxyFor(new URL('https://ghcr.io/v2/'), { HTTPS_PROXY: value });
      } catch (error) {
        return error as { code: string; message: string; hint?: string };
      }
      throw new Error(`${value} was accepted`);
    };
    const invalid = bad('http://alice:s3cret@[proxy');
    expect(invalid).toMatchObject({ code: 'REGISTRY_ERROR', hint: expect.stringContaining('Set HTTPS_PROXY to an address') });
    expect(invalid.message).toContain('HTTPS_PROXY is not a proxy address');
    expect(invalid.message).not.toContain('s3cret');
    expect(bad('socks5://proxy.corp:1080')).toMatchObject({ code: 'REGISTRY_ERROR', message: expect.stringContaining('is not an HTTP proxy') });
  });
});
