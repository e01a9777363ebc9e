import { describe, expect, it } from 'vitest';
import { InsecureRegistries, hostOnly, isLoopbackHost, type EngineRegistryConfig } from './insecure-registries';

// The engine's RegistryConfig as `GET /info` reports it on the stack (plus one --insecure-registry entry).
const stackConfig: EngineRegistryConfig = {
  InsecureRegistryCIDRs: ['127.0.0.0/8', '10.20.0.0/16'],
  IndexConfigs: {
    'docker.io': { Name: 'docker.io', Secure: true },
    'myreg.lan:5000': { Name: 'myreg.lan:5000', Secure: false },
  },
};

const resolver = (table: Record<string, string[]>) => async (host: string) => {
  const found = table[host];
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return found;
};

describe('plain HTTP is allowed only for loopback and insecure registries', () => {
  it('recognises loopback hosts', () => {
    expect(hostOnly('[::1]:5000')).toBe('::1');
    expect(hostOnly('127.0.0.1:5000')).toBe('127.0.0.1');
    expect(hostOnly('Localhost:5000')).toBe('localhost');
    for (const h of ['localhost', '127.0.0.1', '127.9.8.7', '::1', 'registry.localhost']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['128.0.0.1', '10.0.0.1', 'example.com', '::2', 'localhost.example.com']) expect(isLoopbackHost(h), h).toBe(false);
  });

  it('follows the engine: IndexConfigs with Secure=false, and addresses inside InsecureRegistryCIDRs', async () => {
    const insecure = new InsecureRegistries(async () => stackConfig, resolver({ 'build.lan': ['10.20.3.4'], 'public.example': ['93.184.216.34'] }));
    expect(await insecure.allowsPlainHttp('127.0.0.1:5000')).toBe(true);
    expect(await insecure.allowsPlainHttp('myreg.lan:5000')).toBe(true);
    expect(await insecure.allowsPlainHttp('10.20.0.9:5000')).toBe(true);
    expect(await insecure.allowsPlainHttp('build.lan:5000')).toBe(true);
    expect(await insecure.allowsPlainHttp('public.example')).toBe(false);
    expect(await insecure.allowsPlainHttp('10.21.0.1:5000')).toBe(false);
    expect(await insecure.allowsPlainHttp('docker.io')).toBe(false);
    expect(await insecure.allowsPlainHttp('unresolvable.example')).toBe(false);
  });

  it('without the engine, only loopback', async () => {
    const insecure = new InsecureRegistries(async () => {
      throw new Error('ENGINE_UNAVAILABLE');
    });
    expect(await insecure.allowsPlainHttp('localhost:5000')).toBe(true);
    expect(await insecure.allowsPlainHttp('myreg.lan:5000')).toBe(false);
  });
});
