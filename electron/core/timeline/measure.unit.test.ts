import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BuildRecord } from '../../../shared/contract/builds';
import { RpcError } from '../../../shared/rpc/errors';
import { startTestCore, type TestCore } from '../testing/test-core';

/** Refusals that come before any build: a core whose engine is absent (nothing here may reach it). */
const noEngine = { DOCKER_HOST: 'unix:///nonexistent/docker.sock', PATH: process.env.PATH };
const ID = '20261206-181500-0000beef';

let t: TestCore;
let dataDir: string;
let context: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'mas-measure-unit-'));
  context = await mkdtemp(join(tmpdir(), 'mas-measure-unit-ctx-'));
  t = await startTestCore({ env: noEngine, dataDir });
});
afterEach(async () => {
  await t.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(context, { recursive: true, force: true });
});

async function keptBuild(dockerfile: string): Promise<void> {
  await writeFile(join(context, 'Dockerfile'), dockerfile);
  const dir = join(dataDir, 'builds', ID);
  await mkdir(dir, { recursive: true });
  const record: BuildRecord = {
    schema: 1,
    id: ID,
    request: { context, tags: [], platforms: ['linux/amd64', 'linux/arm64'], buildArgs: [], output: { type: 'cacheonly' }, provenance: false, sbom: false, noCache: false, pull: false, cacheFrom: [], cacheTo: [] },
    command: 'docker buildx build …',
    builder: { name: 'default', driver: 'docker' },
    platforms: ['linux/amd64', 'linux/arm64'],
    status: 'succeeded',
    startedAt: '2026-12-06T18:15:00.000Z',
    outcomes: [],
    imageNames: [],
    logFile: join(dir, 'build.log'),
    logBytes: 0,
  };
  await writeFile(join(dir, 'build.json'), JSON.stringify(record));
}

const failure = (call: Promise<unknown>) =>
  call.then(
    () => undefined,
    (e: unknown) => e as RpcError,
  );

describe('"Measure it" refuses before anything is built', () => {
  it('a stage the advice offers no rewrite for (cgo may be on): nothing written, the Dockerfile untouched', async () => {
    const text = 'FROM golang AS build\nRUN go build -o /out/app .\n\nFROM busybox\nCOPY --from=build /out/app /app\n';
    await keptBuild(text);
    const error = await failure(t.api.timeline.measure({ id: ID, rule: 'compile-under-emulation', line: 2 }).result);
    expect(error).toBeInstanceOf(RpcError);
    expect(error).toMatchObject({ code: 'REWRITE_NOT_OFFERED', message: expect.stringContaining('line 2') });
    expect(await readFile(join(context, 'Dockerfile'), 'utf8')).toBe(text);
    expect(await readdir(join(dataDir, 'temp')).catch(() => [])).toEqual([]);
  });

  it('a build that is not in the history, and a finding that is not a compile stage', async () => {
    expect(await failure(t.api.timeline.measure({ id: '20261206-181500-00000000', rule: 'compile-under-emulation', line: 2 }).result)).toMatchObject({ code: 'BUILD_NOT_FOUND' });
    // @ts-expect-error -- only compile stages have a cross-compile rewrite to measure
    expect(await failure(t.api.timeline.measure({ id: ID, rule: 'hardcoded-arch', line: 2 }).result)).toMatchObject({ code: 'BAD_INPUT' });
  });

  it('copies a measurement left behind by a killed app are removed at start', async () => {
    await mkdir(join(dataDir, 'temp', 'measure-abc123'), { recursive: true });
    await writeFile(join(dataDir, 'temp', 'measure-abc123', 'current.Dockerfile'), 'FROM x\n');
    await mkdir(join(dataDir, 'temp', 'other'), { recursive: true });
    await t.close();
    t = await startTestCore({ env: noEngine, dataDir });
    await expect.poll(() => readdir(join(dataDir, 'temp'))).toEqual(['other']);
  });
});
