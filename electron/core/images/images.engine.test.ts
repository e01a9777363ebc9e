import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageInspection } from '../../../shared/contract/images';
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST } from '../../../shared/domain/manifests/media-types';
import { expectedMachines, parsePlatform } from '../../../shared/domain/platform';
import { stackEnv } from '../testing/stack';
import { startTestCore, waitForEngine, type TestCore } from '../testing/test-core';
import { SMOKE_LABEL } from './smoke-runner';
import { TEST_PLATFORMS, pushTestImages, registryManifest, registryUrl, type PushedTestImages } from '../testing/test-images';

const run = promisify(execFile);
const BINFMT = '/proc/sys/fs/binfmt_misc';
const restoreScript = resolve(__dirname, '../../../scripts/stack/restore-binfmt.sh');

/** The QEMU binfmt entry a platform needs on an x86_64 host (undefined: runs natively). */
function emulatorFor(platform: string): string | undefined {
  const arch = parsePlatform(platform)?.architecture;
  if (arch === 'amd64' || arch === '386') return undefined;
  return `qemu-${arch === 'arm64' ? 'aarch64' : arch}`;
}

async function emulatorInstalled(platform: string): Promise<boolean> {
  const name = emulatorFor(platform);
  if (!name) return true;
  const entry = await readFile(`${BINFMT}/${name}`, 'utf8').catch(() => '');
  return entry.startsWith('enabled');
}

/** Cross-checks the app's rows against the registry's own manifests, read here with plain fetch. */
async function expectRowsMatchRegistry(ref: string, inspection: ImageInspection) {
  const index = await registryManifest(ref);
  expect(inspection.digest).toBe(index.digest);
  const entries = (index.json.manifests ?? []).filter((m) => m.platform?.os !== 'unknown');
  expect(inspection.platforms).toHaveLength(entries.length);
  for (const entry of entries) {
    const platform = [entry.platform!.os, entry.platform!.architecture, entry.platform!.variant].filter(Boolean).join('/');
    const row = inspection.platforms.find((r) => r.platform === platform);
    expect(row, platform).toBeDefined();
    const manifest = await registryManifest(ref, entry.digest);
    const layers = manifest.json.layers ?? [];
    const config = (await (await fetch(registryUrl(ref, 'blobs', manifest.json.config!.digest))).json()) as { created?: string };
    expect(row).toMatchObject({
      digest: entry.digest,
      compressedSize: layers.reduce((sum, l) => sum + l.size, 0),
      layerCount: layers.length,
      configDigest: manifest.json.config!.digest,
      created: config.created,
      expectedMachines: expectedMachines(platform),
    });
    // The layers, not the index entry's size (the manifest's own byte count).
    expect(row!.compressedSize).not.toBe(entry.size);
  }
}

describe('images against the real registry, engine and QEMU', () => {
  const stack = stackEnv();
  let t: TestCore;
  let images: PushedTestImages;

  beforeAll(async () => {
    images = await pushTestImages(stack);
    t = await startTestCore({ env: { ...process.env, DOCKER_HOST: stack.dockerHost } });
    await waitForEngine(t.api, 'connected');
  });

  afterAll(async () => {
    await t?.close();
    await images?.cleanup();
  });

  it('shows a 4-platform Docker manifest list as 4 rows with the registry digests and layer sizes', async () => {
    const inspection = await t.api.images.inspect({ reference: images.list });
    expect(inspection).toMatchObject({ kind: 'docker-manifest-list', mediaType: DOCKER_MANIFEST_LIST, registryUrl: 'http://127.0.0.1:5000', credentials: 'none' });
    expect(inspection.platforms.map((r) => r.platform)).toEqual(TEST_PLATFORMS);
    expect(inspection.platforms.every((r) => r.mediaType === DOCKER_MANIFEST && r.attestations.length === 0)).toBe(true);
    expect(inspection.platforms[2]).toMatchObject({ os: 'linux', architecture: 'arm', variant: 'v7', pullCommand: `docker pull --platform linux/arm/v7 ${images.list}` });
    await expectRowsMatchRegistry(images.list, inspection);
  });

  it('attaches provenance attestations of an OCI index to their platforms and does not count them', async () => {
    const index = await registryManifest(images.oci);
    expect(index.contentType).toBe(OCI_INDEX);
    expect(index.json.manifests).toHaveLength(8);
    // The trap the client avoids by always sending both list types: no OCI Accept type, 404.
    const refused = await fetch(registryUrl(images.oci, 'manifests'), { headers: { Accept: DOCKER_MANIFEST_LIST } });
    expect(refused.status).toBe(404);

    const inspection = await t.api.images.inspect({ reference: images.oci });
    expect(inspection).toMatchObject({ kind: 'oci-index', mediaType: OCI_INDEX, ignoredEntries: 0, orphanAttestations: 0 });
    expect(inspection.platforms.map((r) => r.platform)).toEqual(TEST_PLATFORMS);
    await expectRowsMatchRegistry(images.oci, inspection);
    for (const row of inspection.platforms) {
      expect(row.mediaType).toBe(OCI_MANIFEST);
      const attestation = index.json.manifests!.find((m) => m.annotations?.['vnd.docker.reference.digest'] === row.digest);
      const predicate = (await registryManifest(images.oci, attestation!.digest)).json.layers?.[0]?.annotations?.['in-toto.io/predicate-type'];
      expect(row.attestations).toEqual([{ kind: 'provenance', predicateType: predicate, digest: attestation!.digest }]);
    }
  });

  it('shows a single-platform image as one row and says so', async () => {
    const top = await registryManifest(images.single);
    const inspection = await t.api.images.inspect({ reference: images.single });
    expect(inspection.kind).toBe('single');
    expect(inspection.digest).toBe(top.digest);
    expect(inspection.platforms).toHaveLength(1);
    expect(inspection.platforms[0]).toMatchObject({
      platform: 'linux/arm64',
      digest: top.digest,
      compressedSize: (top.json.layers ?? []).reduce((s, l) => s + l.size, 0),
      layerCount: top.json.layers?.length,
    });
  });

  it('reports requested platforms that the image lacks as missing', async () => {
    const inspection = await t.api.images.inspect({ reference: images.list, requestedPlatforms: ['linux/amd64', 'arm64', 'linux/s390x', 'linux/ppc64le'] });
    expect(inspection.requestedPlatforms).toEqual(['linux/amd64', 'linux/arm64', 'linux/s390x', 'linux/ppc64le']);
    expect(inspection.missingPlatforms).toEqual(['linux/s390x', 'linux/ppc64le']);
    expect(inspection.platforms.filter((r) => r.requested).map((r) => r.platform)).toEqual(['linux/amd64', 'linux/arm64']);
  });

  it('reuses what it learnt per digest, and lists a base image\'s platforms for other domains', async () => {
    const again = await t.api.images.inspect({ reference: images.list });
    expect(again.cached).toBe(true);
    const fresh = await t.api.images.inspect({ reference: images.list, refresh: true });
    expect(fresh.cached).toBe(false);
    expect(fresh.platforms).toEqual(again.platforms);
    const base = await t.core.images.inspector.listPlatforms(stack.baseImage);
    expect(base.platforms).toEqual(expect.arrayContaining(TEST_PLATFORMS));
    expect(base.digest).toBe((await registryManifest(stack.baseImage)).digest);
    const single = await t.core.images.inspector.listPlatforms(images.single);
    expect(single).toMatchObject({ kind: 'single', platforms: ['linux/arm64'] });
    expect(await t.core.images.inspector.listPlatforms(`${images.repository}@${single.digest}`)).toBe(single);
  });

  it('smoke-runs every platform whose emulator is installed and sees the expected machine', async () => {
    let ran = 0;
    for (const platform of TEST_PLATFORMS) {
      // Read just before the run: other tests on this host add and remove emulators.
      const installed = await emulatorInstalled(platform);
      const result = await t.api.images.smokeRun({ reference: images.list, platform });
      expect(result.displayCommand).toBe(`docker run --rm --pull always --platform ${platform} --entrypoint uname ${images.list} -m`);
      if (!installed) {
        expect(result).toMatchObject({ status: 'error', execFormatError: true });
        continue;
      }
      ran += 1;
      expect(result, `${platform}: ${result.error?.message ?? ''}`).toMatchObject({ status: 'match', exitCode: 0, execFormatError: false, platform });
      expect(expectedMachines(platform)).toContain(result.machine);
    }
    // The stack registers QEMU for every test platform and engine tests run one file at a time:
    // a smoke test that skipped a platform would prove nothing about it.
    expect(ran).toBe(TEST_PLATFORMS.length);
    // A custom command is an argv array (no shell): the RUN step's file, written at build time under the same emulator.
    const cat = await t.api.images.smokeRun({ reference: images.oci, platform: 'linux/riscv64', command: ['cat', '/arch'] });
    expect(cat).toMatchObject({ status: 'match', machine: 'riscv64', stdout: 'riscv64\n' });
    const { stdout } = await run('docker', ['ps', '-a', '--filter', `label=${SMOKE_LABEL}`, '--format', '{{.Image}}'], { env: images.env });
    expect(stdout.split('\n').filter((image) => image.startsWith(images.repository))).toEqual([]);
  });

  it('reports a failing command and a platform the image lacks with the exact error', async () => {
    const failing = await t.api.images.smokeRun({ reference: images.list, platform: 'linux/arm64', command: ['ls', '/no-such-dir'] });
    expect(failing).toMatchObject({ status: 'error', exitCode: 1, execFormatError: false });
    expect(failing.error?.message).toMatch(/No such file or directory \(exit code 1\)/);
    const absent = await t.api.images.smokeRun({ reference: images.list, platform: 'linux/s390x' });
    expect(absent.status).toBe('error');
    expect(absent.error?.message).toMatch(/Pulling linux\/s390x of .* failed: .*(no match for platform|not found)/i);
  });

  it('shows exec format error for arm64 once its emulator is removed (restored at once)', async () => {
    const entry = `${BINFMT}/qemu-aarch64`;
    expect(await emulatorInstalled('linux/arm64')).toBe(true);
    // Pull first so the window without the emulator covers only the run itself (others build on this host).
    expect((await t.api.images.smokeRun({ reference: images.single, platform: 'linux/arm64' })).status).toBe('match');
    let result;
    try {
      await writeFile(entry, '-1');
      result = await t.api.images.smokeRun({ reference: images.single, platform: 'linux/arm64' });
    } finally {
      await run(restoreScript, ['--quiet']);
    }
    expect(await emulatorInstalled('linux/arm64')).toBe(true);
    expect(result).toMatchObject({ status: 'error', execFormatError: true });
    expect(`${result.error?.message}\n${result.stderr}`).toMatch(/exec \/bin\/uname: exec format error/);
    expect(result.error?.hint).toMatch(/Emulators page/);
  });

  describe('refusals and failures', () => {
    let server: Server;
    let port = 0;
    let connections = 0;

    beforeAll(async () => {
      // A listener that counts connections proves whether anything was sent.
      server = createServer((socket) => {
        connections += 1;
        socket.destroy();
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as { port: number }).port;
    });
    afterAll(async () => {
      await new Promise((r) => server.close(r));
    });

    it('refuses a malformed reference with BAD_INPUT before any network call', async () => {
      for (const reference of [`127.0.0.1:${port}/Bad/Name:1`, `127.0.0.1:${port}/app:-tag`, `127.0.0.1:${port}/app@sha256:123`, '']) {
        await expect(t.api.images.inspect({ reference })).rejects.toMatchObject({ code: 'BAD_INPUT' });
        await expect(t.api.images.smokeRun({ reference, platform: 'linux/amd64' })).rejects.toMatchObject({ code: 'BAD_INPUT' });
      }
      await expect(t.api.images.inspect({ reference: `127.0.0.1:${port}/app:1`, requestedPlatforms: ['linux/amd64', 'not a platform'] })).rejects.toMatchObject({
        code: 'BAD_INPUT',
        message: expect.stringMatching(/requestedPlatforms.1: Not a platform/),
      });
      await expect(t.api.images.smokeRun({ reference: images.list, platform: 'linux/amd64', command: [] })).rejects.toMatchObject({ code: 'BAD_INPUT' });
      expect(connections).toBe(0);
      // The control: a valid reference does reach the listener.
      await expect(t.api.images.inspect({ reference: `127.0.0.1:${port}/app:1` })).rejects.toMatchObject({ code: 'REGISTRY_UNREACHABLE' });
      expect(connections).toBeGreaterThan(0);
    });

    it('says clearly that a registry is unreachable', async () => {
      const error = await t.api.images.inspect({ reference: '127.0.0.1:1/app:1' }).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'REGISTRY_UNREACHABLE',
        message: 'Cannot reach the registry 127.0.0.1:1: connection refused (nothing listens there) (tried https://127.0.0.1:1/v2/app/manifests/1, http://127.0.0.1:1/v2/app/manifests/1).',
        hint: expect.stringMatching(/Start the local registry/),
      });
    });

    it('says which image was not found', async () => {
      await expect(t.api.images.inspect({ reference: `${images.repository}:no-such-tag` })).rejects.toMatchObject({
        code: 'IMAGE_NOT_FOUND',
        message: expect.stringMatching(/:no-such-tag was not found in 127\.0\.0\.1:5000: MANIFEST_UNKNOWN/),
      });
    });
  });
});
