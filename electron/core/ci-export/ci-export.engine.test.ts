import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRequestInput, type BuildRequest, type BuildRequestInput } from '../../../shared/domain/build-request';
import { compareRequests, exportBuild, exportOptionsSchema } from '../../../shared/domain/ci-export';
import { RpcError } from '../../../shared/rpc/errors';
import { stackEnv } from '../testing/stack';
import { startTestCore, waitForEngine, type TestCore } from '../testing/test-core';

const run = promisify(execFile);
const stack = stackEnv();
const env = { ...process.env, DOCKER_HOST: stack.dockerHost };
const repo = `mas-test-${randomBytes(4).toString('hex')}/export`;
const platforms = ['linux/amd64', 'linux/arm64', 'linux/arm/v7'];

function deleteManifest(name: string, tag: string): Promise<void> {
  const call = (method: string, path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; digest?: string }>((resolve) => {
      const req = httpRequest(`http://${stack.registry}${path}`, { method, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, digest: res.headers['docker-content-digest'] as string | undefined }));
      });
      req.on('error', () => resolve({ status: 0 }));
      req.end();
    });
  return call('HEAD', `/v2/${name}/manifests/${tag}`, { Accept: 'application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json' }).then(async (head) => {
    if (head.digest) await call('DELETE', `/v2/${name}/manifests/${head.digest}`);
  });
}

describe('CI export against the real buildx, engine and registry', () => {
  let t: TestCore;
  let context: string;
  let request: BuildRequest;

  beforeAll(async () => {
    t = await startTestCore({ env });
    await waitForEngine(t.api, 'connected');
    context = await mkdtemp(join(tmpdir(), 'mas-test-export-'));
    await mkdir(join(context, 'docker'));
    await writeFile(
      join(context, 'docker', 'Dockerfile'),
      `FROM ${stack.baseImage} AS base\nARG GREETING\nARG TARGETPLATFORM\nRUN echo "$GREETING from $TARGETPLATFORM on $(uname -m)" | tee /hello\n\nFROM base AS final\nCMD ["cat", "/hello"]\n`,
    );
    const input: BuildRequestInput = {
      context,
      dockerfile: 'docker/Dockerfile',
      platforms,
      tags: [`${stack.registry}/${repo}:app`],
      buildArgs: [{ key: 'GREETING', value: 'hello "quoted" ${NOT_A_VAR}' }],
      target: 'final',
      output: { type: 'push' },
      cacheFrom: [`${stack.registry}/${repo}:cache`],
      noCache: true,
    };
    request = buildRequestInput.parse(input);
  });

  afterAll(async () => {
    await t?.close();
    for (const tag of ['app', 'bake']) await deleteManifest(repo, tag);
    if (context) await rm(context, { recursive: true, force: true });
  });

  it('buildx reads the exported bake file back as the same build, field by field', async () => {
    const { bake } = exportBuild(request, exportOptionsSchema.parse({}));
    const saved = await t.api.ciExport.save({ context, kind: 'bake', content: bake.text });
    expect(saved).toEqual({ path: join(context, 'docker-bake.hcl'), outcome: 'created' });
    expect(await readFile(saved.path, 'utf8')).toBe(bake.text);

    const read = await t.api.ciExport.readBake({ context });
    expect(read.command).toBe(`docker buildx bake --print -f ${join(context, 'docker-bake.hcl')}`);
    expect(read.targets).toEqual(['default']);
    expect(read.refused).toEqual([]);
    expect(read.notes).toEqual([]);
    expect(compareRequests(request, read.request)).toEqual([]);
    // the text not yet saved reads the same
    const unsaved = await t.api.ciExport.readBake({ context, content: bake.text });
    expect(compareRequests(request, unsaved.request)).toEqual([]);
  });

  it('bake with the exported file pushes the same platforms as the app’s own build of the request', async () => {
    const record = await t.api.builds.run(request, {}).result;
    expect(record.status, record.failure?.message).toBe('succeeded');

    const baked = buildRequestInput.parse({ ...request, tags: [`${stack.registry}/${repo}:bake`] });
    const { bake } = exportBuild(baked, exportOptionsSchema.parse({}));
    await writeFile(join(context, 'docker-bake.hcl'), bake.text);
    const out = await run('docker', ['buildx', 'bake', '--progress=plain', '-f', 'docker-bake.hcl'], { cwd: context, env, maxBuffer: 64 * 1024 * 1024 }).catch((e: { stderr?: string }) => {
      throw new Error(`docker buildx bake failed: ${e.stderr ?? String(e)}`);
    });
    expect(out.stderr).toMatch(/hello "quoted" \$\{NOT_A_VAR\} from linux\/arm64 on aarch64/);

    const fromApp = await t.api.images.inspect({ reference: `${stack.registry}/${repo}:app`, requestedPlatforms: platforms });
    const fromBake = await t.api.images.inspect({ reference: `${stack.registry}/${repo}:bake`, requestedPlatforms: platforms });
    const set = (i: typeof fromApp) => i.platforms.map((p) => p.platform).sort();
    expect(set(fromBake)).toEqual([...platforms].sort());
    expect(set(fromBake)).toEqual(set(fromApp));
    expect(fromBake.missingPlatforms).toEqual([]);
    // provenance off in both, as the request says: no attestation entries
    expect(fromBake.platforms.flatMap((p) => p.attestations)).toEqual(fromApp.platforms.flatMap((p) => p.attestations));
  });

  it('refuses a bake file buildx cannot read, with buildx’s reason', async () => {
    const error = await t.api.ciExport.readBake({ context, content: 'target "default" {\n  platforms = [\n' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe('BAKE_UNREADABLE');
    expect((error as RpcError).message).toMatch(/^buildx could not read the bake file: /);
  });

  it('asks which target when the file defines several, and reads the one named', async () => {
    const content = `target "a" {\n  context = "."\n  dockerfile = "docker/Dockerfile"\n  platforms = ["linux/amd64"]\n  output = ["type=docker"]\n}\ntarget "b" {\n  inherits = ["a"]\n  platforms = ["linux/arm64"]\n  labels = { team = "x" }\n}\ngroup "default" {\n  targets = ["a", "b"]\n}\n`;
    const error = await t.api.ciExport.readBake({ context, content }).catch((e: unknown) => e);
    expect((error as RpcError).code).toBe('BAKE_TARGET_AMBIGUOUS');
    expect((error as RpcError).data).toEqual({ targets: ['a', 'b'] });
    const b = await t.api.ciExport.readBake({ context, content, target: 'b' });
    // inheritance resolved by buildx, the label refused by the form
    expect(b.request).toMatchObject({ platforms: ['linux/arm64'], output: { type: 'load' }, dockerfile: 'docker/Dockerfile', context });
    expect(b.refused).toEqual(['labels: the Build form has no field for it ({"team":"x"}).']);
  });
});
