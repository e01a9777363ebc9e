import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MANIFEST_ACCEPT } from '../../../shared/domain/manifests/media-types';
import type { StackEnv } from './stack';
import { registryUrl } from './test-images';

/**
 * Fixture images for the architecture-integrity tests (engine tests and e2e), built with the real
 * buildx CLI from the stack's busybox base image (a real ELF binary of each architecture) and
 * pushed to the stack's registry under one unique repository per run.
 */

const run = promisify(execFile);

export interface Fixtures {
  stack: StackEnv;
  /** `127.0.0.1:5000/mas-integrity-<random>` */
  prefix: string;
  env: NodeJS.ProcessEnv;
  /** Builds `dockerfile` (plus `files`) for `platforms` and pushes it as `<prefix>/<name>:1`. */
  build(name: string, dockerfile: string, platforms: string[], options?: BuildOptions): Promise<string>;
  cleanup(): Promise<void>;
}

export interface BuildOptions {
  files?: Record<string, { content: string; mode?: number }>;
  /** Extra `docker buildx build` arguments (attestations). */
  args?: string[];
  /** `--output` options after `type=image,name=…,push=true` (compression). */
  output?: string;
  /** Load into the engine's store instead of pushing. */
  load?: boolean;
}

export async function createFixtures(stack: StackEnv): Promise<Fixtures> {
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: stack.dockerHost, BUILDX_NO_DEFAULT_ATTESTATIONS: '1' };
  const prefix = `${stack.registry}/mas-integrity-${randomBytes(5).toString('hex')}`;
  const dirs: string[] = [];
  const refs: string[] = [];
  return {
    stack,
    prefix,
    env,
    async build(name, dockerfile, platforms, options = {}) {
      const dir = await mkdtemp(join(tmpdir(), 'mas-integrity-'));
      dirs.push(dir);
      await writeFile(join(dir, 'Dockerfile'), dockerfile);
      for (const [file, { content, mode }] of Object.entries(options.files ?? {})) {
        await mkdir(join(dir, file, '..'), { recursive: true });
        await writeFile(join(dir, file), content);
        if (mode !== undefined) await chmod(join(dir, file), mode);
      }
      const ref = options.load ? `mas-integrity-${randomBytes(4).toString('hex')}/${name}:1` : `${prefix}/${name}:1`;
      refs.push(ref);
      const output = options.load ? ['--load'] : ['--output', `type=image,name=${ref},push=true${options.output ? `,${options.output}` : ''}`];
      try {
        await run('docker', ['buildx', 'build', '--builder', 'default', '--platform', platforms.join(','), ...(options.args ?? []), ...output, '-t', ref, dir], {
          env,
          maxBuffer: 32 * 1024 * 1024,
        });
      } catch (error) {
        const e = error as { stderr?: string; message: string };
        throw new Error(`building the fixture ${name} failed: ${e.stderr?.split('\n').slice(-15).join('\n') ?? e.message}`);
      }
      return ref;
    },
    async cleanup() {
      for (const dir of dirs) await rm(dir, { recursive: true, force: true });
      for (const ref of refs) {
        if (ref.startsWith(stack.registry)) {
          const digest = await tagDigest(ref).catch(() => '');
          if (digest) await registryRequest(ref, 'manifests', digest, { method: 'DELETE' }).catch(() => undefined);
        }
        await run('docker', ['image', 'rm', '--force', ref], { env }).catch(() => undefined);
      }
    },
  };
}

/** One request to the stack registry's HTTP API for the repository of `ref` (the test's own view, independent of the app). */
export async function registryRequest(ref: string, kind: 'manifests' | 'blobs', reference?: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(registryUrl(ref, kind, reference), {
    ...init,
    headers: { Accept: MANIFEST_ACCEPT.join(', '), ...(init.headers as Record<string, string> | undefined) },
  });
  if (!res.ok && init.method !== 'DELETE') throw new Error(`${init.method ?? 'GET'} ${kind}/${reference}: HTTP ${res.status} ${await res.text()}`);
  return res;
}

export async function registryJson<T>(ref: string, kind: 'manifests' | 'blobs', reference?: string): Promise<T> {
  return (await (await registryRequest(ref, kind, reference)).json()) as T;
}

export const sha256 = (bytes: Buffer | string) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** Uploads a blob in one monolithic POST/PUT; returns its descriptor. */
export async function pushBlob(ref: string, bytes: Buffer): Promise<{ digest: string; size: number }> {
  const digest = sha256(bytes);
  const uploads = registryUrl(ref, 'blobs', 'uploads/');
  const start = await fetch(uploads, { method: 'POST' });
  if (start.status !== 202) throw new Error(`blob upload start: HTTP ${start.status}`);
  const location = new URL(start.headers.get('location')!, uploads);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, { method: 'PUT', body: new Uint8Array(bytes), headers: { 'Content-Type': 'application/octet-stream' } });
  if (put.status !== 201) throw new Error(`blob upload: HTTP ${put.status} ${await put.text()}`);
  return { digest, size: bytes.length };
}

/** PUTs a manifest or index under `reference` (a tag); returns its digest. */
export async function pushManifest(ref: string, reference: string, body: object): Promise<string> {
  const text = JSON.stringify(body);
  const mediaType = (body as { mediaType: string }).mediaType;
  const res = await fetch(registryUrl(ref, 'manifests', reference), { method: 'PUT', body: text, headers: { 'Content-Type': mediaType } });
  if (res.status !== 201) throw new Error(`manifest push: HTTP ${res.status} ${await res.text()}`);
  return sha256(text);
}

export interface IndexJson {
  mediaType: string;
  manifests: Array<{ mediaType: string; digest: string; size: number; platform?: { os: string; architecture: string; variant?: string }; annotations?: Record<string, string> }>;
}
export interface ManifestJson {
  mediaType: string;
  config: { mediaType: string; digest: string; size: number };
  layers: Array<{ mediaType: string; digest: string; size: number; annotations?: Record<string, string> }>;
}

/** What the tag of `ref` points at (the index digest of a multi-platform image). */
export async function tagDigest(ref: string): Promise<string> {
  return (await registryRequest(ref, 'manifests', undefined, { method: 'HEAD' })).headers.get('docker-content-digest') ?? '';
}

/** The platform manifest digest of `platform` in the index at `ref`. */
export async function platformDigest(ref: string, platform: string): Promise<string> {
  const index = await registryJson<IndexJson>(ref, 'manifests');
  const entry = index.manifests.find((m) => m.platform && [m.platform.os, m.platform.architecture, m.platform.variant].filter(Boolean).join('/') === platform);
  if (!entry) throw new Error(`${ref} has no ${platform}`);
  return entry.digest;
}

/**
 * A minimal SBOM generator implementing BuildKit's scanner protocol (reads BUILDKIT_SCAN_SOURCE,
 * writes an in-toto statement with an SPDX 2.3 document to BUILDKIT_SCAN_DESTINATION): it lists the
 * packages of the scanned root filesystem's dpkg status file. Built from the stack's busybox image.
 */
export const SBOM_SCANNER = `set -e
src=\${BUILDKIT_SCAN_SOURCE:?}
out=\${BUILDKIT_SCAN_DESTINATION:?}/$(basename "$src").spdx.json
{
  printf '{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://spdx.dev/Document","subject":[],"predicate":{"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"%s","documentNamespace":"https://multiarch-studio.invalid/test-scanner/%s","creationInfo":{"created":"1970-01-01T00:00:00Z","creators":["Tool: multiarch-studio-test-scanner"]},"packages":[' "$(basename "$src")" "$(date +%s)"
  if [ -f "$src/var/lib/dpkg/status" ]; then
    awk 'function emit() { if (p != "") { if (n++) printf ","; printf "{\\"SPDXID\\":\\"SPDXRef-Package-%s\\",\\"name\\":\\"%s\\",\\"versionInfo\\":\\"%s\\",\\"downloadLocation\\":\\"NOASSERTION\\",\\"externalRefs\\":[{\\"referenceCategory\\":\\"PACKAGE-MANAGER\\",\\"referenceType\\":\\"purl\\",\\"referenceLocator\\":\\"pkg:deb/%s@%s?arch=%s\\"}]}", p, p, v, p, v, a }; p = "" }
      /^Package: / { p = $2 } /^Version: / { v = $2 } /^Architecture: / { a = $2 } /^$/ { emit() } END { emit() }' "$src/var/lib/dpkg/status"
  fi
  printf ']}}'
} > "$out"
`;

/** Builds and pushes the scanner image; returns its reference for `--attest type=sbom,generator=…`. */
export async function pushSbomScanner(fixtures: Fixtures): Promise<string> {
  return fixtures.build('sbom-scanner', `FROM ${fixtures.stack.baseImage}\nCOPY scan.sh /scan.sh\nCMD ["/bin/sh", "/scan.sh"]\n`, ['linux/amd64'], {
    files: { 'scan.sh': { content: SBOM_SCANNER } },
  });
}

/** A dpkg status file listing `packages` as installed (real dpkg format). */
export function dpkgStatus(packages: Array<{ name: string; version: string; arch: string }>): string {
  return packages.map((p) => `Package: ${p.name}\nStatus: install ok installed\nPriority: optional\nArchitecture: ${p.arch}\nVersion: ${p.version}\nDescription: ${p.name} for the integrity tests\n`).join('\n');
}
