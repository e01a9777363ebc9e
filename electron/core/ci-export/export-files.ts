import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, readFile, realpath, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { MAX_EXPORT_BYTES, type SaveExportInput, type SaveExportResult } from '../../../shared/contract/ci-export';
import { BAKE_FILE } from '../../../shared/domain/ci-export';
import { RpcError } from '../../../shared/rpc/errors';

/**
 * Saves an exported file into the build context, under its fixed name: `docker-bake.hcl`, or
 * `.github/workflows/<name>.yml`. Only inside the context (no `..`, no symbolic link leading
 * out), never over a file the user has not seen: a different file on disk is answered with
 * FILE_EXISTS and its text, and replaced only when the next call names its SHA-256.
 */
export const sha256 = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');

export function exportPath(context: string, input: Pick<SaveExportInput, 'kind' | 'name'>): string {
  if (input.kind === 'bake') return join(context, BAKE_FILE);
  if (!input.name) throw new RpcError('BAD_INPUT', 'A workflow needs a file name.', { hint: 'Give the workflow a name such as docker-image.' });
  return join(context, '.github', 'workflows', `${input.name}.yml`);
}

const inside = (root: string, path: string) => path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);

/**
 * Makes the folders between the context and the file one by one, checking each that exists: a
 * symbolic link on the way (.github → elsewhere) must not take a single write out of the context.
 */
async function folderInside(root: string, dir: string): Promise<string> {
  let at = root;
  for (const part of relative(root, dir).split(sep).filter(Boolean)) {
    at = join(at, part);
    const st = await lstat(at).catch(() => undefined);
    if (!st) await mkdir(at);
    else if (st.isSymbolicLink()) {
      const real = await realpath(at).catch(() => at);
      if (!inside(root, real)) {
        throw new RpcError('EXPORT_OUTSIDE_CONTEXT', `${relative(root, at)} leads outside the build context (to ${real}); nothing was written.`, { hint: 'Remove the symbolic link, or save the file by hand.' });
      }
      at = real;
    } else if (!st.isDirectory()) {
      throw new RpcError('EXPORT_TARGET_NOT_A_FILE', `${at} is in the way and is not a folder; nothing was written.`, { hint: 'Move it away, or save the file by hand.' });
    }
  }
  return at;
}

export async function saveExport(input: SaveExportInput): Promise<SaveExportResult> {
  const context = resolve(input.context);
  const root = await realpath(context).catch(() => undefined);
  if (!root || !(await lstat(root)).isDirectory()) {
    throw new RpcError('BUILD_CONTEXT_INVALID', `${context} is not a folder.`, { hint: 'Pick the build context folder on the Build page.' });
  }
  const path = exportPath(root, input);
  const realDir = await folderInside(root, dirname(path));
  const target = join(realDir, basename(path));
  const existing = await lstat(target).catch(() => undefined);
  if (existing && !existing.isFile()) {
    throw new RpcError('EXPORT_TARGET_NOT_A_FILE', `${target} exists and is not a regular file (${existing.isSymbolicLink() ? 'a symbolic link' : 'a folder or special file'}); nothing was written.`, { hint: 'Move it away, or save the file by hand.' });
  }
  if (existing) {
    if (existing.size > MAX_EXPORT_BYTES * 4) {
      throw new RpcError('FILE_EXISTS', `${target} exists and is ${existing.size} bytes, too large to show; nothing was written.`, { hint: 'Move it away first.', data: { path: target, existing: '', sha256: '' } });
    }
    const text = await readFile(target, 'utf8');
    if (text === input.content) return { path: target, outcome: 'unchanged' };
    const hash = sha256(text);
    if (input.replaceSha256 !== hash) {
      throw new RpcError('FILE_EXISTS', `${target} already exists with other content; nothing was written.`, {
        hint: input.replaceSha256 ? 'It changed since you looked at it: review the new difference.' : 'Review the difference, then replace it or keep it.',
        data: { path: target, existing: text, sha256: hash },
      });
    }
  }
  // Write beside it and rename: the file is either the old one or the whole new one.
  const temp = join(realDir, `.${BAKE_FILE}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o644);
  try {
    await handle.writeFile(input.content, 'utf8');
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return { path: target, outcome: existing ? 'replaced' : 'created' };
}
