import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_DOCKERFILE_BYTES, MAX_FINDINGS } from '../../../shared/contract/dockerfile';
import { RpcError } from '../../../shared/rpc/errors';
import type { CoreContext } from '../context';
import type { ImagePlatforms } from '../images';
import { DockerfileService, type PlatformLister } from './dockerfile-service';

// Fault injection only: a registry that never answers and an engine that is gone cannot be had on
// demand from the real stack. The main path is covered by dockerfile.engine.test.ts.

const noEngine = {
  engine: {
    client: () => {
      throw new RpcError('ENGINE_UNAVAILABLE', 'no engine in this test');
    },
  },
  log: () => undefined,
  dataDir: '/nonexistent-data-dir-not-written-by-these-tests',
} as unknown as Pick<CoreContext, 'engine' | 'cli' | 'log' | 'dataDir'>;

function lister(answers: Record<string, string[] | 'hang'>, onAsk?: () => void): PlatformLister & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    listPlatforms(reference, { signal }) {
      asked.push(reference);
      onAsk?.();
      const answer = answers[reference];
      if (answer === 'hang') {
        return new Promise<ImagePlatforms>((_, reject) => signal?.addEventListener('abort', () => reject(new RpcError('REGISTRY_UNREACHABLE', 'aborted'))));
      }
      if (!answer) return Promise.reject(new RpcError('REGISTRY_ERROR', `no such image ${reference}`));
      return Promise.resolve({ reference, digest: `sha256:${'a'.repeat(64)}`, kind: 'oci-index', platforms: answer });
    },
  };
}

describe('DockerfileService faults', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mas-test-dockerfile-unit-'));
    await writeFile(join(dir, 'Dockerfile'), 'FROM slow.example/tools:1 AS tools\nFROM fast.example/base:1\nCOPY --from=tools /t /t\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('gives a silent registry its own timeout entry while the other image is judged', async () => {
    // The slow registry's deadline passes as soon as it is asked: no wall-clock wait.
    const deadline = new AbortController();
    const images = lister({ 'slow.example/tools:1': 'hang', 'fast.example/base:1': ['linux/amd64'] }, () => {
      if (images.asked.at(-1) === 'slow.example/tools:1') queueMicrotask(() => deadline.abort());
    });
    const never = new AbortController().signal;
    const service = new DockerfileService(noEngine, images, { imageDeadline: (image) => (image === 'slow.example/tools:1' ? deadline.signal : never) });
    const report = await service.preflight({ contextDir: dir, platforms: ['linux/amd64', 'linux/arm64'] }, { signal: new AbortController().signal });
    expect(report.images.find((i) => i.image === 'slow.example/tools:1')).toMatchObject({ status: 'error', error: { code: 'REGISTRY_TIMEOUT' } });
    expect(report.findings.map((f) => [f.rule, f.subject, f.platforms])).toEqual([['base-missing-platform', 'fast.example/base:1', ['linux/arm64']]]);
  });

  it('assumes the core’s own platform for $BUILDPLATFORM when the engine cannot be asked, and says so', async () => {
    const service = new DockerfileService(noEngine, lister({ 'slow.example/tools:1': ['linux/amd64'], 'fast.example/base:1': ['linux/amd64'] }));
    const report = await service.preflight({ contextDir: dir, platforms: ['linux/amd64'] }, { signal: new AbortController().signal });
    expect(report.buildPlatformSource).toBe('host');
    expect(report.buildPlatform).toMatch(/^linux\//);
  });

  it('stops with CANCELLED when the caller cancels, instead of reporting the images as unreachable', async () => {
    const controller = new AbortController();
    // Cancel once both lookups are under way.
    const images = lister({ 'slow.example/tools:1': 'hang', 'fast.example/base:1': 'hang' }, () => {
      if (images.asked.length === 2) queueMicrotask(() => controller.abort());
    });
    const service = new DockerfileService(noEngine, images, { imageDeadline: () => new AbortController().signal });
    const pending = service.preflight({ contextDir: dir, platforms: ['linux/amd64'] }, { signal: controller.signal });
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('sends at most MAX_FINDINGS findings, errors first, and counts the rest', async () => {
    const folder = join(dir, 'many');
    const line = 'RUN wget https://example.com/tool-linux-x86_64.tgz\n';
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'Dockerfile'), `FROM busybox\n${line.repeat(MAX_FINDINGS + 40)}RUNN oops\n`);
    const report = await new DockerfileService(noEngine, lister({})).analyze({ contextDir: folder });
    expect(report.analysis.findings).toHaveLength(MAX_FINDINGS);
    expect(report.omittedFindings).toBe(41);
    expect(report.analysis.findings.some((f) => f.rule === 'parse-error' && f.line === MAX_FINDINGS + 42)).toBe(true);
  });

  it('reads a file of exactly the size limit and refuses one byte more', async () => {
    const folder = join(dir, 'limit');
    await mkdir(folder, { recursive: true });
    const head = 'FROM busybox\n';
    await writeFile(join(folder, 'Dockerfile'), head + '#'.repeat(MAX_DOCKERFILE_BYTES - head.length));
    const service = new DockerfileService(noEngine, lister({}));
    expect((await service.analyze({ contextDir: folder })).sizeBytes).toBe(MAX_DOCKERFILE_BYTES);
    await writeFile(join(folder, 'Dockerfile'), head + '#'.repeat(MAX_DOCKERFILE_BYTES - head.length + 1));
    await expect(service.analyze({ contextDir: folder })).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/too large/) });
  });
});
