import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildRequestInput, type BuildRequestInput } from '../../../shared/domain/build-request/request';
import { prepareExports } from './destinations';
import { rejection } from '../testing/rejection';

let dir: string;
let dataDir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mas-dest-'));
  dataDir = join(dir, 'data');
  await mkdir(dataDir);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const request = (patch: Partial<BuildRequestInput>) => buildRequestInput.parse({ context: dir, platforms: ['linux/amd64'], output: { type: 'cacheonly' }, ...patch });
const prepare = (patch: Partial<BuildRequestInput>) => prepareExports(request(patch), { dataDir, home: join(dir, 'home') });


describe('build destinations', () => {
  it('refuses system locations whatever is confirmed, and links to them', async () => {
    await symlink('/etc', join(dir, 'to-etc'));
    const cases: Array<[Partial<BuildRequestInput>, RegExp]> = [
      [{ output: { type: 'local', dest: '/' } }, /root of the whole system/],
      [{ output: { type: 'local', dest: '/etc' }, overwrite: ['/etc'] }, /a folder of the operating system/],
      [{ output: { type: 'oci', dest: '/etc/passwd' }, overwrite: ['/etc/passwd'] }, /inside \/etc/],
      [{ output: { type: 'oci', dest: '/usr/bin/image.tar' } }, /inside \/usr/],
      [{ cacheTo: ['type=local,dest=/'] }, /root of the whole system/],
      [{ cacheTo: ['type=local,mode=max,"dest=/var/lib"'] }, /operating system/],
      [{ output: { type: 'oci', dest: join(dir, 'to-etc', 'passwd') } }, /leads to \/etc\/passwd/],
      [{ output: { type: 'local', dest: join(dataDir, 'builds') } }, /inside the app's data folder/],
    ];
    for (const [patch, message] of cases) {
      const error = await rejection(prepare(patch));
      expect(error.code, JSON.stringify(patch)).toBe('DESTINATION_REFUSED');
      expect(error.message, JSON.stringify(patch)).toMatch(message);
    }
  });

  it('never writes through a link, and says so', async () => {
    await writeFile(join(dir, 'real.tar'), 'old');
    await symlink(join(dir, 'real.tar'), join(dir, 'link.tar'));
    const error = await rejection(prepare({ output: { type: 'oci', dest: join(dir, 'link.tar') }, overwrite: [join(dir, 'link.tar')] }));
    expect(error).toMatchObject({ code: 'DESTINATION_REFUSED', message: expect.stringMatching(/is a symbolic link; the app never writes through one/) });
    expect(await readFile(join(dir, 'real.tar'), 'utf8')).toBe('old');
  });

  it('asks before replacing an existing file or a folder that is not empty, for that exact path', async () => {
    const tar = join(dir, 'image.tar');
    await writeFile(tar, 'old image');
    const error = await rejection(prepare({ output: { type: 'oci', dest: tar } }));
    expect(error).toMatchObject({ code: 'DESTINATION_EXISTS', data: { path: tar, field: 'output', kind: 'file' } });
    // a confirmation for another path does not count
    expect((await rejection(prepare({ output: { type: 'oci', dest: tar }, overwrite: [join(dir, 'other.tar')] }))).code).toBe('DESTINATION_EXISTS');

    const folder = join(dir, 'out');
    await mkdir(folder);
    await writeFile(join(folder, 'keep.txt'), 'mine');
    expect(await rejection(prepare({ output: { type: 'local', dest: folder } }))).toMatchObject({ code: 'DESTINATION_EXISTS', data: { kind: 'folder' } });
    // an empty folder, or a cache folder that already holds a cache, is used without asking
    await mkdir(join(dir, 'empty'));
    await expect(prepare({ output: { type: 'local', dest: join(dir, 'empty') } })).resolves.toBeDefined();
    await mkdir(join(dir, 'cache'));
    await writeFile(join(dir, 'cache', 'index.json'), '{}');
    await expect(prepare({ cacheTo: [`type=local,dest=${join(dir, 'cache')}`] })).resolves.toBeDefined();
    expect((await rejection(prepare({ cacheTo: [`type=local,dest=${folder}`] }))).code).toBe('DESTINATION_EXISTS');
  });

  it('writes into a fresh path beside the destination and replaces it only on success', async () => {
    const folder = join(dir, 'out');
    await mkdir(folder);
    await writeFile(join(folder, 'old.txt'), 'old');
    // Failed build: the old folder is untouched and nothing is left over.
    const failed = await prepare({ output: { type: 'local', dest: folder }, overwrite: [folder] });
    expect(failed.outputDest).toMatch(/\/\.out\.partial-[0-9a-f]{12}$/);
    expect(await readdir(failed.outputDest!)).toEqual([]);
    await writeFile(join(failed.outputDest!, 'new.txt'), 'new');
    expect(await failed.complete(false)).toBeUndefined();
    expect((await readdir(dir)).sort()).toEqual(['data', 'out']);
    expect(await readdir(folder)).toEqual(['old.txt']);

    // Successful build: the new files replace the old folder as a whole.
    const ok = await prepare({ output: { type: 'local', dest: folder }, overwrite: [folder] });
    await writeFile(join(ok.outputDest!, 'new.txt'), 'new');
    expect(await ok.complete(true)).toBeUndefined();
    expect(await readdir(folder)).toEqual(['new.txt']);
    expect((await readdir(dir)).sort()).toEqual(['data', 'out']);

    // A tarball replaces the old file atomically.
    const tar = join(dir, 'image.tar');
    await writeFile(tar, 'old image');
    const oci = await prepare({ output: { type: 'oci', dest: tar }, overwrite: [tar] });
    await writeFile(oci.outputDest!, 'new image');
    await oci.complete(true);
    expect(await readFile(tar, 'utf8')).toBe('new image');
  });

  it('leaves a destination that appeared during the build alone, and says where the result is', async () => {
    const tar = join(dir, 'late.tar');
    const plan = await prepare({ output: { type: 'oci', dest: tar } });
    await writeFile(plan.outputDest!, 'result');
    await writeFile(tar, 'someone else');
    expect(await plan.complete(true)).toMatch(/appeared or changed while the build ran, so it was left alone; the result is in .*\.late\.tar\.partial-/);
    expect(await readFile(tar, 'utf8')).toBe('someone else');
  });
});
