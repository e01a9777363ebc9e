import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MANIFEST_ACCEPT } from '../../../shared/domain/manifests/media-types';
import type { StackEnv } from './stack';
import { registryUrl } from './test-images';

const run = promisify(execFile);

/** The platforms the test base image is pushed for: riscv64 (and the rest) deliberately absent. */
export const BASE_PLATFORMS = ['linux/amd64', 'linux/arm64'];

export interface PushedBase {
  /** `127.0.0.1:5000/mas-test-<random>/base:1` */
  reference: string;
  /** Digest of the pushed index, as the registry reports it. */
  digest: string;
  cleanup(): Promise<void>;
}

/**
 * A base image for the Dockerfile preflight tests (engine and e2e): built with the real buildx CLI
 * from the stack's multi-platform base for amd64 and arm64 only, pushed under a unique name. It
 * has no RUN step, so building it needs no emulator (another test may be removing one).
 */
export async function pushTwoPlatformBase(stack: StackEnv): Promise<PushedBase> {
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: stack.dockerHost };
  const reference = `${stack.registry}/mas-test-${randomBytes(5).toString('hex')}/base:1`;
  const dir = await mkdtemp(join(tmpdir(), 'mas-test-base-'));
  const cleanup = async (digest?: string) => {
    await rm(dir, { recursive: true, force: true });
    // The registry keeps the repository folder, but the index and its per-platform manifests go.
    if (digest) {
      const index = await fetch(registryUrl(reference, 'manifests', digest), { headers: { Accept: MANIFEST_ACCEPT.join(', ') } })
        .then((r) => r.json() as Promise<{ manifests?: Array<{ digest: string }> }>)
        .catch(() => ({ manifests: [] }));
      for (const d of [digest, ...(index.manifests ?? []).map((m) => m.digest)]) {
        await fetch(registryUrl(reference, 'manifests', d), { method: 'DELETE' }).catch(() => undefined);
      }
    }
    await run('docker', ['image', 'rm', '--force', reference], { env }).catch(() => undefined);
  };
  try {
    await writeFile(join(dir, 'marker'), 'two-platform base\n');
    await writeFile(join(dir, 'Dockerfile'), `FROM ${stack.baseImage}\nCOPY marker /marker\n`);
    // `--builder default`: another test may have switched the current builder.
    const argv = ['buildx', 'build', '--builder', 'default', '--platform', BASE_PLATFORMS.join(','), '--provenance=true', '--push', '-t', reference, dir];
    // The docker driver pushes the tag several times at once; the stack's registry (filesystem
    // storage) can answer 500 "invalid checksum digest format" to a HEAD racing a tag write. The
    // push is idempotent, so a second attempt is safe.
    await run('docker', argv, { env, maxBuffer: 32 * 1024 * 1024 }).catch((error: { stderr?: string }) => {
      if (!/500 Internal Server Error/.test(error.stderr ?? '')) throw error;
      return run('docker', argv, { env, maxBuffer: 32 * 1024 * 1024 });
    });
    const res = await fetch(registryUrl(reference, 'manifests'), { headers: { Accept: MANIFEST_ACCEPT.join(', ') } });
    if (!res.ok) throw new Error(`the registry does not have ${reference}: HTTP ${res.status}`);
    const digest = res.headers.get('docker-content-digest') ?? '';
    return { reference, digest, cleanup: () => cleanup(digest) };
  } catch (error) {
    await cleanup();
    const e = error as { stderr?: string; message: string };
    throw new Error(`pushing the test base image failed: ${e.stderr?.split('\n').slice(-15).join('\n') ?? e.message}`);
  }
}
