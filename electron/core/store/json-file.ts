import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { fsCause, realWriteError } from './fs-problems';

/** Writes through a temporary file, fsync and rename: a crash leaves the old file or the new one, never half. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(tmp, 'w', 0o600);
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (error) {
    // A failed write (disk full, target a folder) leaves no stray temporary file behind.
    await rm(tmp, { force: true });
    throw error;
  }
}

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

export type ReadJsonResult<T> =
  | { status: 'ok'; value: T }
  | { status: 'missing' }
  /** The content was not valid (JSON or schema); the file has been moved to `setAsidePath`. */
  | { status: 'set-aside'; setAsidePath: string; reason: string }
  /** The content was not valid, and moving it aside failed too (a read-only folder): it is left in place. */
  | { status: 'corrupt'; reason: string; moveProblem: string }
  /**
   * The file could not be read for a reason other than its content (permission denied, a folder or
   * a pipe in its place, a symlink loop): left exactly as it is, since its content may be fine.
   */
  | { status: 'unreadable'; reason: string; error: unknown };

/** Reads and validates a JSON file. A corrupt file is renamed aside (kept for the user), never a crash. */
export async function readJsonFile<S extends z.ZodType>(path: string, schema: S): Promise<ReadJsonResult<z.output<S>>> {
  let text: string;
  try {
    text = await readRegularFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing' };
    return { status: 'unreadable', reason: fsCause(error), error };
  }
  let reason: string;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    if (parsed.success) return { status: 'ok', value: parsed.data };
    reason = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  } catch (error) {
    reason = (error as Error).message;
  }
  const setAsidePath = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  try {
    await rename(path, setAsidePath);
  } catch (error) {
    return { status: 'corrupt', reason, moveProblem: fsCause(await realWriteError(error, setAsidePath)) };
  }
  return { status: 'set-aside', setAsidePath, reason };
}

/**
 * The whole text of a regular file. Opened without blocking and checked before reading, so a
 * pipe or a device in the file's place is refused (ENOTREG-like EINVAL) instead of hanging.
 */
async function readRegularFile(path: string): Promise<string> {
  const handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw Object.assign(new Error(`${path} is a folder`), { code: 'EISDIR' });
    if (!info.isFile()) throw Object.assign(new Error(`${path} is not a regular file`), { code: 'ENOTREG' });
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}
