import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildChunk, BuildRecord } from '../../../shared/contract/builds';
import { forEachRun } from '../../../shared/domain/terminal-batch';
import type { BuildProgressSnapshot } from '../../../shared/domain/build-progress';
import { stripAnsi } from '../../../shared/domain/build-progress';
import type { BuildRequestInput } from '../../../shared/domain/build-request';
import { stackEnv } from '../testing/stack';
import { summarize } from './history-store';
import { startTestCore, waitForEngine, type TestCore } from '../testing/test-core';
import { deleteRegistryManifest } from '../testing/test-images';

const run = promisify(execFile);
const stack = stackEnv();
const env = { ...process.env, DOCKER_HOST: stack.dockerHost };
const repo = `mas-test-${randomBytes(4).toString('hex')}`;

/** The registry's own digest for a tag, asking for both list types (distribution 2.8 answers 404 to an OCI index otherwise). */
function registryDigest(name: string, tag: string): Promise<{ digest: string; mediaType: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `http://${stack.registry}/v2/${name}/manifests/${tag}`,
      {
        headers: {
          Accept: [
            'application/vnd.oci.image.index.v1+json',
            'application/vnd.docker.distribution.manifest.list.v2+json',
            'application/vnd.oci.image.manifest.v1+json',
            'application/vnd.docker.distribution.manifest.v2+json',
          ].join(', '),
        },
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`registry answered ${res.statusCode}: ${body}`));
          else resolve({ digest: String(res.headers['docker-content-digest']), mediaType: String(res.headers['content-type']), body });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Processes whose command line names `marker` (a build's own folder), read from /proc. */
async function processesNaming(marker: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(marker)) found.push(`${pid}: ${cmdline.replace(/\0/g, ' ')}`);
  }
  return found;
}

async function fixture(dockerfile: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mas-test-ctx-'));
  await writeFile(join(dir, 'Dockerfile'), dockerfile);
  return dir;
}

interface Collected {
  chunks: BuildChunk[];
  text: string;
  byPlatform: Map<string | undefined, string>;
  lastProgress: BuildProgressSnapshot | undefined;
  id: string | undefined;
}

function collector(): { collected: Collected; onChunk: (c: BuildChunk) => void } {
  const collected: Collected = { chunks: [], text: '', byPlatform: new Map(), lastProgress: undefined, id: undefined };
  return {
    collected,
    onChunk: (c) => {
      collected.chunks.push(c);
      collected.id ??= c.id;
      if (c.terminal) {
        collected.text += c.terminal.text;
        forEachRun(c.terminal, (text, platform) => collected.byPlatform.set(platform, (collected.byPlatform.get(platform) ?? '') + text));
      }
      if (c.progress) collected.lastProgress = c.progress;
    },
  };
}

describe('builds against the real engine, buildx, QEMU and registry', () => {
  let t: TestCore;
  let dataDir: string;
  const contexts: string[] = [];
  const pushed: Array<{ name: string; digest: string }> = [];
  const records: BuildRecord[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mas-test-builds-'));
    t = await startTestCore({ env, dataDir });
    await waitForEngine(t.api, 'connected');
  });

  afterAll(async () => {
    await t?.close();
    for (const p of pushed) await deleteRegistryManifest(`${stack.registry}/${p.name}`, p.digest);
    await run('docker', ['image', 'rm', '-f', `${stack.registry}/${repo}/app:4p`, `${stack.registry}/${repo}/fail:1`], { env }).catch(() => undefined);
    for (const dir of contexts) await rm(dir, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  });

  it('gives the form real facts: native platform, the current builder and the emulators', async () => {
    const facts = await t.api.builds.facts({});
    expect(facts.nativePlatform).toBe('linux/amd64');
    expect(facts.containerdImageStore).toBe(true);
    const current = facts.builders.find((b) => b.name === facts.currentBuilder);
    expect(current?.driver).toBeDefined();
    // Each node comes classified against the emulators; the host's own verdicts stand beside them.
    expect(current?.nodes[0]?.platforms.find((v) => v.platform === 'linux/arm64')?.support).toBe('emulated');
    expect(facts.host.platforms.find((v) => v.platform === 'linux/arm64')).toMatchObject({ support: 'emulated', reason: 'emulator' });
    expect(facts.host.platforms.find((v) => v.platform === 'linux/amd64')).toMatchObject({ support: 'native' });
  });

  it('builds 4 platforms, pushes them, and the metadata digest is the registry index digest', async () => {
    const context = await fixture(
      `FROM ${stack.baseImage}\nARG TARGETPLATFORM\nRUN echo "building $TARGETPLATFORM on $(uname -m)" && uname -m > /arch\nCMD ["cat", "/arch"]\n`,
    );
    contexts.push(context);
    const platforms = ['linux/amd64', 'linux/arm64', 'linux/arm/v7', 'linux/riscv64'];
    const input: BuildRequestInput = {
      context,
      platforms,
      tags: [`${stack.registry}/${repo}/app:4p`],
      output: { type: 'push' },
      noCache: true,
    };
    const { collected, onChunk } = collector();
    const record = await t.api.builds.run(input, { onChunk }).result;
    records.push(record);

    expect(record.status, collected.text).toBe('succeeded');
    expect(record.exitCode).toBe(0);
    expect(collected.id).toBe(record.id);
    const registry = await registryDigest(`${repo}/app`, '4p');
    pushed.push({ name: `${repo}/app`, digest: registry.digest });
    expect(record.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(record.digest).toBe(registry.digest);
    expect(JSON.parse(registry.body).manifests.map((m: { platform: { architecture: string } }) => m.platform.architecture).sort()).toEqual(['amd64', 'arm', 'arm64', 'riscv64']);

    // every lane completed, in the record and in the last lanes sent
    expect(record.outcomes.map((o) => [o.platform, o.status])).toEqual(platforms.map((p) => [p, 'done']));
    expect(collected.lastProgress?.lanes.filter((l) => platforms.includes(l.platform)).map((l) => l.status)).toEqual(['done', 'done', 'done', 'done']);
    for (const lane of collected.lastProgress!.lanes) expect(lane.steps.some((s) => s.name.startsWith('RUN echo'))).toBe(true);

    // the RUN output reached the terminal, tagged with its platform (inherited through inputs)
    const machines: Record<string, string> = { 'linux/amd64': 'x86_64', 'linux/arm64': 'aarch64', 'linux/arm/v7': 'armv7l', 'linux/riscv64': 'riscv64' };
    for (const p of platforms) expect(stripAnsi(collected.byPlatform.get(p) ?? '')).toContain(`building ${p} on ${machines[p]}`);

    // the raw log is on disk, whole
    const log = await readFile(record.logFile, 'utf8');
    expect(log.length).toBe(record.logBytes);
    expect(log).toContain('"vertexes"');
  });

  it('attributes a failure to linux/arm64 and its step, with its log lines and cause', async () => {
    const context = await fixture(
      `FROM ${stack.baseImage}\nRUN echo "checking $(uname -m)"\nRUN [ "$(uname -m)" != aarch64 ] || { echo "refusing to build on aarch64" >&2; exit 7; }\n`,
    );
    contexts.push(context);
    const { collected, onChunk } = collector();
    const record = await t.api.builds.run(
      { context, platforms: ['linux/amd64', 'linux/arm64'], tags: [`${stack.registry}/${repo}/fail:1`], output: { type: 'push' }, noCache: true },
      { onChunk },
    ).result;
    records.push(record);

    expect(record.status).toBe('failed');
    expect(record.exitCode).not.toBe(0);
    expect(record.digest).toBeUndefined();
    expect(record.failure?.platforms).toEqual(['linux/arm64']);
    const step = record.failure!.steps[0]!;
    expect(step.platform).toBe('linux/arm64');
    expect(step.name).toContain('RUN [ "$(uname -m)" != aarch64 ]');
    expect(step.error).toMatch(/exit code: 7/);
    expect(step.lastLogLines.join('\n')).toContain('refusing to build on aarch64');
    expect(record.failure!.cause.kind).toBe('command-failed');
    expect(record.outcomes.find((o) => o.platform === 'linux/arm64')).toMatchObject({ status: 'error', failedStep: { name: expect.stringContaining('aarch64') } });
    expect(record.outcomes.find((o) => o.platform === 'linux/amd64')?.status).not.toBe('error');
    // buildx 0.13: "ERROR: failed to solve: …"; newer buildx: "ERROR: failed to build: failed to solve: …"
    expect(stripAnsi(collected.text)).toMatch(/ERROR: (failed to build: )?failed to solve/);
  });

  it('cancels mid-build promptly and leaves no docker or buildx process behind', async () => {
    const context = await fixture(`FROM ${stack.baseImage}\nRUN echo "sleeping on $(uname -m)"; sleep 30; echo woke\n`);
    contexts.push(context);
    let runningSeen: () => void = () => undefined;
    const running = new Promise<void>((r) => (runningSeen = r));
    const { collected, onChunk } = collector();
    const call = t.api.builds.run(
      { context, platforms: ['linux/amd64', 'linux/arm64'], output: { type: 'cacheonly' }, noCache: true },
      {
        onChunk: (c) => {
          onChunk(c);
          if (c.progress?.lanes.some((l) => l.steps.some((s) => s.name.startsWith('RUN') && s.status === 'running'))) runningSeen();
        },
      },
    );
    await running;
    const id = collected.id!;
    const buildDir = join(dataDir, 'builds', id);
    expect(await processesNaming(buildDir)).not.toEqual([]);
    const asked = Date.now();
    expect(await t.api.builds.cancel({ id })).toEqual({ cancelled: true });
    const record = await call.result;
    records.push(record);
    const took = Date.now() - asked;

    expect(record.status).toBe('cancelled');
    expect(took).toBeLessThan(10_000);
    expect(await processesNaming(buildDir)).toEqual([]);
    expect(stripAnsi(collected.text)).toContain('Cancelled');
    expect(record.outcomes.every((o) => o.status !== 'done')).toBe(true);
    expect((await t.api.builds.get({ id })).status).toBe('cancelled');
    // cancelling again is a no-op
    expect(await t.api.builds.cancel({ id })).toEqual({ cancelled: false });
  });

  it('lets a window join a running build late: the log from its first line, then live, the same text', async () => {
    const context = await fixture(`FROM ${stack.baseImage}\nRUN echo "before the pause on $(uname -m)"; sleep 2; echo "after the pause on $(uname -m)"\n`);
    contexts.push(context);
    let joined: Promise<BuildRecord> | undefined;
    const late = collector();
    const first = collector();
    const record = await t.api.builds.run(
      { context, platforms: ['linux/amd64', 'linux/arm64'], output: { type: 'cacheonly' }, noCache: true },
      {
        onChunk: (c) => {
          first.onChunk(c);
          if (!joined && stripAnsi(first.collected.text).includes('before the pause on aarch64')) {
            joined = t.api.builds.watch({ id: c.id }, { onChunk: late.onChunk }).result;
          }
        },
      },
    ).result;
    records.push(record);
    expect(joined).toBeDefined();
    expect(await joined).toEqual(record);
    expect(record.status).toBe('succeeded');
    expect(late.collected.chunks.some((c) => c.replay)).toBe(true);
    expect(late.collected.chunks.some((c) => !c.replay && c.terminal)).toBe(true);
    expect(late.collected.text).toBe(first.collected.text);
    expect(stripAnsi(late.collected.byPlatform.get('linux/arm64') ?? '')).toContain('after the pause on aarch64');
    expect(late.collected.lastProgress?.lanes.map((l) => l.status)).toEqual(['done', 'done']);
  });

  it('refuses an impossible request before starting anything', async () => {
    const context = await fixture(`FROM ${stack.baseImage}\n`);
    contexts.push(context);
    const before = (await t.api.builds.list({})).builds.length;
    await expect(t.api.builds.run({ context, platforms: ['linux/amd64'], output: { type: 'push' } }).result).rejects.toMatchObject({
      code: 'BUILD_IMPOSSIBLE',
      data: { problems: [expect.objectContaining({ code: 'PUSH_WITHOUT_TAG' })] },
    });
    await expect(t.api.builds.run({ context: join(context, 'nope'), platforms: ['linux/amd64'], output: { type: 'cacheonly' } }).result).rejects.toMatchObject({
      code: 'BUILD_CONTEXT_INVALID',
    });
    await expect(t.api.builds.run({ context, platforms: ['linux/amd64'], output: { type: 'push' }, tags: ['Bad Tag'] }).result).rejects.toMatchObject({
      code: 'BAD_INPUT',
    });
    expect((await t.api.builds.list({})).builds.length).toBe(before);
  });

  it('keeps history across a core restart, replays the log, and sets a truncated record aside', async () => {
    expect(records.map((r) => r.status)).toEqual(['succeeded', 'failed', 'cancelled', 'succeeded']);
    await t.close();
    t = await startTestCore({ env, dataDir });
    await waitForEngine(t.api, 'connected');

    const listed = await t.api.builds.list({});
    expect(listed.unreadable).toEqual([]);
    for (const r of records) {
      // A build that pushed gains its binary check's verdict after it ended (integrity.engine.test.ts
      // covers it): the list's summary carries the record's verdict.
      const { integrity, ...kept } = listed.builds.find((b) => b.id === r.id)!;
      expect(kept).toEqual(summarize(r));
      const { integrity: recorded, ...stored } = await t.api.builds.get({ id: r.id });
      expect(stored).toEqual(r);
      expect(integrity).toEqual(recorded);
      expect(integrity !== undefined).toBe(r.status === 'succeeded' && r.request.output.type === 'push');
    }

    // open: the log replayed gives the same lanes and text as the live build
    const ok = records[0]!;
    const { collected, onChunk } = collector();
    const { integrity: _checked, ...replayed } = await t.api.builds.watch({ id: ok.id }, { onChunk }).result;
    expect(replayed).toEqual(ok);
    expect(collected.chunks.every((c) => c.replay)).toBe(true);
    expect(collected.lastProgress?.lanes.map((l) => l.status)).toEqual(['done', 'done', 'done', 'done']);
    expect(stripAnsi(collected.byPlatform.get('linux/riscv64') ?? '')).toContain('building linux/riscv64 on riscv64');

    // a record cut short (a crash mid-write on another tool) is set aside with a clear message
    const failed = records[1]!;
    const file = join(dataDir, 'builds', failed.id, 'build.json');
    const size = (await readFile(file)).length;
    await truncate(file, Math.floor(size / 2));
    const after = await t.api.builds.list({});
    expect(after.builds.map((b) => b.id)).not.toContain(failed.id);
    expect(after.builds.map((b) => b.id)).toContain(ok.id);
    expect(after.unreadable).toHaveLength(1);
    expect(after.unreadable[0]!.id).toBe(failed.id);
    expect(after.unreadable[0]!.kind).toBe('set-aside');
    expect(after.unreadable[0]!.message).toContain(`The history record of build ${failed.id} could not be read`);
    expect(after.unreadable[0]!.path).toMatch(/build\.json\.corrupt-/);
    await expect(readFile(after.unreadable[0]!.path, 'utf8')).resolves.toHaveLength(Math.floor(size / 2));
    // still reported on the next listing, and deletable
    expect((await t.api.builds.list({})).unreadable.map((s) => s.id)).toEqual([failed.id]);
    expect(await t.api.builds.remove({ id: failed.id })).toEqual({ removed: true });
    expect((await t.api.builds.list({})).unreadable).toEqual([]);
  });

  it('stops a running build when the app closes and records it as interrupted', async () => {
    const context = await fixture(`FROM ${stack.baseImage}\nRUN echo "long step on $(uname -m)"; sleep 30\n`);
    contexts.push(context);
    let id = '';
    let running: () => void = () => undefined;
    const started = new Promise<void>((r) => (running = r));
    const call = t.api.builds.run(
      { context, platforms: ['linux/amd64'], output: { type: 'cacheonly' }, noCache: true },
      {
        onChunk: (c) => {
          id = c.id;
          if (c.progress?.lanes.some((l) => l.steps.some((s) => s.name.startsWith('RUN') && s.status === 'running'))) running();
        },
      },
    );
    call.result.catch(() => undefined); // the connection closes with the core
    await started;
    const buildDir = join(dataDir, 'builds', id);
    await t.close();
    expect(await processesNaming(buildDir)).toEqual([]);
    t = await startTestCore({ env, dataDir });
    const record = await t.api.builds.get({ id });
    expect(record.status).toBe('interrupted');
    expect(record.note).toMatch(/app closed while this build ran/);
  });

  it('shows a build that was running when the app stopped as interrupted', async () => {
    const ok = records[0]!;
    const ghost: BuildRecord = { ...ok, id: `${ok.id.slice(0, 15)}-deadbeef`, status: 'running', startedAt: new Date().toISOString() };
    delete ghost.endedAt;
    delete ghost.digest;
    await mkdir(join(dataDir, 'builds', ghost.id), { recursive: true });
    await writeFile(join(dataDir, 'builds', ghost.id, 'build.json'), JSON.stringify(ghost));
    await t.close();
    t = await startTestCore({ env, dataDir });
    const record = await t.api.builds.get({ id: ghost.id });
    expect(record.status).toBe('interrupted');
    expect(record.note).toMatch(/app stopped while this build was running/);
    expect(record.endedAt).toBeDefined();
  });
});
