import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckProgress, CheckReport, IntegritySummary, PlatformCheck } from '../../../shared/contract/integrity';
import { RpcError } from '../../../shared/rpc/errors';
import {
  createFixtures,
  dpkgStatus,
  platformDigest,
  pushBlob,
  pushManifest,
  pushSbomScanner,
  registryJson,
  tagDigest,
  type Fixtures,
  type IndexJson,
  type ManifestJson,
} from '../testing/integrity-fixtures';
import { stackEnv } from '../testing/stack';
import { startTestCore, type TestCore } from '../testing/test-core';

// The real engine, buildx and registry: fixture images built from the stack's busybox base image
// (a real ELF binary of each architecture), pushed, then checked through the real client.
// RUN steps use --network=none: they need no network, and the shared engine's bridge may be away.

let fixtures: Fixtures;
let tc: TestCore;
let base: string;

beforeAll(async () => {
  const stack = stackEnv();
  base = stack.baseImage;
  fixtures = await createFixtures(stack);
  tc = await startTestCore({ env: { ...process.env, DOCKER_HOST: stack.dockerHost } });
});

afterAll(async () => {
  await tc?.close();
  await fixtures?.cleanup();
});

const platformOf = (report: CheckReport, platform: string): PlatformCheck => {
  const p = report.platforms.find((x) => x.platform === platform);
  if (!p) throw new Error(`no ${platform} in the report: ${report.platforms.map((x) => x.platform).join(', ')}`);
  return p;
};

const check = (reference: string, extra: { source?: 'registry' | 'engine' } = {}, onChunk?: (p: CheckProgress) => void) =>
  tc.api.integrity.check({ reference, ...extra }, onChunk ? { onChunk } : {}).result;

/** arm64 and riscv64 variants that carry an x86-64 binary copied from a stage pinned to linux/amd64, plus scripts. */
const MISMATCH_DOCKERFILE = (b: string) => `FROM --platform=linux/amd64 ${b} AS tools
FROM ${b}
COPY --from=tools /bin/busybox /usr/local/bin/tool
COPY --chmod=755 scripts/ /usr/local/bin/
`;

describe('binary check', () => {
  let mismatch: string;

  beforeAll(async () => {
    mismatch = await fixtures.build('mismatch', MISMATCH_DOCKERFILE(base), ['linux/amd64', 'linux/arm64', 'linux/riscv64'], {
      files: {
        'scripts/ok.sh': { content: '#!/bin/sh\necho ok\n' },
        'scripts/needs-bash': { content: '#!/bin/bash\necho hi\n' },
        'scripts/needs-python': { content: '#!/bin/env python3\nprint(1)\n' },
      },
    });
  });

  it('names the arm64 and riscv64 variants carrying an x86-64 binary, with path, found architecture, layer and step; amd64 is clean', async () => {
    const report = await check(mismatch);
    expect(report.status).toBe('mismatch');
    expect(report.platforms.map((p) => p.platform).sort()).toEqual(['linux/amd64', 'linux/arm64', 'linux/riscv64']);
    const amd64 = platformOf(report, 'linux/amd64');
    expect(amd64.status).toBe('clean');
    expect(amd64.mismatches).toEqual([]);
    expect(amd64.elfFiles).toBe(2); // /bin/busybox and the copied tool
    for (const platform of ['linux/arm64', 'linux/riscv64']) {
      const p = platformOf(report, platform);
      expect(p.status).toBe('mismatch');
      expect(p.elfFiles).toBe(2);
      expect(p.mismatchCount).toBe(1);
      const [m] = p.mismatches;
      expect(m!.path).toBe('/usr/local/bin/tool');
      expect(m!.found).toBe('x86-64, 64-bit LSB');
      expect(m!.foundPlatforms).toEqual(['linux/amd64']);
      expect(m!.layer.step).toBe('COPY /bin/busybox /usr/local/bin/tool');
      // the layer named is the one the manifest lists at that index
      const manifest = await registryJson<ManifestJson>(mismatch, 'manifests', p.manifestDigest);
      expect(manifest.layers[m!.layer.index]!.digest).toBe(m!.layer.digest);
      expect(p.expected).toBe(platform === 'linux/arm64' ? 'AArch64, 64-bit LSB' : 'RISC-V, 64-bit LSB');
    }
  });

  it('reports executable scripts whose #! interpreter is not in the image (symlinks resolved inside the image)', async () => {
    const report = await check(mismatch);
    for (const p of report.platforms) {
      expect(p.missingInterpreters.map((m) => [m.path, m.interpreter, m.envProgram ?? ''])).toEqual([
        ['/usr/local/bin/needs-bash', '/bin/bash', ''],
        ['/usr/local/bin/needs-python', '/bin/env', 'python3'],
      ]);
    }
  });

  it('reuses layers checked before by digest (on-disk cache), and reports progress', async () => {
    const fresh = await startTestCore({ dataDir: tc.dataDir, env: { ...process.env, DOCKER_HOST: fixtures.stack.dockerHost } });
    try {
      const chunks: CheckProgress[] = [];
      const report = await fresh.api.integrity.check({ reference: mismatch }, { onChunk: (c) => chunks.push(c) }).result;
      expect(report.layersRead).toBe(0);
      expect(report.layersReused).toBeGreaterThan(0);
      expect(report.platforms.every((p) => p.layers.every((l) => l.cached))).toBe(true);
      expect(platformOf(report, 'linux/arm64').mismatchCount).toBe(1);
      expect(chunks[0]?.phase).toBe('manifests');
      const files = await readdir(join(tc.dataDir, 'layer-cache', 'v1'));
      expect(files.length).toBe(report.layersReused);
    } finally {
      await fresh.core.dispose();
    }
  });

  it('a correct 4-platform image: zero mismatches, ELF files counted per platform; a file added then deleted later is not reported; zstd layers are read', async () => {
    const dockerfile = `FROM --platform=linux/amd64 ${base} AS tools
FROM ${base}
RUN --network=none mkdir -p /usr/bin && cp /bin/busybox /usr/bin/box
COPY --from=tools /bin/busybox /opt/foreign
COPY --from=tools /bin/busybox /opt/gone/foreign
RUN --network=none rm /opt/foreign && rm -rf /opt/gone && mkdir /opt/gone
`;
    const platforms = ['linux/amd64', 'linux/arm64', 'linux/arm/v7', 'linux/riscv64'];
    const gzip = await fixtures.build('clean', dockerfile, platforms);
    const zstd = await fixtures.build('clean-zstd', dockerfile, platforms, { output: 'compression=zstd,force-compression=true,oci-mediatypes=true' });
    for (const ref of [gzip, zstd]) {
      const report = await check(ref);
      expect(report.status).toBe('clean');
      expect(report.platforms.map((p) => [p.platform, p.status, p.elfFiles, p.mismatchCount])).toEqual(
        platforms.map((p) => [p, 'clean', 2, 0]),
      );
    }
    const zstdReport = await check(zstd);
    const layerTypes = new Set(zstdReport.platforms.flatMap((p) => p.layers.map((l) => l.mediaType)));
    expect([...layerTypes]).toEqual(['application/vnd.oci.image.layer.v1.tar+zstd']);
  });

  it('a corrupt (truncated) layer blob gives a clear error for that platform only, no crash', async () => {
    const good = await fixtures.build('for-corrupt', `FROM ${base}\nRUN --network=none echo layer > /layer\n`, ['linux/amd64', 'linux/arm64']);
    const amd64 = await platformDigest(good, 'linux/amd64');
    const arm64 = await platformDigest(good, 'linux/arm64');
    const arm64Manifest = await registryJson<ManifestJson>(good, 'manifests', arm64);
    // The arm64 manifest's last layer replaced by a gzip stream cut in half (stored under its own digest).
    const whole = gzipSync(Buffer.concat([Buffer.alloc(4096, 1), Buffer.from('not even a tar')]));
    const broken = await pushBlob(good, whole.subarray(0, Math.floor(whole.length / 2)));
    const layers = [...arm64Manifest.layers.slice(0, -1), { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...broken }];
    const brokenManifest = { ...arm64Manifest, layers };
    const brokenDigest = await pushManifest(good, 'broken-arm64', brokenManifest);
    const index = await registryJson<IndexJson>(good, 'manifests', '1');
    const size = Buffer.byteLength(JSON.stringify(brokenManifest));
    await pushManifest(good, 'broken', {
      ...index,
      manifests: index.manifests.map((m) => (m.digest === arm64 ? { ...m, digest: brokenDigest, size } : m)),
    });
    const report = await check(good.replace(/:1$/, ':broken'));
    expect(report.status).toBe('error');
    expect(platformOf(report, 'linux/amd64').status).toBe('clean');
    expect(platformOf(report, 'linux/amd64').manifestDigest).toBe(amd64);
    const failed = platformOf(report, 'linux/arm64');
    expect(failed.status).toBe('error');
    expect(failed.error?.code).toBe('BLOB_CORRUPT');
    expect(failed.error?.message).toContain(`The layer ${broken.digest} cannot be read: its compressed data ends early (truncated)`);
  });

  it('cancel stops the check', async () => {
    const call = tc.api.integrity.check({ reference: mismatch.replace(/:1$/, ':1') }, {});
    call.cancel();
    await expect(call.result).rejects.toSatisfy((e: unknown) => e instanceof RpcError && e.code === 'CANCELLED');
  });

  it('an image loaded into the engine is read through the engine', async () => {
    const loaded = await fixtures.build('loaded', MISMATCH_DOCKERFILE(base), ['linux/amd64', 'linux/arm64'], {
      load: true,
      files: { 'scripts/ok.sh': { content: '#!/bin/sh\necho ok\n' } },
    });
    const report = await check(loaded, { source: 'engine' });
    expect(report.source).toBe('engine');
    expect(platformOf(report, 'linux/amd64').status).toBe('clean');
    const arm64 = platformOf(report, 'linux/arm64');
    expect(arm64.status).toBe('mismatch');
    expect(arm64.mismatches.map((m) => [m.path, m.found, m.layer.step])).toEqual([['/usr/local/bin/tool', 'x86-64, 64-bit LSB', 'COPY /bin/busybox /usr/local/bin/tool']]);
  });
});

describe('after a build', () => {
  it('a build that pushed is checked by itself and its History record says which platforms carry foreign binaries', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mas-integrity-build-'));
    try {
      await writeFile(join(dir, 'Dockerfile'), `FROM --platform=linux/amd64 ${base} AS tools\nFROM ${base}\nCOPY --from=tools /bin/busybox /usr/local/bin/tool\n`);
      const tag = `${fixtures.prefix}/built:1`;
      const checked = new Promise<IntegritySummary>((resolve) => {
        const off = tc.api.integrity.onBuildChecked(({ integrity }) => {
          if (integrity.status === 'checking') return;
          off();
          resolve(integrity);
        });
      });
      const record = await tc.api.builds.run({ context: dir, platforms: ['linux/amd64', 'linux/arm64'], tags: [tag], output: { type: 'push' }, provenance: false }).result;
      expect(record.status).toBe('succeeded');
      const summary = await checked;
      expect(summary).toMatchObject({ status: 'mismatch', reference: `${tag}@${record.digest}`, source: 'registry', mismatchPlatforms: ['linux/arm64'] });
      expect(summary.message).toBe('linux/arm64: /usr/local/bin/tool is x86-64, 64-bit LSB');
      expect((await tc.api.builds.get({ id: record.id })).integrity).toEqual(summary);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('compare two platforms', () => {
  it('amd64 vs arm64 of an image that installs one extra file and package only on arm64 lists exactly them', async () => {
    const status = (extra: boolean) =>
      dpkgStatus([{ name: 'base-files', version: '13', arch: 'all' }, ...(extra ? [{ name: 'arm-helper', version: '2.1', arch: 'arm64' }] : [])]);
    const ref = await fixtures.build(
      'compare',
      `FROM ${base}
ARG TARGETARCH
COPY status-\${TARGETARCH} /var/lib/dpkg/status
RUN --network=none if [ "$TARGETARCH" = arm64 ]; then echo extra > /etc/arm64-only; fi
ENV NOTE=\${TARGETARCH}
`,
      ['linux/amd64', 'linux/arm64'],
      { files: { 'status-amd64': { content: status(false) }, 'status-arm64': { content: status(true) } } },
    );
    const report = await tc.api.integrity.compare({ reference: ref, a: 'linux/amd64', b: 'linux/arm64' }).result;
    expect(report.onlyInA).toEqual([]);
    expect(report.onlyInB).toEqual([{ path: '/etc/arm64-only', kind: 'file', size: 6 }]);
    expect(report.packages).toEqual({ source: 'dpkg', onlyInA: [], onlyInB: [{ name: 'arm-helper', version: '2.1', architecture: 'arm64' }], versionDiffs: [] });
    expect(report.config).toEqual([{ field: 'env NOTE', a: 'amd64', b: 'arm64' }]);
    expect(report.sizeDiffs).toEqual([]); // busybox's size differs per architecture, but by less than 10 %
    // With no threshold, busybox's size difference shows.
    const exact = await tc.api.integrity.compare({ reference: ref, a: 'linux/amd64', b: 'linux/arm64', sizePercent: 0, sizeBytes: 0 }).result;
    expect(exact.sizeDiffs.map((d) => d.path)).toContain('/bin/busybox');
  });
});

describe('attestations', () => {
  it('an image built with provenance and SBOM shows them per platform; an SBOM about another manifest is flagged', async () => {
    const scanner = await pushSbomScanner(fixtures);
    const ref = await fixtures.build(
      'attested',
      `FROM ${base}\nARG GREETING=hello\nCOPY status /var/lib/dpkg/status\n`,
      ['linux/amd64', 'linux/arm64'],
      {
        args: ['--attest', `type=sbom,generator=${scanner}`, '--attest', 'type=provenance,mode=max', '--build-arg', 'GREETING=hi'],
        files: { status: { content: dpkgStatus([{ name: 'hello', version: '1.0', arch: 'all' }]) } },
      },
    );
    const report = await tc.api.integrity.attestations({ reference: ref });
    expect(report.warnings).toEqual([]);
    expect(report.entries.map((e) => e.name).sort()).toEqual(['SBOM/provenance for linux/amd64', 'SBOM/provenance for linux/arm64']);
    for (const platform of ['linux/amd64', 'linux/arm64']) {
      const entry = report.entries.find((e) => e.platform === platform)!;
      expect(entry.refersTo).toBe(await platformDigest(ref, platform));
      const sbom = entry.items.find((i) => i.kind === 'sbom')!;
      expect(sbom.subjectMismatch).toBe(false);
      expect(sbom.sbom?.packages).toEqual([{ name: 'hello', version: '1.0', purl: 'pkg:deb/hello@1.0?arch=all' }]);
      const provenance = entry.items.find((i) => i.kind === 'provenance')!.provenance!;
      expect(provenance.buildArgs).toEqual({ GREETING: 'hi' });
      const baseMaterial = provenance.materials.find((m) => m.uri.includes('stack/busybox'));
      expect(baseMaterial?.platform).toBe(platform);
      expect(baseMaterial?.digest).toBe(await tagDigest(base));
    }

    // The arm64 attestation re-attached to the amd64 manifest: its subject no longer matches.
    const index = await registryJson<IndexJson>(ref, 'manifests', '1');
    const amd64 = await platformDigest(ref, 'linux/amd64');
    const arm64 = await platformDigest(ref, 'linux/arm64');
    const moved = index.manifests.map((m) =>
      m.annotations?.['vnd.docker.reference.digest'] === arm64 ? { ...m, annotations: { ...m.annotations, 'vnd.docker.reference.digest': amd64 } } : m,
    );
    await pushManifest(ref, 'moved', { ...index, manifests: moved });
    const movedReport = await tc.api.integrity.attestations({ reference: ref.replace(/:1$/, ':moved') });
    expect(movedReport.warnings).toContain(`The SBOM attached to linux/amd64 is about ${arm64}, not that platform's manifest ${amd64}.`);
  });
});
