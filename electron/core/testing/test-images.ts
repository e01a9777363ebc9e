import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseImageReference } from '../../../shared/domain/image-reference';
import { MANIFEST_ACCEPT } from '../../../shared/domain/manifests/media-types';
import type { StackEnv } from './stack';

/**
 * Test images for the images domain (engine tests and e2e): built with the real buildx CLI from
 * the stack's multi-platform base image and pushed to the stack's registry under a unique name.
 */

const run = promisify(execFile);

export const TEST_PLATFORMS = ['linux/amd64', 'linux/arm64', 'linux/arm/v7', 'linux/riscv64'];

export interface PushedTestImages {
  /** `127.0.0.1:5000/mas-test-<random>/app` */
  repository: string;
  /** Docker manifest list (`--provenance=false`), 4 platforms. */
  list: string;
  /** OCI index with provenance attestations, 4 platforms. */
  oci: string;
  /** One platform (linux/arm64), no index. */
  single: string;
  env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

export async function pushTestImages(stack: StackEnv, options: { single?: boolean; oci?: boolean } = {}): Promise<PushedTestImages> {
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: stack.dockerHost };
  // Without this a user's env could turn attestations off for the "provenance on" image.
  delete env.BUILDX_NO_DEFAULT_ATTESTATIONS;
  const repository = `${stack.registry}/mas-test-${randomBytes(5).toString('hex')}/app`;
  const dir = await mkdtemp(join(tmpdir(), 'mas-test-images-'));
  await writeFile(join(dir, 'Dockerfile'), `FROM ${stack.baseImage}\nRUN uname -m > /arch\n`);
  const build = (tag: string, platforms: string[], provenance: boolean) =>
    // `--builder default`: another test may have switched the current builder.
    run(
      'docker',
      ['buildx', 'build', '--builder', 'default', '--platform', platforms.join(','), `--provenance=${provenance}`, '--push', '-t', `${repository}:${tag}`, dir],
      { env, maxBuffer: 32 * 1024 * 1024 },
    );
  const images: PushedTestImages = {
    repository,
    list: `${repository}:list`,
    oci: `${repository}:oci`,
    single: `${repository}:single`,
    env,
    async cleanup() {
      await rm(dir, { recursive: true, force: true });
      for (const ref of [images.list, images.oci, images.single]) {
        // The registry keeps the repository folder, but its manifests go.
        const digest = await registryDigest(ref).catch(() => undefined);
        if (digest) await fetch(registryUrl(ref, 'manifests', digest), { method: 'DELETE' }).catch(() => undefined);
        await run('docker', ['image', 'rm', '--force', ref], { env }).catch(() => undefined);
      }
    },
  };
  try {
    await build('list', TEST_PLATFORMS, false);
    if (options.oci !== false) await build('oci', TEST_PLATFORMS, true);
    if (options.single !== false) await build('single', ['linux/arm64'], false);
  } catch (error) {
    await images.cleanup();
    const e = error as { stderr?: string; message: string };
    throw new Error(`pushing the test images failed: ${e.stderr?.split('\n').slice(-15).join('\n') ?? e.message}`);
  }
  return images;
}

/**
 * The stack registry's HTTP API address for the repository of `ref`, read with the app's image-reference
 * parser: `127.0.0.1:5000/a/b:tag` → `http://127.0.0.1:5000/v2/a/b/manifests/tag` (the tag, else the digest, unless given).
 */
export function registryUrl(ref: string, kind: 'manifests' | 'blobs', reference?: string): string {
  const parsed = parseImageReference(ref);
  if (!parsed.ok) throw new Error(`${ref}: ${parsed.error}`);
  return `http://${parsed.ref.registry}/v2/${parsed.ref.repository}/${kind}/${reference ?? parsed.ref.tag ?? parsed.ref.digest ?? 'latest'}`;
}

/** Reads a manifest straight from the registry with plain fetch (the test's own view, independent of the app). */
export async function registryManifest(ref: string, reference?: string): Promise<{ digest: string; contentType: string; json: RegistryJson }> {
  const url = registryUrl(ref, 'manifests', reference);
  const res = await fetch(url, { headers: { Accept: MANIFEST_ACCEPT.join(', ') } });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${await res.text()}`);
  return { digest: res.headers.get('docker-content-digest') ?? '', contentType: res.headers.get('content-type') ?? '', json: (await res.json()) as RegistryJson };
}

/** Deletes a manifest, by digest, of the repository of `ref` (`127.0.0.1:5000/a/b`, a tag is ignored): test clean-up, never fails the test. */
export async function deleteRegistryManifest(ref: string, digest: string): Promise<void> {
  await fetch(registryUrl(ref, 'manifests', digest), { method: 'DELETE' }).then((res) => res.body?.cancel(), () => undefined);
}

/**
 * Deletes what each tagged reference (`127.0.0.1:5000/a/b:tag`) points to, e.g. the registry caches
 * a distributed build leaves per platform: test clean-up, never fails the test.
 */
export async function deleteRegistryTags(refs: readonly string[]): Promise<void> {
  for (const ref of refs) {
    const digest = await registryDigest(ref).catch(() => undefined);
    if (digest) await deleteRegistryManifest(ref, digest);
  }
}

/** The platforms an index lists, attestation entries (unknown/unknown) left out, sorted. */
export function indexPlatforms(json: RegistryJson): string[] {
  return (json.manifests ?? [])
    .map((m) => (m.platform ? `${m.platform.os}/${m.platform.architecture}${m.platform.variant ? `/${m.platform.variant}` : ''}` : 'unknown/unknown'))
    .filter((p) => p !== 'unknown/unknown')
    .sort();
}

export async function registryDigest(ref: string): Promise<string> {
  return (await registryManifest(ref)).digest;
}

export interface RegistryJson {
  mediaType?: string;
  manifests?: Array<{ digest: string; size: number; platform?: { os: string; architecture: string; variant?: string }; annotations?: Record<string, string> }>;
  config?: { digest: string };
  layers?: Array<{ digest: string; size: number; annotations?: Record<string, string> }>;
  created?: string;
}
