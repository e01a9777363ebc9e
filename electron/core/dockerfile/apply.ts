import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ApplyInput } from '../../../shared/contract/dockerfile';
import { analyzeDockerfile, applyEdits, type DockerfileEdit } from '../../../shared/domain/dockerfile';
import { RpcError, type ErrorCode } from '../../../shared/rpc/errors';
import type { PickedPaths } from '../picked-paths';
import { looksLikeDockerfile, readDockerfile, type DockerfileText } from './dockerfile-file';

export const contentDigest = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex')}`;

/**
 * "Apply" writes only where the analysis may read (see readDockerfile): a Dockerfile inside the
 * context, links resolved, or one the user picked in the native dialog. The file written is named
 * like a Dockerfile, and a picked file is written only as itself: the dialog granted that path,
 * not what a link there leads to.
 */
async function assertWritable(file: DockerfileText): Promise<void> {
  const refuse = (why: string) =>
    new RpcError('BAD_INPUT', `${file.path} ${why}: the app writes rewrites only into a Dockerfile inside the build context ${file.contextDir}, or one picked in the file dialog.`, {
      hint: 'Copy the rewrite into the file yourself.',
      data: { field: 'dockerfile', path: file.path },
    });
  if (!looksLikeDockerfile(basename(file.path)) || !looksLikeDockerfile(basename(file.real))) throw refuse('is not named like a Dockerfile');
  if (file.picked && (await lstat(file.path)).isSymbolicLink()) throw refuse(`is a link to ${file.real}`);
}

export interface AppliedRewrite {
  dockerfile: string;
  backup: string;
  edits: Array<{ line: number; endLine: number }>;
}

/** A file created next to `target` (same folder, so the rename is atomic), removed on failure. */
async function writeBeside(target: string, text: string, mode: number): Promise<string> {
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  return temp;
}

const failure = (code: ErrorCode, message: string, hint: string, error?: unknown) =>
  new RpcError(code, error ? `${message} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` : message, { hint });

/**
 * The rewrite the analysis offers for one finding of `text` (the one "Apply" writes and "Measure
 * it" builds), refused when the analysis offers none or the result would not parse.
 */
export function offeredRewrite(text: string, wanted: { rule: string; line: number }, platforms: readonly string[] | undefined, path: string): { text: string; edits: DockerfileEdit[] } {
  const options = platforms ? { platforms: [...platforms] } : {};
  const analysis = analyzeDockerfile(text, options);
  const finding = analysis.findings.find((f) => f.rule === wanted.rule && f.line === wanted.line && f.edits);
  if (!finding?.edits) {
    throw new RpcError('REWRITE_NOT_OFFERED', `No rewrite for ${wanted.rule} on line ${wanted.line} is offered for ${path}.`, {
      hint: 'Check again: the finding may be fixed already, or its rewrite depends on the ticked platforms.',
    });
  }
  const rewritten = applyEdits(text, finding.edits);
  const after = analyzeDockerfile(rewritten, options);
  if (after.parseErrors.length > analysis.parseErrors.length) {
    throw new RpcError('REWRITE_INVALID', `The rewrite would make ${path} fail to parse (${after.parseErrors[0]?.message ?? 'parse error'}), so it was not written.`, {
      hint: 'Copy the suggestion and adapt it by hand; please report the Dockerfile so the rewrite can be fixed.',
    });
  }
  return { text: rewritten, edits: finding.edits };
}

/**
 * Writes one finding's rewrite into the Dockerfile the page analysed. The renderer names the
 * finding and the digest of the file it showed; main reads the file again through the same checks
 * as the analysis, analyses it, and writes only the rewrite the analysis offers for that finding,
 * after a copy of the file is kept in `<dataDir>/dockerfile-backups`. The new text replaces the
 * file atomically (a temporary file beside it, renamed over it) with the same permissions.
 */
export async function applyRewrite(input: ApplyInput, where: { dataDir: string; picked?: PickedPaths }, now: () => Date = () => new Date()): Promise<AppliedRewrite> {
  const file = await readDockerfile(input, where.picked);
  await assertWritable(file);
  const real = file.real;
  if (contentDigest(file.text) !== input.contentDigest) {
    throw new RpcError('DOCKERFILE_CHANGED', `${file.path} changed since the page checked it, so the rewrite it showed may no longer fit.`, {
      hint: 'Check again, look at the rewrite the new text gets, then apply it.',
    });
  }
  const { text, edits } = offeredRewrite(file.text, input.finding, input.platforms, file.path);
  const folder = join(where.dataDir, 'dockerfile-backups');
  const stamp = now().toISOString().replace(/[:.]/g, '-');
  const backup = join(folder, `${stamp}-${createHash('sha256').update(real).digest('hex').slice(0, 8)}-${basename(real)}`);
  const mode = (await stat(real)).mode & 0o777;
  try {
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const handle = await open(backup, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      await handle.writeFile(file.text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw failure('BACKUP_FAILED', `The backup of ${file.path} could not be written to ${folder}, so the Dockerfile was left as it is`, 'Check that the app’s data folder is writable and has space.', error);
  }

  let temp: string | undefined;
  try {
    temp = await writeBeside(real, text, mode);
    // The last look before the swap: the file must still be the one that was analysed.
    const current = await readDockerfile(input, where.picked);
    if (contentDigest(current.text) !== input.contentDigest) {
      throw new RpcError('DOCKERFILE_CHANGED', `${file.path} changed while the rewrite was being written, so it was left as it is.`, { hint: 'Check again, then apply.' });
    }
    await rename(temp, real);
    temp = undefined;
  } catch (error) {
    if (error instanceof RpcError) throw error;
    throw failure('DOCKERFILE_WRITE_FAILED', `${file.path} could not be written; it is unchanged`, `Check that the folder ${dirname(real)} is writable. The backup is at ${backup}.`, error);
  } finally {
    if (temp) await rm(temp, { force: true });
  }
  return { dockerfile: file.path, backup, edits: edits.map((e) => ({ line: e.line, endLine: e.endLine })) };
}
