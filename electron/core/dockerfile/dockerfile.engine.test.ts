import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreflightImage } from '../../../shared/contract/dockerfile';
import { MANIFEST_ACCEPT } from '../../../shared/domain/manifests/media-types';
import { stackEnv } from '../testing/stack';
import { startTestCore, waitForEngine, type TestCore } from '../testing/test-core';
import { BASE_PLATFORMS, pushTwoPlatformBase, type PushedBase } from '../testing/base-image';
import { rejection } from '../testing/rejection';

const run = promisify(execFile);

/** A loopback port nothing listens on: a registry that cannot be reached, refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}


/** The registry's own view of an image's platforms, read with plain fetch (independent of the app). */
async function registryPlatforms(reference: string): Promise<string[]> {
  const slash = reference.indexOf('/');
  const rest = reference.slice(slash + 1);
  const colon = rest.lastIndexOf(':');
  const res = await fetch(`http://${reference.slice(0, slash)}/v2/${rest.slice(0, colon)}/manifests/${rest.slice(colon + 1)}`, {
    headers: { Accept: MANIFEST_ACCEPT.join(', ') },
  });
  const json = (await res.json()) as { manifests?: Array<{ platform?: { os: string; architecture: string; variant?: string } }> };
  return (json.manifests ?? [])
    .map((m) => m.platform)
    .filter((p): p is NonNullable<typeof p> => p !== undefined && p.os !== 'unknown')
    .map((p) => [p.os, p.architecture, p.variant].filter(Boolean).join('/'));
}

describe('Dockerfile preflight against the real registry and engine', () => {
  const stack = stackEnv();
  let t: TestCore;
  let base: PushedBase;
  let dir: string;
  let buildPlatform: string;

  beforeAll(async () => {
    base = await pushTwoPlatformBase(stack);
    dir = await mkdtemp(join(tmpdir(), `mas-test-${randomBytes(4).toString('hex')}-dockerfile-`));
    t = await startTestCore({ env: { ...process.env, DOCKER_HOST: stack.dockerHost } });
    await waitForEngine(t.api, 'connected');
    buildPlatform = (await t.api.engine.info({})).platform;
  }, 180_000);

  afterAll(async () => {
    await t?.close();
    await base?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const write = async (name: string, text: string) => {
    const folder = join(dir, name);
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'Dockerfile'), text);
    return folder;
  };

  it('the pushed base really has only amd64 and arm64, while the stack base has riscv64', async () => {
    expect((await registryPlatforms(base.reference)).sort()).toEqual([...BASE_PLATFORMS].sort());
    expect(await registryPlatforms(stack.baseImage)).toContain('linux/riscv64');
  });

  it('warns exactly for riscv64 on the final stage, and nothing for the $BUILDPLATFORM builder stage', async () => {
    const contextDir = await write(
      'two-stage',
      [
        `FROM --platform=$BUILDPLATFORM ${stack.baseImage} AS builder`,
        'ARG TARGETARCH',
        'RUN echo "$TARGETARCH" > /out',
        '',
        `FROM ${base.reference} AS final`,
        'COPY --from=builder /out /out',
        '',
      ].join('\n'),
    );
    const chunks: PreflightImage[] = [];
    const call = t.api.dockerfile.preflight(
      { contextDir, platforms: ['linux/amd64', 'linux/arm64', 'linux/riscv64'] },
      { onChunk: (c) => chunks.push(c) },
    );
    const report = await call.result;

    expect(report.dockerfile).toBe(join(contextDir, 'Dockerfile'));
    expect(report.buildPlatform).toBe(buildPlatform);
    expect(report.buildPlatformSource).toBe('engine');
    expect(report.parseErrors).toEqual([]);
    // The builder stage needs only the build platform; the final stage every ticked one.
    expect(report.plan).toEqual([
      { stageIndex: 0, stageName: 'builder', line: 1, source: 'from', image: stack.baseImage, platformsNeeded: [buildPlatform] },
      { stageIndex: 1, stageName: 'final', line: 5, source: 'from', image: base.reference, platformsNeeded: ['linux/amd64', 'linux/arm64', 'linux/riscv64'] },
    ]);

    const byImage = new Map(report.images.map((i) => [i.image, i]));
    expect(byImage.get(base.reference)).toMatchObject({ status: 'ok', digest: base.digest, usedBy: [{ stageIndex: 1, stageName: 'final', line: 5 }] });
    expect(byImage.get(base.reference)?.platforms?.sort()).toEqual([...BASE_PLATFORMS].sort());
    expect(byImage.get(stack.baseImage)?.status).toBe('ok');
    // Each image's answer was streamed once, as it came.
    expect(chunks.map((c) => c.image).sort()).toEqual([base.reference, stack.baseImage].sort());

    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]).toMatchObject({
      rule: 'base-missing-platform',
      severity: 'warning',
      line: 5,
      stageIndex: 1,
      subject: base.reference,
      platforms: ['linux/riscv64'],
    });
    expect(report.findings[0]?.message).toContain(`base \`${base.reference}\` has no linux/riscv64: that platform will fail at FROM`);
  });

  it('without riscv64 ticked there is nothing to warn about, and a --target stage limits the check to what it needs', async () => {
    const contextDir = join(dir, 'two-stage');
    const clean = await t.api.dockerfile.preflight({ contextDir, platforms: ['linux/amd64', 'linux/arm64'] }).result;
    expect(clean.findings).toEqual([]);
    const builderOnly = await t.api.dockerfile.preflight({ contextDir, platforms: ['linux/riscv64'], target: 'builder' }).result;
    expect(builderOnly.plan.map((e) => e.image)).toEqual([stack.baseImage]);
    expect(builderOnly.findings).toEqual([]);
  });

  it('reports an unreachable registry on that image only and still judges the others', async () => {
    const port = await closedPort();
    const gone = `127.0.0.1:${port}/mas-test-${randomBytes(4).toString('hex')}/gone:1`;
    const contextDir = await write(
      'unreachable',
      [`FROM ${gone} AS tools`, '', `FROM ${base.reference}`, 'COPY --from=tools /bin/tool /bin/tool', ''].join('\n'),
    );
    const report = await t.api.dockerfile.preflight({ contextDir, platforms: ['linux/amd64', 'linux/riscv64'] }).result;
    const unreachable = report.images.find((i) => i.image === gone);
    expect(unreachable).toMatchObject({ status: 'error', usedBy: [{ stageIndex: 0, stageName: 'tools', line: 1 }] });
    expect(unreachable?.error?.code).toBe('REGISTRY_UNREACHABLE');
    expect(unreachable?.error?.message).toContain(`Could not check \`${gone}\``);
    expect(unreachable?.platforms).toBeUndefined();
    // The reachable base is still judged.
    expect(report.images.find((i) => i.image === base.reference)?.status).toBe('ok');
    expect(report.findings.map((f) => [f.rule, f.subject, f.platforms])).toEqual([['base-missing-platform', base.reference, ['linux/riscv64']]]);
  });

  it('answers the same platforms from the per-digest cache once a digest was seen', async () => {
    const contextDir = join(dir, 'two-stage');
    const first = await t.api.dockerfile.preflight({ contextDir, platforms: ['linux/riscv64'] }).result;
    const again = await t.api.dockerfile.preflight({ contextDir, platforms: ['linux/riscv64'] }).result;
    const pick = (r: typeof first) => r.images.find((i) => i.image === base.reference);
    expect(pick(again)).toMatchObject({ status: 'ok', digest: pick(first)?.digest, platforms: pick(first)?.platforms });
    // A digest reference is answered from the cache without asking the registry.
    const pinned = `${base.reference.replace(/:1$/, '')}@${base.digest}`;
    const warm = await t.core.images.inspector.listPlatforms(base.reference);
    expect(warm.digest).toBe(base.digest);
    const cached = await t.core.images.inspector.listPlatforms(pinned);
    expect(cached).toBe(warm);
  });

  it('analyzes a malformed Dockerfile into parse messages with line numbers, never a crash', async () => {
    const contextDir = await write(
      'malformed',
      ['FROM busybox:1 AS', 'RUNN echo hi', 'RUN apt-get install -y \\', '    curl', 'COPY <<EOF /etc/motd', 'never closed', ''].join('\n'),
    );
    const report = await t.api.dockerfile.analyze({ contextDir });
    expect(report.dockerfile).toBe(join(contextDir, 'Dockerfile'));
    const lines = report.analysis.parseErrors.map((e) => e.line);
    expect(lines).toContain(1);
    expect(lines).toContain(2);
    expect(report.analysis.parseErrors.find((e) => e.line === 2)?.message).toMatch(/Unknown instruction `RUNN`.*RUN/);
    expect(report.analysis.findings.filter((f) => f.rule === 'parse-error').length).toBe(report.analysis.parseErrors.length);
    // The preflight of the same file answers too (with its parse errors), it does not fail.
    const preflight = await t.api.dockerfile.preflight({ contextDir, platforms: ['linux/amd64'] }).result;
    expect(preflight.parseErrors).toEqual(report.analysis.parseErrors);
  });

  it('analyzes the hard-coded download and names the target stages', async () => {
    const contextDir = await write(
      'hardcoded',
      [`FROM ${stack.baseImage} AS fetch`, 'RUN wget -O /tmp/tool.tgz https://example.com/tool-linux-x86_64.tgz', '', 'FROM fetch AS app', ''].join('\n'),
    );
    const report = await t.api.dockerfile.analyze({ contextDir });
    expect(report.targetStages).toEqual([
      { name: 'fetch', index: 0, line: 1 },
      { name: 'app', index: 1, line: 4 },
    ]);
    const finding = report.analysis.findings.find((f) => f.rule === 'hardcoded-arch');
    expect(finding).toMatchObject({ line: 2, subject: 'x86_64' });
    expect(finding?.suggestion).toContain('ARG TARGETARCH');
    // the lines findings point at travel, not the whole file
    expect(report.sourceLines.find((l) => l.line === 2)?.text).toContain('x86_64');
    expect(report).not.toHaveProperty('text');
  });

  it('a rewrite applied through the app makes each platform get its own files, built for real', async () => {
    const contextDir = await write(
      'apply',
      [
        `FROM --platform=$BUILDPLATFORM ${stack.baseImage} AS fetch`,
        'ARG TARGETARCH=amd64',
        'RUN echo "$TARGETARCH" > /arch',
        '',
        `FROM ${stack.baseImage}`,
        'COPY --from=fetch /arch /arch',
        'COPY bin/tool-amd64 /tool',
        '',
      ].join('\n'),
    );
    await mkdir(join(contextDir, 'bin'), { recursive: true });
    for (const arch of ['amd64', 'arm64']) await writeFile(join(contextDir, 'bin', `tool-${arch}`), `tool for ${arch}\n`);
    const platforms = ['linux/amd64', 'linux/arm64'];
    // No RUN step runs emulated (the fetch stage is native), so this needs no QEMU.
    const build = async (name: string) => {
      const out = join(dir, `out-${name}`);
      await run('docker', ['buildx', 'build', '--builder', 'default', '--platform', platforms.join(','), '--output', `type=local,dest=${out}`, contextDir], {
        env: { ...process.env, DOCKER_HOST: stack.dockerHost },
        maxBuffer: 32 * 1024 * 1024,
      });
      const read = (platform: string, file: string) => readFile(join(out, platform.replace('/', '_'), file), 'utf8');
      return { arch: await Promise.all(platforms.map((p) => read(p, 'arch'))), tool: await Promise.all(platforms.map((p) => read(p, 'tool'))) };
    };

    // As written, every platform gets the amd64 files: the findings are real.
    expect(await build('before')).toEqual({ arch: ['amd64\n', 'amd64\n'], tool: ['tool for amd64\n', 'tool for amd64\n'] });
    let report = await t.api.dockerfile.analyze({ contextDir, platforms });
    expect(report.analysis.findings.map((f) => `${f.rule}@${f.line}`)).toEqual(['pinned-arch-arg@2', 'hardcoded-arch@7']);
    for (const rule of ['pinned-arch-arg', 'hardcoded-arch'] as const) {
      const finding = report.analysis.findings.find((f) => f.rule === rule);
      const applied = await t.api.dockerfile.apply({ contextDir, platforms, contentDigest: report.contentDigest, finding: { rule, line: finding?.line ?? 0 } });
      expect(applied.backup.startsWith(join(t.dataDir, 'dockerfile-backups'))).toBe(true);
      report = applied.report;
    }
    expect(report.analysis.findings).toEqual([]);
    expect(await build('after')).toEqual({ arch: ['amd64\n', 'arm64\n'], tool: ['tool for amd64\n', 'tool for arm64\n'] });

    // A page showing an older text cannot write over a newer one.
    const stale = await rejection(t.api.dockerfile.apply({ contextDir, platforms, contentDigest: `sha256:${'0'.repeat(64)}`, finding: { rule: 'hardcoded-arch', line: 7 } }));
    expect(stale.code).toBe('DOCKERFILE_CHANGED');
  }, 240_000);

  describe('bad paths are refused with BAD_INPUT before any file is read', () => {
    it('refuses relative, empty and control-character paths in the input schema', async () => {
      for (const input of [
        { contextDir: 'relative/dir' },
        { contextDir: '' },
        { contextDir: dir, dockerfile: 'Dockerfile' },
        { contextDir: dir, dockerfile: `${dir}/Docker\u0000file` },
        { contextDir: `${dir}\n` + 'x' },
      ]) {
        const error = await rejection(t.api.dockerfile.analyze(input));
        expect(error.code, JSON.stringify(input)).toBe('BAD_INPUT');
        expect((error.data as { issues?: unknown[] }).issues?.length).toBeGreaterThan(0);
      }
      const preflight = await rejection(t.api.dockerfile.preflight({ contextDir: 'ctx', platforms: ['linux/amd64'] }).result);
      expect(preflight.code).toBe('BAD_INPUT');
    });

    it('refuses bad platforms, build args and targets in the preflight schema', async () => {
      const contextDir = join(dir, 'two-stage');
      for (const input of [
        { contextDir, platforms: [] },
        { contextDir, platforms: ['linux/amd64', 'not a platform'] },
        { contextDir, platforms: ['linux/amd64'], buildArgs: { 'BAD NAME': '1' } },
        { contextDir, platforms: ['linux/amd64'], target: '--target=x' },
      ]) {
        const error = await rejection(t.api.dockerfile.preflight(input).result);
        expect(error.code, JSON.stringify(input)).toBe('BAD_INPUT');
      }
    });

    it('refuses missing files, folders, devices, pipes and oversized files from their metadata', async () => {
      const folder = join(dir, 'paths');
      await mkdir(join(folder, 'sub.Dockerfile'), { recursive: true });
      const fifo = join(folder, 'pipe.Dockerfile');
      await run('mkfifo', [fifo]);
      const device = join(folder, 'zero.Dockerfile');
      await run('mknod', [device, 'c', '1', '5']);
      const big = join(folder, 'big.Dockerfile');
      await writeFile(big, `FROM busybox\n${'# padding\n'.repeat(120_000)}`);
      const binary = join(folder, 'binary.Dockerfile');
      await writeFile(binary, Buffer.from([0x46, 0x52, 0x4f, 0x4d, 0x00, 0x01]));
      const cases: Array<[{ contextDir: string; dockerfile?: string }, RegExp, string]> = [
        [{ contextDir: join(dir, 'missing') }, /context folder .* does not exist/, 'contextDir'],
        [{ contextDir: big }, /is a file, not a folder/, 'contextDir'],
        [{ contextDir: folder }, /There is no Dockerfile at/, 'dockerfile'],
        [{ contextDir: folder, dockerfile: join(folder, 'sub.Dockerfile') }, /is a folder, not a Dockerfile/, 'dockerfile'],
        // Opening a FIFO for reading would wait for a writer forever.
        [{ contextDir: folder, dockerfile: fifo }, /is a named pipe, not a Dockerfile/, 'dockerfile'],
        [{ contextDir: folder, dockerfile: device }, /is a device, not a Dockerfile/, 'dockerfile'],
        [{ contextDir: folder, dockerfile: '/dev/zero' }, /not named like a Dockerfile/, 'dockerfile'],
        [{ contextDir: '/', dockerfile: '/etc/passwd' }, /not named like a Dockerfile/, 'dockerfile'],
        [{ contextDir: '/proc/self', dockerfile: '/proc/self/status' }, /not named like a Dockerfile/, 'dockerfile'],
        [{ contextDir: folder, dockerfile: big }, /too large for a Dockerfile/, 'dockerfile'],
        [{ contextDir: folder, dockerfile: binary }, /not a text file/, 'dockerfile'],
      ];
      for (const [input, message, field] of cases) {
        const error = await rejection(t.api.dockerfile.analyze(input));
        expect(error.code, JSON.stringify(input)).toBe('BAD_INPUT');
        expect(error.message).toMatch(message);
        expect((error.data as { field: string }).field).toBe(field);
        expect(error.hint).toBeTruthy();
      }
      const preflight = await rejection(t.api.dockerfile.preflight({ contextDir: folder, dockerfile: fifo, platforms: ['linux/amd64'] }).result);
      expect(preflight.code).toBe('BAD_INPUT');
    });
  });
});
