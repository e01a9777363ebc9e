import { describe, expect, it } from 'vitest';
import type { BuildRecord } from '../../../shared/contract/builds';
import type { CheckReport, IntegritySummary } from '../../../shared/contract/integrity';
import { RpcError } from '../../../shared/rpc/errors';
import { buildCheckTarget, checkAfterBuild, summarize } from './after-build';

const digest = `sha256:${'a'.repeat(64)}`;

function record(output: BuildRecord['request']['output'], extra: Partial<BuildRecord> = {}): BuildRecord {
  return {
    schema: 1,
    id: '20261206-120000-abcd1234',
    request: { context: '/src', tags: ['127.0.0.1:5000/app:1'], platforms: ['linux/amd64', 'linux/arm64'], buildArgs: [], output, provenance: false, sbom: false, noCache: false, pull: false, cacheFrom: [], cacheTo: [] },
    command: 'docker buildx build …',
    builder: { name: 'default' },
    platforms: ['linux/amd64', 'linux/arm64'],
    status: 'succeeded',
    startedAt: '2026-12-06T12:00:00.000Z',
    outcomes: [],
    digest,
    imageNames: ['127.0.0.1:5000/app:1'],
    logFile: '/x/build.log',
    logBytes: 0,
    ...extra,
  };
}

const platform = (name: string, status: 'clean' | 'mismatch' | 'error', extra: object = {}) => ({
  platform: name,
  manifestDigest: digest,
  status,
  elfFiles: 3,
  regularFiles: 9,
  mismatches: [],
  mismatchCount: 0,
  missingInterpreters: [],
  missingInterpreterCount: 0,
  layers: [],
  ...extra,
});

const report = (platforms: CheckReport['platforms'], status: CheckReport['status']): CheckReport => ({
  reference: 'x',
  digest,
  source: 'registry',
  status,
  platforms,
  bytesRead: 0,
  layersRead: 0,
  layersReused: 0,
  checkedAt: '2026-12-06T12:01:00.000Z',
  durationMs: 5,
});

describe('the check after a build', () => {
  it('checks what was pushed by its digest, what was loaded in the engine, and nothing else', () => {
    expect(buildCheckTarget(record({ type: 'push' }))).toEqual({ reference: `127.0.0.1:5000/app:1@${digest}`, source: 'registry' });
    // A name that carries a digest already (any algorithm) is pinned to the one this build pushed.
    const older = `sha384:${'c'.repeat(96)}`;
    expect(buildCheckTarget(record({ type: 'push' }, { imageNames: [`[::1]:5000/app:1@${older}`] }))).toEqual({ reference: `[::1]:5000/app:1@${digest}`, source: 'registry' });
    expect(buildCheckTarget(record({ type: 'load' }))).toEqual({ reference: '127.0.0.1:5000/app:1', source: 'engine' });
    expect(buildCheckTarget(record({ type: 'oci', dest: '/tmp/x.tar' }))).toBeUndefined();
    expect(buildCheckTarget(record({ type: 'push' }, { status: 'failed' }))).toBeUndefined();
    expect(buildCheckTarget(record({ type: 'push' }, { imageNames: [], request: { ...record({ type: 'push' }).request, tags: [] } }))).toBeUndefined();
  });

  it('says in one line which platform carries what, or how many ELF files were fine', () => {
    const mismatch = platform('linux/arm64', 'mismatch', {
      mismatches: [{ path: '/usr/bin/tool', found: 'x86-64, 64-bit LSB', foundPlatforms: ['linux/amd64'], layer: { index: 1, digest } }],
      mismatchCount: 3,
    });
    expect(summarize(report([platform('linux/amd64', 'clean'), mismatch], 'mismatch'), 'ref')).toMatchObject({
      status: 'mismatch',
      mismatchPlatforms: ['linux/arm64'],
      message: 'linux/arm64: /usr/bin/tool is x86-64, 64-bit LSB (+2 more)',
    });
    expect(summarize(report([platform('linux/amd64', 'clean'), platform('linux/arm64', 'clean')], 'clean'), 'ref').message).toBe('No foreign binaries: 6 ELF files on 2 platforms.');
  });

  it('records "checking" first, then the verdict; a check that fails is recorded as such', async () => {
    const written: IntegritySummary[] = [];
    const deps = { record: async (_id: string, s: IntegritySummary) => void written.push(s), log: () => undefined };
    await checkAfterBuild(record({ type: 'push' }), { ...deps, integrity: { check: async () => report([platform('linux/amd64', 'clean')], 'clean') } });
    expect(written.map((s) => s.status)).toEqual(['checking', 'clean']);
    written.length = 0;
    await checkAfterBuild(record({ type: 'push' }), {
      ...deps,
      integrity: {
        check: async () => {
          throw new RpcError('REGISTRY_UNREACHABLE', 'Cannot reach the registry 127.0.0.1:5000.');
        },
      },
    });
    expect(written[1]).toMatchObject({ status: 'error', message: 'Cannot reach the registry 127.0.0.1:5000.' });
  });
});
