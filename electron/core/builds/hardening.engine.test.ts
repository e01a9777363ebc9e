import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildChunk, Leftovers } from '../../../shared/contract/builds';
import type { BuildRequestInput } from '../../../shared/domain/build-request';
import { stripAnsi } from '../../../shared/domain/build-progress';
import { privateDockerd, type PrivateDockerd } from '../testing/private-dockerd';
import { stackEnv } from '../testing/stack';
import { startTestCore, waitForEngine, type TestCore } from '../testing/test-core';
import { rejection } from '../testing/rejection';

const exec = promisify(execFile);
const stack = stackEnv();
const suffix = randomBytes(3).toString('hex');

let dir: string;
let dockerConfig: string;
let env: NodeJS.ProcessEnv;
const builders = new Set<string>();


async function context(name: string, dockerfile: string): Promise<string> {
  const folder = join(dir, name);
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'Dockerfile'), dockerfile);
  return folder;
}

/** The process has ended (gone, or a zombie waiting for init to reap it). */
async function ended(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat === '' || / [ZX] /.test(stat.slice(stat.lastIndexOf(')')));
}

/** Every process the core's runner started (short commands and builds). */
const spawned = (t: TestCore) => t.core.context.cli.commands.stats.started + t.core.context.cli.builds.stats.started;

/** Waits until the core runs nothing (what a fresh core checks once connected has ended). */
async function idle(t: TestCore): Promise<void> {
  let quiet = 0;
  for (let i = 0; i < 300 && quiet < 5; i++) {
    const cli = t.core.context.cli;
    quiet = cli.commands.active === 0 && cli.commands.queued === 0 && cli.builds.active === 0 ? quiet + 1 : 0;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Resolves with the build's id once a RUN step is running and its process has printed `start`. */
function runningStep(): { onChunk: (c: BuildChunk) => void; running: Promise<string> } {
  let seen: (id: string) => void = () => undefined;
  const running = new Promise<string>((r) => (seen = r));
  let text = '';
  let stepRunning = false;
  return {
    running,
    onChunk: (c) => {
      text += stripAnsi(c.terminal?.text ?? '');
      stepRunning ||= c.progress?.lanes.some((l) => l.steps.some((s) => s.name.startsWith('RUN') && s.status === 'running')) ?? false;
      if (stepRunning && /\bstart\r?\n/.test(text)) seen(c.id);
    },
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mas-hardening-'));
  // buildx keeps builders and the current-builder pointer under DOCKER_CONFIG: a scratch one
  // keeps these tests from touching other people's builders on the shared engine.
  dockerConfig = await mkdtemp(join(tmpdir(), 'mas-hardening-docker-config-'));
  env = { ...process.env, DOCKER_HOST: stack.dockerHost, DOCKER_CONFIG: dockerConfig };
  delete env.DOCKER_CONTEXT;
});

afterAll(async () => {
  for (const name of builders) {
    await exec('docker', ['buildx', 'rm', '--force', name], { env }).catch(() => undefined);
    await exec('docker', ['rm', '-f', '-v', `buildx_buildkit_${name}0`], { env }).catch(() => undefined);
  }
  await rm(dockerConfig, { recursive: true, force: true });
  await rm(dir, { recursive: true, force: true });
});

describe('no work before a refusal', () => {
  let t: TestCore;
  beforeAll(async () => {
    t = await startTestCore({ env, dataDir: await mkdtemp(join(tmpdir(), 'mas-hardening-data-')) });
    await waitForEngine(t.api, 'connected');
    await idle(t);
  });
  afterAll(() => t?.close());

  it('refuses requests that cannot run without starting a single process, while the facts are not yet read', async () => {
    const ok = await context('refusals', `FROM ${stack.baseImage}\n`);
    await mkdir(join(dir, 'no-dockerfile'), { recursive: true });
    const existing = join(dir, 'existing.tar');
    await writeFile(existing, 'keep me');
    const base: BuildRequestInput = { context: ok, platforms: ['linux/amd64'], output: { type: 'cacheonly' } };
    const cases: Array<[string, BuildRequestInput, string]> = [
      ['missing Dockerfile', { ...base, context: join(dir, 'no-dockerfile') }, 'BUILD_CONTEXT_INVALID'],
      ['a file outside the context as Dockerfile', { ...base, dockerfile: '/etc/passwd' }, 'BUILD_CONTEXT_INVALID'],
      ['an impossible platform', { ...base, platforms: ['linux/amd64', 'linux/foo'] }, 'BUILD_IMPOSSIBLE'],
      ['a push without a tag', { ...base, output: { type: 'push' } }, 'BUILD_IMPOSSIBLE'],
      ['an export to /', { ...base, output: { type: 'local', dest: '/' } }, 'DESTINATION_REFUSED'],
      ['a tarball over /etc/passwd', { ...base, output: { type: 'oci', dest: '/etc/passwd' }, overwrite: ['/etc/passwd'] }, 'DESTINATION_REFUSED'],
      ['a local cache in /', { ...base, cacheTo: ['type=local,dest=/'] }, 'DESTINATION_REFUSED'],
      ['a tarball over an existing file, not confirmed', { ...base, output: { type: 'oci', dest: existing } }, 'DESTINATION_EXISTS'],
      ['a registry port out of range', { ...base, output: { type: 'push' }, tags: ['127.0.0.1:99999/app:1'] }, 'BAD_INPUT'],
      ['build args beyond an argv', { ...base, buildArgs: Array.from({ length: 40 }, (_, i) => ({ key: `V${i}`, value: 'x'.repeat(60_000) })) }, 'BAD_INPUT'],
    ];
    const before = spawned(t);
    for (const [what, input, code] of cases) {
      const error = await rejection(t.api.builds.run(input).result);
      expect(error.code, what).toBe(code);
      expect(spawned(t), what).toBe(before);
    }
    for (const endpoint of ['ssh://%2DoProxyCommand=touch%20/tmp/pwned@host', 'tcp://build-host:99999', 'tcp://build-host:0']) {
      expect((await rejection(t.api.builders.create({ name: `mas-test-x-${suffix}`, endpoint }))).code, endpoint).toBe('BAD_INPUT');
      expect((await rejection(t.api.builders.appendNode({ builder: 'default', endpoint }))).code, endpoint).toBe('BAD_INPUT');
    }
    expect((await rejection(t.api.images.inspect({ reference: '127.0.0.1:99999/app:1' }))).code).toBe('BAD_INPUT');
    expect(spawned(t)).toBe(before);
    expect((await t.api.builds.list({})).total).toBe(0);
    expect(await readFile(existing, 'utf8')).toBe('keep me');

    // The count is real: a request that can run reads the facts (buildx, engine) and builds.
    const record = await t.api.builds.run(base).result;
    expect(record.status).toBe('succeeded');
    expect(spawned(t) - before).toBeGreaterThan(2);
  });

  it('runs 40 concurrent builder listings with at most 6 processes at once', async () => {
    const cli = t.core.context.cli;
    const before = cli.commands.stats.started;
    const lists = await Promise.all(Array.from({ length: 40 }, () => t.api.builders.list({})));
    expect(new Set(lists.map((l) => JSON.stringify(l.builders.map((b) => b.name))))).toHaveProperty('size', 1);
    expect(cli.commands.stats.peak).toBeLessThanOrEqual(6);
    // identical questions asked at once share their processes: far fewer than 40
    expect(cli.commands.stats.started - before).toBeLessThan(20);
  });
});

describe('export destinations on a real build', () => {
  let t: TestCore;
  beforeAll(async () => {
    t = await startTestCore({ env, dataDir: await mkdtemp(join(tmpdir(), 'mas-hardening-data-')) });
    await waitForEngine(t.api, 'connected');
  });
  afterAll(() => t?.close());

  it('replaces an existing folder or tarball only once confirmed, and only when the build succeeded', async () => {
    const ctx = await context('export', `FROM ${stack.baseImage}\nRUN uname -m > /arch\n`);
    const out = join(dir, 'export-out');
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'old-file'), 'old');
    const request: BuildRequestInput = { context: ctx, platforms: ['linux/amd64'], output: { type: 'local', dest: out } };

    const asked = await rejection(t.api.builds.run(request).result);
    expect(asked).toMatchObject({ code: 'DESTINATION_EXISTS', data: { path: out, kind: 'folder' } });
    const record = await t.api.builds.run({ ...request, overwrite: [out] }).result;
    expect(record.status).toBe('succeeded');
    expect(record.command).toContain(`dest=${out}`);
    expect(await readFile(join(out, 'arch'), 'utf8')).toBe('x86_64\n');
    expect(await readdir(out)).not.toContain('old-file');
    expect((await readdir(dir)).filter((f) => f.includes('.partial-') || f.includes('.old-'))).toEqual([]);
    // history keeps no confirmation: a re-run asks again
    expect((await t.api.builds.get({ id: record.id })).request).not.toHaveProperty('overwrite');

    const tar = join(dir, 'image.tar');
    await writeFile(tar, 'old tarball');
    expect((await rejection(t.api.builds.run({ ...request, output: { type: 'oci', dest: tar } }).result)).code).toBe('DESTINATION_EXISTS');
    const oci = await t.api.builds.run({ ...request, output: { type: 'oci', dest: tar }, overwrite: [tar] }).result;
    expect(oci.status).toBe('succeeded');
    const { stdout } = await exec('tar', ['tf', tar]);
    expect(stdout.split('\n')).toEqual(expect.arrayContaining(['oci-layout', 'index.json']));

    // a failed build leaves the old content as it was
    const broken = await context('export-fails', `FROM ${stack.baseImage}\nRUN exit 3\n`);
    const failed = await t.api.builds.run({ ...request, context: broken, overwrite: [out] }).result;
    expect(failed.status).toBe('failed');
    expect(await readFile(join(out, 'arch'), 'utf8')).toBe('x86_64\n');
    expect((await readdir(dir)).filter((f) => f.includes('.partial-'))).toEqual([]);
  });
});

describe('what happened when a builder goes away mid-build', () => {
  let t: TestCore;
  const name = `mas-test-gone-${suffix}`;
  beforeAll(async () => {
    t = await startTestCore({ env, dataDir: await mkdtemp(join(tmpdir(), 'mas-hardening-data-')), settingsOverrides: { builders: { buildkitImage: stack.buildkitImage } } });
    await waitForEngine(t.api, 'connected');
  });
  afterAll(() => t?.close());

  it('builds with a builder created outside the app after the facts were read, and names it when its container is removed', async () => {
    const ctx = await context('gone', `FROM ${stack.baseImage}\nRUN --network=none echo start; sleep 30; echo done\n`);
    // the form has just read the facts: no such builder yet
    expect((await t.api.builds.facts({})).builders.map((b) => b.name)).not.toContain(name);
    builders.add(name);
    await exec('docker', ['buildx', 'create', '--name', name, '--driver', 'docker-container', '--driver-opt', 'network=host', '--driver-opt', `image=${stack.buildkitImage}`, '--bootstrap'], { env });

    const step = runningStep();
    const call = t.api.builds.run({ context: ctx, platforms: ['linux/amd64'], output: { type: 'cacheonly' }, builder: name, noCache: true }, { onChunk: step.onChunk });
    await step.running;
    await exec('docker', ['rm', '-f', `buildx_buildkit_${name}0`], { env });
    const record = await call.result;

    expect(record.status).toBe('failed');
    expect(record.failure?.cause).toMatchObject({
      kind: 'builder-lost',
      explanation: expect.stringContaining(`builder "${name}" (container buildx_buildkit_${name}0) went away during the build`),
      fix: expect.stringContaining(`Start "${name}" again on the Builders page`),
    });
    // buildx says it as `rpc error: code = Unavailable desc = …` or, newer, `Unavailable: …`, by timing
    expect(record.failure?.message).toMatch(/\bUnavailable\b/);
  });
});

describe('what happened when the engine stops mid-build, and what it left', () => {
  let daemon: PrivateDockerd;
  let t: TestCore;
  // The shared engine's bridge must survive a second engine on the machine.
  const sharedBridge = () => existsSync('/sys/class/net/docker0');
  const hadSharedBridge = sharedBridge();
  beforeAll(async () => {
    daemon = await privateDockerd();
    await daemon.start();
    expect(sharedBridge()).toBe(hadSharedBridge);
    await daemon.pull(stack.baseImage);
    t = await startTestCore({ env: { ...daemon.env, DOCKER_CONFIG: dockerConfig }, dataDir: await mkdtemp(join(tmpdir(), 'mas-hardening-data-')) });
    await waitForEngine(t.api, 'connected');
  });
  afterAll(async () => {
    await t?.close();
    await daemon?.dispose();
  });

  it('names the stopped engine, finds the RUN steps it left after it is back, and stops them', async () => {
    const ctx = await context('engine-stops', `FROM ${stack.baseImage}\nRUN --network=none echo start; sleep 300; echo done\n`);
    const step = runningStep();
    const call = t.api.builds.run({ context: ctx, platforms: ['linux/arm64'], output: { type: 'cacheonly' }, noCache: true }, { onChunk: step.onChunk });
    const id = await step.running;
    await daemon.stop();
    const record = await call.result;

    expect(record.status).toBe('failed');
    expect(record.failure?.cause).toMatchObject({
      kind: 'engine-lost',
      explanation: expect.stringContaining(`The Docker engine (${daemon.host}) stopped answering during the build`),
      fix: expect.stringMatching(/^Start the Docker engine again/),
    });

    // The emulated RUN step outlived its engine (PPID 1): the app knows it as this build's.
    const left = await t.api.builds.leftovers({});
    const mine = left.builds.find((b) => b.id === id);
    expect(mine?.processes.length).toBeGreaterThan(0);
    expect(mine?.processes.every((p) => p.kind === 'run-step')).toBe(true);
    expect(mine?.processes.map((p) => p.command).join('\n')).toContain('sleep 300');

    // Once the engine is back, the app says so by itself.
    const announced = new Promise<Leftovers>((resolve) => {
      const off = t.api.builds.onLeftovers((found) => {
        off();
        resolve(found);
      });
    });
    await daemon.start();
    expect((await announced).builds.map((b) => b.id)).toContain(id);

    expect((await t.api.builds.stopLeftovers({ id })).stopped).toBe(mine!.processes.length);
    for (const p of mine!.processes) expect(await ended(p.pid), p.command).toBe(true);
    expect((await t.api.builds.leftovers({})).builds.find((b) => b.id === id)).toBeUndefined();
    expect(sharedBridge()).toBe(hadSharedBridge);
  });
});

describe('leftovers of a killed app', () => {
  it('finds the buildx the previous app started and stops it on request', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'mas-hardening-data-'));
    const first = await startTestCore({ env, dataDir });
    await waitForEngine(first.api, 'connected');
    const ctx = await context('killed-app', `FROM ${stack.baseImage}\nRUN --network=none echo start; sleep 300\n`);
    const step = runningStep();
    const call = first.api.builds.run({ context: ctx, platforms: ['linux/amd64'], output: { type: 'cacheonly' }, noCache: true }, { onChunk: step.onChunk });
    call.result.catch(() => undefined);
    const id = await step.running;

    // A second app on the same data folder, as after a crash of the first (which is not asked to stop).
    const second = await startTestCore({ env, dataDir });
    try {
      expect((await second.api.builds.get({ id })).status).toBe('interrupted');
      const found = (await second.api.builds.leftovers({})).builds.find((b) => b.id === id);
      expect(found?.processes.some((p) => p.kind === 'cli' && /buildx build/.test(p.command))).toBe(true);
      expect((await second.api.builds.stopLeftovers({ id })).stopped).toBe(found!.processes.length);
      for (const p of found!.processes) expect(await ended(p.pid), p.command).toBe(true);
    } finally {
      await second.close();
      await first.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
