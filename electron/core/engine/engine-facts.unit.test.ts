import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { engineFacts, type DockerInfo, type DockerVersion } from './engine-facts';

// Real `GET /info` and `GET /version` of the test stack's engines: Docker 26.1.5 (before) and 28.5.2 (now).
const capture = <T>(name: string): T => JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8')) as T;

describe('engine facts from /info and /version', () => {
  it('reads Docker 28.5 with containerd 2.1 and the containerd image store', () => {
    const facts = engineFacts(capture<DockerInfo>('engine-info-28.5.2.json'), capture<DockerVersion>('engine-version-28.5.2.json'));
    expect(facts).toMatchObject({
      serverVersion: '28.5.2+dfsg4',
      apiVersion: '1.51',
      minApiVersion: '1.24',
      platform: 'linux/amd64',
      storageDriver: 'overlayfs',
      containerdImageStore: true,
      osType: 'linux',
      operatingSystem: 'Debian GNU/Linux 12 (bookworm)',
    });
    expect(facts.cpus).toBeGreaterThan(0);
    expect(facts.memoryBytes).toBeGreaterThan(0);
  });

  it('reads Docker 26.1 the same way', () => {
    const facts = engineFacts(capture<DockerInfo>('engine-info-26.1.5.json'), capture<DockerVersion>('engine-version-26.1.5.json'));
    expect(facts).toMatchObject({ serverVersion: '26.1.5+dfsg1', apiVersion: '1.45', platform: 'linux/amd64', storageDriver: 'overlayfs', containerdImageStore: true });
  });

  it('tells the classic image store (graph driver) apart, and copes with an engine that says little', () => {
    const overlay2: DockerInfo = {
      ServerVersion: '20.10.24+dfsg1',
      Driver: 'overlay2',
      DriverStatus: [
        ['Backing Filesystem', 'extfs'],
        ['Supports d_type', 'true'],
        ['Native Overlay Diff', 'true'],
        ['userxattr', 'false'],
      ],
    };
    expect(engineFacts(overlay2, { ApiVersion: '1.41' })).toMatchObject({ storageDriver: 'overlay2', containerdImageStore: false, apiVersion: '1.41' });
    const bare = engineFacts({}, {});
    expect(bare).toMatchObject({ serverVersion: 'unknown', apiVersion: 'unknown', containerdImageStore: false, cpus: 0 });
    expect(bare.minApiVersion).toBeUndefined();
  });
});
