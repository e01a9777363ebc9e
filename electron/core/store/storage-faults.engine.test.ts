import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BuildRecord } from '../../../shared/contract/builds';
import { bundleHeadless, startHeadlessChild, type HeadlessChild } from '../testing/headless-child';
import { startTestCore, type TestCore } from '../testing/test-core';
import { rejection } from '../testing/rejection';

/**
 * Real file-system faults under the app's data folder. Tests run as root, whom no permission
 * stops, so:
 * - "a folder where the file should be", a symlink loop and a FIFO are made as root;
 * - a read-only data folder is a read-only bind mount of a temporary folder (`mount --bind`, then
 *   `mount -o remount,ro,bind`), undone after the test;
 * - permission denied needs another user: the real headless app runs as `nobody` (spawn's uid/gid)
 *   on a folder whose files root made unreadable to it.
 * No engine is used (the socket does not exist): these are about starting and storage.
 */

const run = promisify(execFile);
const NOBODY = 65534;
const noEngine = { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock', PATH: process.env.PATH } };

let dir: string;
let t: TestCore | undefined;
const mounts: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mas-storage-faults-'));
});
afterEach(async () => {
  await t?.close();
  t = undefined;
  for (const m of mounts.splice(0).reverse()) await run('umount', [m]).catch(() => undefined);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const record = (id: string, dataDir: string, patch: Partial<BuildRecord> = {}): BuildRecord => ({
  schema: 1,
  id,
  request: { context: '/work/app', tags: [], platforms: ['linux/amd64'], buildArgs: [], output: { type: 'cacheonly' }, provenance: false, sbom: false, noCache: false, pull: false, cacheFrom: [], cacheTo: [] },
  command: 'docker buildx build --platform linux/amd64 --output type=cacheonly /work/app',
  builder: { name: 'default', driver: 'docker' },
  platforms: ['linux/amd64'],
  status: 'succeeded',
  startedAt: `${id.slice(0, 4)}-${id.slice(4, 6)}-${id.slice(6, 8)}T${id.slice(9, 11)}:${id.slice(11, 13)}:${id.slice(13, 15)}.000Z`,
  endedAt: '2026-11-27T23:59:00.000Z',
  durationMs: 1000,
  outcomes: [{ platform: 'linux/amd64', status: 'done', steps: 1, cached: 0 }],
  imageNames: [],
  logFile: join(dataDir, 'builds', id, 'build.log'),
  logBytes: 0,
  ...patch,
});

async function putRecord(dataDir: string, r: BuildRecord): Promise<string> {
  const folder = join(dataDir, 'builds', r.id);
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'build.json'), JSON.stringify(r));
  return folder;
}

async function readOnlyMount(path: string): Promise<void> {
  await run('mount', ['--bind', path, path]);
  mounts.push(path);
  await run('mount', ['-o', 'remount,ro,bind', path]);
}


describe('the app starts whatever is on disk', () => {
  it('lists readable builds and shows a folder, a symlink loop and a pipe in a record’s place with their reason', async () => {
    const dataDir = join(dir, 'odd-files');
    const ok = record('20261127-230000-aaaaaaaa', dataDir);
    await putRecord(dataDir, ok);
    const folder = join(dataDir, 'builds', '20261127-230100-bbbbbbbb');
    await mkdir(join(folder, 'build.json'), { recursive: true });
    const loop = join(dataDir, 'builds', '20261127-230200-cccccccc');
    await mkdir(loop, { recursive: true });
    await symlink('build.json.link', join(loop, 'build.json'));
    await symlink('build.json', join(loop, 'build.json.link'));
    const pipe = join(dataDir, 'builds', '20261127-230300-dddddddd');
    await mkdir(pipe, { recursive: true });
    await run('mkfifo', [join(pipe, 'build.json')]);
    // settings.json is a folder
    await mkdir(join(dataDir, 'settings.json', 'x'), { recursive: true });

    t = await startTestCore({ ...noEngine, dataDir });
    const list = await t.api.builds.list({});
    expect(list.builds.map((b) => b.id)).toEqual([ok.id]);
    expect(list.unreadable.map((u) => [u.id, u.kind])).toEqual([
      ['20261127-230300-dddddddd', 'unreadable'],
      ['20261127-230200-cccccccc', 'unreadable'],
      ['20261127-230100-bbbbbbbb', 'unreadable'],
    ]);
    expect(list.unreadable[0]!.message).toMatch(/cannot be read \(it is not a regular file/);
    expect(list.unreadable[1]!.message).toMatch(/cannot be read \(a loop of symbolic links\)/);
    expect(list.unreadable[2]!.message).toMatch(/cannot be read \(a folder is where the file should be\)/);
    for (const u of list.unreadable) expect(u.hint).toBeTruthy();
    // kept, not moved: their content may be fine
    expect((await run('ls', [folder])).stdout.trim()).toBe('build.json');
    await expect(t.api.builds.get({ id: '20261127-230100-bbbbbbbb' })).rejects.toMatchObject({ code: 'BUILD_RECORD_UNREADABLE' });

    const about = await t.api.app.about({});
    expect(about.storage.writable).toBe(true);
    expect(about.storage.notices).toEqual([expect.stringMatching(/settings file .*settings\.json cannot be read \(a folder is where the file should be\); defaults are used/)]);
    // nothing overwrites settings the app could not read
    expect(await rejection(t.api.app.updateSettings({ emulators: { autoRestore: true } }))).toMatchObject({ code: 'SETTINGS_NOT_SAVED' });
    expect((await t.api.app.settings({})).emulators.autoRestore).toBe(false);
  });

  it('works read-only on a read-only data folder, says why, and writes again once it can', async () => {
    const dataDir = join(dir, 'read-only');
    await putRecord(dataDir, record('20261127-230000-aaaaaaaa', dataDir));
    // the app stopped while this one ran: it must be shown interrupted
    await putRecord(dataDir, record('20261127-231000-eeeeeeee', dataDir, { status: 'running' }));
    // a corrupt record that should be set aside
    const corrupt = await putRecord(dataDir, record('20261127-232000-ffffffff', dataDir));
    await writeFile(join(corrupt, 'build.json'), '{"schema":1,"id":"2026');
    await writeFile(join(dataDir, 'settings.json'), JSON.stringify({ emulators: { autoRestore: true } }));
    await readOnlyMount(dataDir);

    t = await startTestCore({ ...noEngine, dataDir });
    const about = await t.api.app.about({});
    expect(about.storage).toMatchObject({ writable: false, problem: { message: expect.stringMatching(/^The data folder .* cannot be written \(the file system is read-only\): the app works read-only/), hint: expect.stringMatching(/Remount/) } });

    const list = await t.api.builds.list({});
    expect(list.builds.map((b) => [b.id, b.status])).toEqual([
      ['20261127-231000-eeeeeeee', 'interrupted'],
      ['20261127-230000-aaaaaaaa', 'succeeded'],
    ]);
    expect(list.builds[0]!.note).toMatch(/Not yet written to disk: .*the file system is read-only/);
    expect(list.unreadable).toEqual([
      expect.objectContaining({ id: '20261127-232000-ffffffff', kind: 'unreadable', message: expect.stringMatching(/is not valid .* and could not be moved aside \(the file system is read-only\)/) }),
    ]);

    // a settings change that cannot be written changes nothing, and says why (not ENOENT)
    const refused = await rejection(t.api.app.updateSettings({ emulators: { autoRestore: false } }));
    expect(refused).toMatchObject({ code: 'SETTINGS_NOT_SAVED', message: expect.stringMatching(/could not be written \(the file system is read-only\)/) });
    expect(refused.message).not.toMatch(/ENOENT/);
    expect((await t.api.app.settings({})).emulators.autoRestore).toBe(true);
    // a build is refused before anything runs, with the real cause
    const build = await rejection(t.api.builds.run({ context: dir, platforms: ['linux/amd64'], output: { type: 'cacheonly' } }).result);
    expect(build).toMatchObject({ code: 'DATA_READ_ONLY', message: expect.stringMatching(/^The build was not started: The data folder .* \(the file system is read-only\)/) });
    // and so is a build over several nodes: the same admission
    const distributed = await rejection(
      t.api.builds.distribute({
        request: { context: dir, platforms: ['linux/amd64'], tags: ['127.0.0.1:5000/mas-test/read-only:1'], output: { type: 'push' } },
        lanes: [{ platform: 'linux/amd64', builder: 'default' }],
      }).result,
    );
    expect(distributed).toMatchObject({ code: 'DATA_READ_ONLY', message: expect.stringMatching(/^The build was not started: /) });

    // writable again: the next change is saved (the failed one blocked nothing), and the interrupted record is written
    await run('mount', ['-o', 'remount,rw,bind', dataDir]);
    expect((await t.api.app.updateSettings({ emulators: { autoRestore: false } })).emulators.autoRestore).toBe(false);
    expect(JSON.parse(await readFile(join(dataDir, 'settings.json'), 'utf8')).emulators.autoRestore).toBe(false);
    expect((await t.api.app.about({})).storage.writable).toBe(true);
    // (the build itself is refused on its own fields, after the pending record was written)
    await expect(t.api.builds.run({ context: dir, platforms: ['linux/foo'], output: { type: 'cacheonly' } }).result).rejects.toMatchObject({ code: 'BUILD_IMPOSSIBLE' });
    const onDisk = JSON.parse(await readFile(join(dataDir, 'builds', '20261127-231000-eeeeeeee', 'build.json'), 'utf8')) as BuildRecord;
    expect(onDisk.status).toBe('interrupted');
  });

  it('names a read-only file system, not ENOENT, when the data folder cannot even be created', async () => {
    const parent = join(dir, 'ro-parent');
    await mkdir(parent, { recursive: true });
    await readOnlyMount(parent);
    t = await startTestCore({ ...noEngine, dataDir: join(parent, 'data') });
    const about = await t.api.app.about({});
    expect(about.storage.problem?.message).toMatch(/cannot be written \(the file system is read-only\)/);
    expect(about.storage.problem?.message).not.toMatch(/ENOENT|does not exist/);
    expect((await t.api.builds.list({})).builds).toEqual([]);
  });
});

describe('permission denied, as a user other than root', () => {
  let headless: Awaited<ReturnType<typeof bundleHeadless>>;
  let child: HeadlessChild | undefined;
  beforeAll(async () => {
    headless = await bundleHeadless();
  });
  afterAll(async () => {
    await child?.close();
    await headless?.dispose();
  });

  it('starts, lists what it can read, and shows each unreadable record and the settings file with its reason', async () => {
    const dataDir = join(dir, 'forbidden');
    const readable = record('20261127-230000-aaaaaaaa', dataDir);
    const hidden = record('20261127-231000-bbbbbbbb', dataDir);
    await putRecord(dataDir, readable);
    const hiddenDir = await putRecord(dataDir, hidden);
    await writeFile(join(dataDir, 'settings.json'), JSON.stringify({ emulators: { autoRestore: true } }));
    await run('chown', ['-R', `${NOBODY}:${NOBODY}`, dataDir]);
    // root's files, unreadable to nobody
    await chown(join(hiddenDir, 'build.json'), 0, 0);
    await chmod(join(hiddenDir, 'build.json'), 0o600);
    await chown(join(dataDir, 'settings.json'), 0, 0);
    await chmod(join(dataDir, 'settings.json'), 0o600);
    await chmod(dir, 0o755);

    child = await startHeadlessChild(headless.script, { dataDir, uid: NOBODY, gid: NOBODY });
    const list = await child.api.builds.list({});
    expect(list.builds.map((b) => b.id)).toEqual([readable.id]);
    expect(list.unreadable).toEqual([
      expect.objectContaining({ id: hidden.id, kind: 'unreadable', message: expect.stringMatching(/cannot be read \(permission denied\)/), hint: expect.stringMatching(/read and write access/) }),
    ]);
    const about = await child.api.app.about({});
    expect(about.storage.writable).toBe(true);
    expect(about.storage.notices).toEqual([expect.stringMatching(/settings\.json cannot be read \(permission denied\); defaults are used and the file is left as it is/)]);
    expect((await child.api.app.settings({})).emulators.autoRestore).toBe(false);
    // root's settings file is left as it was
    expect(JSON.parse(await readFile(join(dataDir, 'settings.json'), 'utf8'))).toEqual({ emulators: { autoRestore: true } });
    expect(child.output()).not.toMatch(/at .*\.mjs:\d+/); // no stack trace
  });
});
