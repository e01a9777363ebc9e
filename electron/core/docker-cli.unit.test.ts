import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEndpoint } from '../../shared/contract/engine';
import { DockerCli } from './docker-cli';

// Stand-ins for the docker binary (fault injection: a command that answers at once, one that never
// ends until cancelled); the real docker CLI is driven by the engine tests.
const endpoint: EngineEndpoint = { host: 'unix:///nonexistent/docker.sock', source: 'default', detail: 'test', tls: false };
let dir: string;
let quick: string;
let forever: string;
let spawnLog: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mas-cli-unit-'));
  spawnLog = join(dir, 'spawned');
  quick = join(dir, 'quick-docker');
  forever = join(dir, 'stuck-docker');
  // Each process writes a line when it starts, then prints its arguments.
  await writeFile(quick, `#!/bin/sh\necho "$$" >> '${spawnLog}'\necho "$@"\n`);
  await writeFile(forever, '#!/bin/sh\n[ "$1" = quick ] && exit 0\nexec sleep 1000\n');
  await chmod(quick, 0o755);
  await chmod(forever, 0o755);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('docker CLI process bounds', () => {
  it('runs at most the limit at once, queues the next ones in order, and refuses beyond the queue with BUSY', async () => {
    const cli = new DockerCli(endpoint, {}, forever, { maxCommands: 2, maxQueuedCommands: 1 });
    const aborts = Array.from({ length: 4 }, () => new AbortController());
    const runs = aborts.map((a, i) => cli.run(['build-step', String(i)], { signal: a.signal }));
    const settled = runs.map((r) => r.then(() => 'resolved', (e: { code?: string }) => e.code));
    await tick();
    expect(cli.commands.active).toBe(2);
    expect(cli.commands.queued).toBe(1);
    expect(await settled[3]).toBe('BUSY');
    await expect(runs[3]).rejects.toMatchObject({ message: expect.stringMatching(/already running 2 docker commands and 1 more are waiting/), hint: expect.stringMatching(/Wait/) });

    // The queued one starts when a place frees up, not before.
    aborts[0]!.abort();
    expect(await settled[0]).toBe('CANCELLED');
    await tick();
    expect(cli.commands.active).toBe(2);
    expect(cli.commands.queued).toBe(0);
    for (const a of aborts) a.abort();
    expect(await Promise.all(settled)).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED', 'BUSY']);
    expect(cli.commands.active).toBe(0);
    expect(cli.commands.stats).toMatchObject({ started: 3, peak: 2, refused: 1 });
  });

  it('never has more processes at once than the limit, however many are asked for', async () => {
    const cli = new DockerCli(endpoint, {}, quick, { maxCommands: 3 });
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => cli.run(['run', String(i)])));
    expect(results.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 40 }, (_, i) => `run ${i}`));
    expect(cli.commands.stats.peak).toBe(3);
    expect(cli.commands.stats.started).toBe(40);
  });

  it('lets identical read-only queries asked at once share one process', async () => {
    await writeFile(spawnLog, '');
    const cli = new DockerCli(endpoint, {}, quick);
    const results = await Promise.all(Array.from({ length: 40 }, () => cli.run(['buildx', 'ls', '--format', 'json'])));
    expect(new Set(results.map((r) => r.stdout))).toEqual(new Set(['buildx ls --format json\n']));
    expect((await readFile(spawnLog, 'utf8')).trim().split('\n')).toHaveLength(1);
    // Asked again after it ended: a new process (no stale answer is kept).
    await cli.run(['buildx', 'ls', '--format', 'json']);
    expect((await readFile(spawnLog, 'utf8')).trim().split('\n')).toHaveLength(2);
    // Commands that change things are never shared.
    await Promise.all([cli.run(['buildx', 'use', 'x']), cli.run(['buildx', 'use', 'x'])]);
    expect((await readFile(spawnLog, 'utf8')).trim().split('\n')).toHaveLength(4);
  });

  it('ends a shared process only when every caller has cancelled', async () => {
    const cli = new DockerCli(endpoint, {}, forever, { maxCommands: 1 });
    const a = new AbortController();
    const b = new AbortController();
    const first = cli.run(['buildx', 'version'], { signal: a.signal }).catch((e: { code?: string }) => e.code);
    const second = cli.run(['buildx', 'version'], { signal: b.signal }).catch((e: { code?: string }) => e.code);
    await tick();
    expect(cli.commands.active).toBe(1);
    a.abort();
    expect(await first).toBe('CANCELLED');
    await tick();
    expect(cli.commands.active).toBe(1); // the other caller still waits for it
    b.abort();
    expect(await second).toBe('CANCELLED');
    // The process is gone once its last caller left: with one place, the next command starts only then.
    expect((await cli.run(['quick'])).code).toBe(0);
    expect(cli.commands.stats).toMatchObject({ started: 2, peak: 1 });
  });
});
