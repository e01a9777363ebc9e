import { constants } from 'node:fs';
import { open, readlink, realpath, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { MAX_DOCKERFILE_BYTES, type DockerfileLocation } from '../../../shared/contract/dockerfile';
import { RpcError } from '../../../shared/rpc/errors';
import type { PickedPaths } from '../picked-paths';

export interface DockerfileText {
  path: string;
  /** The file itself, links resolved. */
  real: string;
  contextDir: string;
  /** Read because the user picked it in the native dialog (it may lie outside the context). */
  picked: boolean;
  text: string;
  sizeBytes: number;
}

/**
 * Names people give Dockerfiles: `Dockerfile`, `Dockerfile.dev`, `Dockerfile-alpine`,
 * `api.Dockerfile`, `Containerfile…`. Any case: docker's CLI itself falls back to `dockerfile`,
 * and on case-insensitive file systems every spelling names the same file.
 */
export function looksLikeDockerfile(name: string): boolean {
  return /^(?:docker|container)file(?:[._-].+)?$|^.+\.(?:docker|container)file$/i.test(name);
}

/** Kernel views (not files on a disk) whose entries can look like anything. */
const PSEUDO_ROOTS = ['/proc', '/sys', '/dev'];

const inside = (folder: string, path: string): boolean => {
  const rel = relative(folder, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
};

const badInput = (field: 'contextDir' | 'dockerfile', path: string, message: string, hint: string) =>
  new RpcError('BAD_INPUT', message, { hint, data: { field, path } });

function kindOf(s: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (s.isDirectory()) return 'a folder';
  if (s.isFIFO()) return 'a named pipe';
  if (s.isSocket()) return 'a socket';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

const sizeText = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`);

/**
 * Reads a Dockerfile for analysis. The renderer only names paths, and it may be compromised (or a
 * headless client), so main reads nothing but a Dockerfile: a file named like one inside the
 * chosen context (symbolic links resolved first, so none leads out of it), or a file the user
 * picked in the desktop shell's own file dialog. Everything is checked before a byte is read: the
 * context is a folder, the Dockerfile a regular file (a FIFO or a device would block or never end)
 * no larger than MAX_DOCKERFILE_BYTES. The opened handle is checked again, so a file swapped after
 * the checks is refused too.
 */
export async function readDockerfile(location: DockerfileLocation, picked?: PickedPaths): Promise<DockerfileText> {
  const contextDir = resolve(location.contextDir);
  const path = resolve(location.dockerfile ?? join(contextDir, 'Dockerfile'));

  const dir = await stat(contextDir).catch((e: NodeJS.ErrnoException) => e);
  if (dir instanceof Error) {
    throw badInput(
      'contextDir',
      contextDir,
      dir.code === 'ENOENT' ? `The context folder ${contextDir} does not exist.` : `The context folder ${contextDir} cannot be read (${dir.code ?? dir.message}).`,
      'Pick the folder that holds your Dockerfile.',
    );
  }
  if (!dir.isDirectory()) throw badInput('contextDir', contextDir, `${contextDir} is a file, not a folder.`, 'The build context is a folder.');

  const file = await stat(path).catch((e: NodeJS.ErrnoException) => e);
  if (file instanceof Error) {
    throw badInput(
      'dockerfile',
      path,
      file.code === 'ENOENT' || file.code === 'ENOTDIR' ? `There is no Dockerfile at ${path}.` : `${path} cannot be read (${file.code ?? file.message}).`,
      location.dockerfile ? 'Check the Dockerfile path.' : 'Put a Dockerfile in the context folder, or give its path.',
    );
  }
  const real = await realpath(path);
  const granted = picked?.has(path) ?? false;
  if (!granted) await assertDockerfileInContext(path, real, contextDir);
  if (PSEUDO_ROOTS.some((root) => real === root || real.startsWith(`${root}/`))) {
    throw badInput('dockerfile', path, `${path} is a kernel file (${real}), not a Dockerfile.`, 'Give the path of the Dockerfile itself.');
  }
  if (!file.isFile()) throw badInput('dockerfile', path, `${path} is ${kindOf(file)}, not a Dockerfile.`, 'Give the path of the Dockerfile itself.');
  if (file.size > MAX_DOCKERFILE_BYTES) {
    throw badInput('dockerfile', path, `${path} is ${sizeText(file.size)}: too large for a Dockerfile (at most ${sizeText(MAX_DOCKERFILE_BYTES)}).`, 'Check that the path names the Dockerfile, not another file.');
  }

  // O_NONBLOCK: should the path become a FIFO between the checks, opening it must not hang.
  const handle = await open(real, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0));
  try {
    const opened = await handle.stat();
    if (!opened.isFile() || opened.ino !== file.ino || opened.dev !== file.dev) {
      throw badInput('dockerfile', path, `${path} changed while it was being opened.`, 'Try again.');
    }
    // Linux names the file really opened: a folder on the way swapped for a link is caught here.
    const openedPath = process.platform === 'linux' ? await readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined) : undefined;
    if (openedPath !== undefined && openedPath !== real) {
      throw badInput('dockerfile', path, `${path} changed while it was being opened.`, 'Try again.');
    }
    // Read to the end (the file may have grown since the check), stopping one byte past the limit.
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.max(4096, Math.min(opened.size - length, MAX_DOCKERFILE_BYTES + 1 - length)));
      const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, MAX_DOCKERFILE_BYTES + 1 - length), length);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      length += bytesRead;
      if (length > MAX_DOCKERFILE_BYTES) break;
    }
    if (length > MAX_DOCKERFILE_BYTES) {
      throw badInput('dockerfile', path, `${path} grew beyond ${sizeText(MAX_DOCKERFILE_BYTES)} while it was read.`, 'Check that the path names the Dockerfile.');
    }
    const bytes = Buffer.concat(chunks, length);
    if (bytes.includes(0)) throw badInput('dockerfile', path, `${path} is not a text file (it contains NUL bytes).`, 'Give the path of the Dockerfile itself.');
    return { path, real, contextDir, picked: granted, text: bytes.toString('utf8'), sizeBytes: length };
  } finally {
    await handle.close();
  }
}

/** A Dockerfile not picked in a dialog must be named like one and lie inside the context, links resolved. */
async function assertDockerfileInContext(path: string, real: string, contextDir: string): Promise<void> {
  if (!looksLikeDockerfile(basename(path)) || !looksLikeDockerfile(basename(real))) {
    throw badInput(
      'dockerfile',
      path,
      `${path} is not named like a Dockerfile (Dockerfile, Dockerfile.<name>, <name>.Dockerfile or Containerfile), so the app does not read it.`,
      'Give the path of the Dockerfile itself, or rename it (e.g. app.Dockerfile).',
    );
  }
  const contextReal = await realpath(contextDir);
  if (!inside(contextReal, real)) {
    throw badInput(
      'dockerfile',
      path,
      real === resolve(path)
        ? `${path} is outside the build context ${contextDir}, so the app does not read it.`
        : `${path} leads to ${real}, outside the build context ${contextDir}, so the app does not read it.`,
      'Keep the Dockerfile inside the context folder (or pick it with Choose… in the desktop app).',
    );
  }
}
