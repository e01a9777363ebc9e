import { isAbsolutePath } from '../build-request/request';

/**
 * Path arithmetic for the export without node:path (shared code runs in the renderer too):
 * POSIX or Windows, whichever the context folder is written in.
 */
const separatorOf = (path: string): '/' | '\\' => (/^[A-Za-z]:\\/.test(path) && !path.includes('/') ? '\\' : '/');

const trimEnd = (path: string) => (path.length > 1 ? path.replace(/[\\/]+$/, '') : path);

/** `file` relative to `dir` when it lies inside it, with "/" separators; undefined otherwise. */
export function relativeInside(dir: string, file: string): string | undefined {
  const base = trimEnd(dir);
  const sep = separatorOf(base);
  if (!file.startsWith(base + sep)) return undefined;
  const rest = file.slice(base.length + 1);
  if (rest.split(/[\\/]/).some((p) => p === '..' || p === '')) return undefined;
  return rest.split(sep).join('/');
}

/** `relative` (with "/" separators, "." allowed) taken from `dir`; an absolute path is kept. */
export function joinPath(dir: string, relative: string): string {
  if (isAbsolutePath(relative)) return relative;
  const base = trimEnd(dir);
  const sep = separatorOf(base);
  const parts = relative.split(/[\\/]/).filter((p) => p !== '' && p !== '.');
  return parts.length ? [base, ...parts].join(sep) : base;
}

/** A repository-relative path: "." or a/b without a leading "./" or trailing "/". */
export function repoPath(path: string): string {
  const parts = path.trim().split('/').filter((p) => p !== '' && p !== '.');
  return parts.length ? parts.join('/') : '.';
}

export const inRepo = (root: string, relative: string): string => (root === '.' ? relative : `${root}/${relative}`);
