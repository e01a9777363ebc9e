import { describe, expect, it } from 'vitest';
import { parseChallenges } from './www-authenticate';

describe('parseChallenges', () => {
  it('reads a Docker Hub bearer challenge', () => {
    expect(
      parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"'),
    ).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' } },
    ]);
  });

  it('keeps commas inside quoted values and reads unquoted ones', () => {
    expect(parseChallenges('Bearer realm="https://ghcr.io/token", service=ghcr.io, scope="repository:a/b:pull,push"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:a/b:pull,push' } },
    ]);
  });

  it('reads several challenges and escaped quotes', () => {
    expect(parseChallenges('Basic realm="Registry \\"Realm\\"", Bearer realm="https://x/token",service="x"')).toEqual([
      { scheme: 'basic', params: { realm: 'Registry "Realm"' } },
      { scheme: 'bearer', params: { realm: 'https://x/token', service: 'x' } },
    ]);
  });

  it('returns nothing for a missing header and survives junk', () => {
    expect(parseChallenges(undefined)).toEqual([]);
    expect(parseChallenges('')).toEqual([]);
    expect(parseChallenges('Negotiate abc123==, Basic realm=x')).toEqual([
      { scheme: 'negotiate', params: {} },
      { scheme: 'basic', params: { realm: 'x' } },
    ]);
  });
});
