import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RpcError } from '../../../shared/rpc/errors';
import { saveExport, sha256 } from './export-files';

let root: string;
let context: string;
let outside: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mas-export-files-'));
  context = join(root, 'ctx');
  outside = join(root, 'outside');
  await mkdir(context);
  await mkdir(outside);
});
afterEach(() => rm(root, { recursive: true, force: true }));

const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as RpcError);

describe('saving exported files into the build context', () => {
  it('creates the bake file, and the workflow under .github/workflows', async () => {
    expect(await saveExport({ context, kind: 'bake', content: 'a\n' })).toEqual({ path: join(context, 'docker-bake.hcl'), outcome: 'created' });
    expect(await saveExport({ context, kind: 'workflow', name: 'docker-image', content: 'on: push\n' })).toEqual({ path: join(context, '.github/workflows/docker-image.yml'), outcome: 'created' });
    expect(await readFile(join(context, '.github/workflows/docker-image.yml'), 'utf8')).toBe('on: push\n');
    // no temporary file left beside them
    expect((await readdir(context)).sort()).toEqual(['.github', 'docker-bake.hcl']);
  });

  it('never overwrites a different file unseen: FILE_EXISTS with its text, then replaces only the version confirmed', async () => {
    await writeFile(join(context, 'docker-bake.hcl'), 'mine\n');
    const refused = await failure(saveExport({ context, kind: 'bake', content: 'exported\n' }));
    expect(refused?.code).toBe('FILE_EXISTS');
    expect(refused?.data).toEqual({ path: join(context, 'docker-bake.hcl'), existing: 'mine\n', sha256: sha256('mine\n') });
    expect(await readFile(join(context, 'docker-bake.hcl'), 'utf8')).toBe('mine\n');

    // changed after the user looked: refused again, with the new text
    await writeFile(join(context, 'docker-bake.hcl'), 'mine, edited\n');
    const stale = await failure(saveExport({ context, kind: 'bake', content: 'exported\n', replaceSha256: sha256('mine\n') }));
    expect(stale?.code).toBe('FILE_EXISTS');
    expect((stale?.data as { existing: string }).existing).toBe('mine, edited\n');

    expect(await saveExport({ context, kind: 'bake', content: 'exported\n', replaceSha256: sha256('mine, edited\n') })).toMatchObject({ outcome: 'replaced' });
    expect(await readFile(join(context, 'docker-bake.hcl'), 'utf8')).toBe('exported\n');
    expect(await saveExport({ context, kind: 'bake', content: 'exported\n' })).toMatchObject({ outcome: 'unchanged' });
  });

  it('writes nothing outside the context through a symbolic link', async () => {
    await symlink(outside, join(context, '.github'));
    const error = await failure(saveExport({ context, kind: 'workflow', name: 'ci', content: 'x' }));
    expect(error?.code).toBe('EXPORT_OUTSIDE_CONTEXT');
    expect(await readdir(outside)).toEqual([]);

    await symlink(join(outside, 'target.hcl'), join(context, 'docker-bake.hcl'));
    const link = await failure(saveExport({ context, kind: 'bake', content: 'x' }));
    expect(link?.code).toBe('EXPORT_TARGET_NOT_A_FILE');
    expect(existsSync(join(outside, 'target.hcl'))).toBe(false);
  });

  it('refuses a context that is not a folder', async () => {
    expect((await failure(saveExport({ context: join(root, 'missing'), kind: 'bake', content: 'x' })))?.code).toBe('BUILD_CONTEXT_INVALID');
  });
});
