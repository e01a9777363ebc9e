import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Why a file operation failed, in words (the errno the system gave, not a stack trace). */
export function fsCause(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'the disk is full';
    case 'EDQUOT':
      return 'the disk quota is used up';
    case 'EISDIR':
      return 'a folder is where the file should be';
    case 'ENOTDIR':
      return 'a file is where a folder should be';
    case 'ELOOP':
      return 'a loop of symbolic links';
    case 'ENOENT':
      return 'it does not exist';
    case 'EIO':
      return 'an input/output error (a failing disk or lost network share)';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    case 'ENOTREG':
      return 'it is not a regular file (a pipe, socket or device is in its place)';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    default:
      return e?.code ? `${e.code}: ${e.message}` : String((error as Error)?.message ?? error);
  }
}

/** What to do about a cause, for the data folder. */
export function fsHint(error: unknown, folder: string): string {
  switch ((error as NodeJS.ErrnoException)?.code) {
    case 'EACCES':
    case 'EPERM':
      return `Give your user read and write access to ${folder} (e.g. chown or chmod it), or start the app with another data folder (--data-dir).`;
    case 'EROFS':
      return `Remount the file system of ${folder} read-write, or start the app with a data folder on a writable disk (--data-dir).`;
    case 'ENOSPC':
    case 'EDQUOT':
      return 'Free some disk space (old builds can be deleted on the History page), then try again.';
    case 'EISDIR':
    case 'ENOTDIR':
    case 'ELOOP':
    case 'ENOTREG':
      return `Something other than the app's own file is at that path: move it away (the app re-creates what it needs).`;
    default:
      return `Check ${folder} and the disk it is on.`;
  }
}

/**
 * A failed mkdir/open on a read-only or forbidden folder can report ENOENT (a parent it did not
 * create); asking the nearest existing folder for write access gives the real cause.
 */
export async function realWriteError(error: unknown, path: string): Promise<unknown> {
  if ((error as NodeJS.ErrnoException)?.code !== 'ENOENT') return error;
  let dir = dirname(path);
  for (let i = 0; i < 64; i++) {
    try {
      await access(dir, constants.F_OK);
    } catch {
      const up = dirname(dir);
      if (up === dir) return error;
      dir = up;
      continue;
    }
    try {
      await access(dir, constants.W_OK);
      return error;
    } catch (denied) {
      return denied;
    }
  }
  return error;
}
