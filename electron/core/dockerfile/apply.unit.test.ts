import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeDockerfile } from '../../../shared/domain/dockerfile';
import { PickedPaths } from '../picked-paths';
import { applyRewrite, contentDigest } from './apply';

// The real file system: a context folder, a data folder, and Dockerfiles written for each case.
let root: string;
let dataDir: string;
const at = new Date('2026-12-06T10:00:00.000Z');

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mas-test-apply-'));
  dataDir = join(root, 'data');
});
afterAll(() => rm(root, { recursive: true, force: true }));

const HARDCODED = 'FROM alpine:3.20\r\nRUN wget -O /t https://example.com/tool-linux-amd64 \\\r\n && chmod +x /t\r\n';

async function contextWith(name: string, text: string, file = 'Dockerfile'): Promise<{ contextDir: string; dockerfile: string }> {
  const contextDir = join(root, name);
  await mkdir(contextDir, { recursive: true });
  const dockerfile = join(contextDir, file);
  await writeFile(dockerfile, text);
  return { contextDir, dockerfile };
}

describe('applyRewrite', () => {
  it('writes the finding’s rewrite (line ends kept, permissions kept) after a backup of the file as it was', async () => {
    const loc = await contextWith('ok', HARDCODED);
    await chmod(loc.dockerfile, 0o640);
    const done = await applyRewrite({ ...loc, contentDigest: contentDigest(HARDCODED), finding: { rule: 'hardcoded-arch', line: 2 } }, { dataDir }, () => at);
    const written = await readFile(loc.dockerfile, 'utf8');
    expect(written).toBe('FROM alpine:3.20\r\nARG TARGETARCH\r\nRUN wget -O /t https://example.com/tool-linux-${TARGETARCH} \\\r\n && chmod +x /t\r\n');
    expect((await stat(loc.dockerfile)).mode & 0o777).toBe(0o640);
    expect(done.backup.startsWith(join(dataDir, 'dockerfile-backups', '2026-12-06T10-00-00-000Z-'))).toBe(true);
    expect(await readFile(done.backup, 'utf8')).toBe(HARDCODED);
    expect(done.edits).toEqual([{ line: 2, endLine: 3 }]);
    expect(analyzeDockerfile(written).findings).toEqual([]);
    // Nothing else is left in the context folder (the temporary file was renamed over the Dockerfile).
    expect(await readdir(loc.contextDir)).toEqual(['Dockerfile']);
  });

  it('refuses when the file changed since the page checked it, and leaves it alone', async () => {
    const loc = await contextWith('changed', HARDCODED);
    const input = { ...loc, contentDigest: contentDigest('FROM alpine\n'), finding: { rule: 'hardcoded-arch' as const, line: 2 } };
    await expect(applyRewrite(input, { dataDir })).rejects.toMatchObject({ code: 'DOCKERFILE_CHANGED' });
    expect(await readFile(loc.dockerfile, 'utf8')).toBe(HARDCODED);
  });

  it('writes only a rewrite the analysis offers for that finding', async () => {
    const loc = await contextWith('not-offered', HARDCODED);
    const input = { ...loc, contentDigest: contentDigest(HARDCODED), finding: { rule: 'pinned-arch-arg' as const, line: 1 } };
    await expect(applyRewrite(input, { dataDir })).rejects.toMatchObject({ code: 'REWRITE_NOT_OFFERED' });
  });

  it('writes only a Dockerfile-named file inside the context, links resolved', async () => {
    const other = await contextWith('other', HARDCODED, 'notes.txt');
    await expect(applyRewrite({ ...other, contentDigest: contentDigest(HARDCODED), finding: { rule: 'hardcoded-arch', line: 2 } }, { dataDir })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    const outside = await contextWith('outside', HARDCODED);
    const linked = join(root, 'linked');
    await mkdir(linked, { recursive: true });
    await symlink(outside.dockerfile, join(linked, 'Dockerfile'));
    await expect(
      applyRewrite({ contextDir: linked, dockerfile: join(linked, 'Dockerfile'), contentDigest: contentDigest(HARDCODED), finding: { rule: 'hardcoded-arch', line: 2 } }, { dataDir }),
    ).rejects.toMatchObject({ code: 'BAD_INPUT' });
    expect(await readFile(outside.dockerfile, 'utf8')).toBe(HARDCODED);
  });

  it('writes a Dockerfile picked in the native dialog outside the context, but never through a picked link', async () => {
    const project = await contextWith('project', 'FROM alpine\n');
    const kept = await contextWith('kept-elsewhere', HARDCODED, 'api.Dockerfile');
    const input = { contextDir: project.contextDir, dockerfile: kept.dockerfile, contentDigest: contentDigest(HARDCODED), finding: { rule: 'hardcoded-arch' as const, line: 2 } };
    // not picked: outside the context, refused like the analysis would
    await expect(applyRewrite(input, { dataDir })).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/outside the build context/) });
    expect(await readFile(kept.dockerfile, 'utf8')).toBe(HARDCODED);

    const picked = new PickedPaths();
    picked.grant({ path: kept.dockerfile, kind: 'file' });
    await applyRewrite(input, { dataDir, picked });
    expect(await readFile(kept.dockerfile, 'utf8')).toContain('${TARGETARCH}');

    // a picked link is read (the user chose it) but not written: it leads elsewhere
    const target = await contextWith('link-target', HARDCODED);
    const link = join(root, 'kept-elsewhere', 'linked.Dockerfile');
    await symlink(target.dockerfile, link);
    picked.grant({ path: link, kind: 'file' });
    await expect(applyRewrite({ ...input, dockerfile: link }, { dataDir, picked })).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/is a link to/) });
    expect(await readFile(target.dockerfile, 'utf8')).toBe(HARDCODED);
    // a picked file not named like a Dockerfile is read, never written
    const notes = await contextWith('notes', HARDCODED, 'notes.txt');
    picked.grant({ path: notes.dockerfile, kind: 'file' });
    await expect(applyRewrite({ ...input, dockerfile: notes.dockerfile }, { dataDir, picked })).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/not named like a Dockerfile/) });
    expect(await readFile(notes.dockerfile, 'utf8')).toBe(HARDCODED);
  });

  it('writes nothing when the backup cannot be kept', async () => {
    const loc = await contextWith('no-backup', HARDCODED);
    const blocked = join(root, 'data-is-a-file');
    await writeFile(blocked, 'not a folder');
    await expect(applyRewrite({ ...loc, contentDigest: contentDigest(HARDCODED), finding: { rule: 'hardcoded-arch', line: 2 } }, { dataDir: blocked })).rejects.toMatchObject({ code: 'BACKUP_FAILED' });
    expect(await readFile(loc.dockerfile, 'utf8')).toBe(HARDCODED);
  });
});
