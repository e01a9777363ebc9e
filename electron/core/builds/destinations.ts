import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, realpath, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { localCacheDest, systemLocation } from '../../../shared/domain/build-request/destinations';
import type { BuildRequest } from '../../../shared/domain/build-request/request';
import { RpcError } from '../../../shared/rpc/errors';
import { fsCause } from '../store/fs-problems';

/**
 * Where a build writes files, checked in main before anything runs, and written so that nothing
 * the user has is touched until the build succeeded:
 * - never a system location (`/`, `/etc`, `/usr`, …), never the app's own data folder;
 * - never through a symbolic link (the destination itself is refused when it is one, and its
 *   parent folder is taken with links resolved);
 * - an existing file, or a folder that is not empty, only when the request names that exact path
 *   in `overwrite` (the user confirmed replacing it), and main checks it again here;
 * - an OCI tarball or a local export is written by buildx into a new hidden path next to the
 *   destination, which the app itself created empty, so nothing already there (a link inside an
 *   old export, say) can redirect the image's files; it replaces the destination only when the
 *   build succeeded, and is removed otherwise.
 */

export interface ExportPlan {
  /** The path buildx writes the output to (a staging path beside the destination), when the output has one. */
  outputDest?: string;
  /** Puts a successful output in place, or removes a failed one; says what the user must know, if anything. */
  complete(succeeded: boolean): Promise<string | undefined>;
}

type Kind = 'file' | 'folder';

interface Checked {
  /** The destination with its parent's links resolved. */
  target: string;
  existed: 'no' | 'empty' | 'yes';
}

export async function prepareExports(request: BuildRequest, options: { dataDir: string; home?: string }): Promise<ExportPlan> {
  const confirmed = new Set((request.overwrite ?? []).map((p) => resolve(p)));
  const home = options.home ?? homedir();
  for (const spec of request.cacheTo) {
    const dest = localCacheDest(spec);
    if (dest === undefined) continue;
    await check(resolve(request.context, dest), 'folder', { field: 'cacheTo', confirmed, dataDir: options.dataDir, home, cache: true });
  }
  const output = request.output;
  if (output.type !== 'oci' && output.type !== 'local') return { complete: async () => undefined };
  const kind: Kind = output.type === 'oci' ? 'file' : 'folder';
  const checked = await check(resolve(output.dest), kind, { field: 'output', confirmed, dataDir: options.dataDir, home, cache: false });
  const staging = join(dirname(checked.target), `.${basename(checked.target)}.partial-${randomBytes(6).toString('hex')}`);
  // An empty folder made here, for buildx to fill (mkdir never follows a link at its last step).
  if (kind === 'folder') await mkdir(staging);
  return {
    outputDest: staging,
    complete: (succeeded) => (succeeded ? putInPlace(staging, checked, kind) : rm(staging, { recursive: true, force: true }).then(() => undefined)),
  };
}

async function putInPlace(staging: string, checked: Checked, kind: Kind): Promise<string | undefined> {
  const { target } = checked;
  const now = await lstat(target).catch(() => undefined);
  const filledMeanwhile = checked.existed === 'empty' && now?.isDirectory() && (await readdir(target).catch(() => [])).length > 0;
  if (now && (checked.existed === 'no' || now.isSymbolicLink() || filledMeanwhile)) {
    return `${target} appeared or changed while the build ran, so it was left alone; the result is in ${staging}.`;
  }
  try {
    if (kind === 'file' || !now) {
      await rename(staging, target); // replaces a file atomically; never writes through it
      return undefined;
    }
    const old = join(dirname(target), `.${basename(target)}.old-${randomBytes(6).toString('hex')}`);
    await rename(target, old);
    await rename(staging, target);
    await rm(old, { recursive: true, force: true });
    return undefined;
  } catch (error) {
    return `The result could not be moved to ${target} (${fsCause(error)}); it is in ${staging}.`;
  }
}

interface CheckOptions {
  field: 'output' | 'cacheTo';
  confirmed: ReadonlySet<string>;
  dataDir: string;
  home: string;
  /** A cache folder: one that already holds a cache (index.json) is reused as buildx does. */
  cache: boolean;
}

async function check(wanted: string, kind: Kind, options: CheckOptions): Promise<Checked> {
  const what = options.field === 'cacheTo' ? 'The cache folder' : kind === 'file' ? 'The tarball' : 'The export folder';
  const refuse = (message: string, hint: string) => new RpcError('DESTINATION_REFUSED', message, { hint, data: { field: options.field, path: wanted } });
  const system = systemLocation(wanted, options.home);
  if (system) throw refuse(`${what} ${wanted} is refused: ${system}`, `Choose a folder of your own, e.g. ${join(options.home, 'image-export')}.`);

  const parent = await realpath(dirname(wanted)).catch((error: unknown) => error as NodeJS.ErrnoException);
  if (parent instanceof Error) {
    throw refuse(`${what} ${wanted} cannot be written: its folder ${dirname(wanted)} ${parent.code === 'ENOENT' ? 'does not exist' : `cannot be used (${fsCause(parent)})`}.`, 'Create the folder first, or choose another path.');
  }
  const target = join(parent, basename(wanted));
  const behindLinks = systemLocation(target, options.home);
  if (behindLinks) throw refuse(`${what} ${wanted} is refused: it leads to ${target}, and ${behindLinks}`, 'Choose a folder of your own.');
  const data = resolve(options.dataDir);
  const fromData = relative(data, target);
  if (!fromData.startsWith('..') && !isAbsolute(fromData)) {
    throw refuse(`${what} ${wanted} is inside the app's data folder ${data}.`, 'Choose a folder outside it.');
  }

  const found = await lstat(target).catch((error: unknown) => error as NodeJS.ErrnoException);
  if (found instanceof Error) {
    if (found.code === 'ENOENT') return { target, existed: 'no' };
    throw refuse(`${what} ${wanted} cannot be checked (${fsCause(found)}).`, 'Choose another path.');
  }
  if (found.isSymbolicLink()) throw refuse(`${what} ${wanted} is a symbolic link; the app never writes through one.`, 'Give the real path it points to, or another path.');
  if (kind === 'file' && found.isDirectory()) throw refuse(`${what} ${wanted} is a folder; an OCI tarball is one file.`, `Give a file name, e.g. ${join(wanted, 'image.tar')}.`);
  if (kind === 'folder' && !found.isDirectory()) throw refuse(`${what} ${wanted} is ${found.isFile() ? 'a file' : 'not a folder'}; it must be a folder.`, 'Give a folder path (it is created when missing).');
  if (kind === 'file' && !found.isFile()) throw refuse(`${what} ${wanted} is not a regular file (a pipe, socket or device).`, 'Give the path of a new or ordinary file.');

  let existed: Checked['existed'] = 'yes';
  if (kind === 'folder') {
    const entries = await readdir(target).catch((error: unknown) => {
      throw refuse(`${what} ${wanted} cannot be read (${fsCause(error)}).`, 'Choose another folder.');
    });
    if (entries.length === 0) existed = 'empty';
    else if (options.cache && entries.includes('index.json')) return { target, existed: 'yes' };
  }
  if (existed === 'yes' && !options.confirmed.has(wanted)) {
    const effect = options.cache
      ? 'it holds files that are not a build cache, and the cache would be written among them'
      : kind === 'file'
        ? 'the build would replace that file'
        : 'the build would replace that folder and everything in it';
    throw new RpcError('DESTINATION_EXISTS', `${what} ${wanted} already exists${kind === 'folder' ? ' and is not empty' : ''}: ${effect}.`, {
      hint: 'Confirm that it may be replaced, or choose another path.',
      data: { field: options.field, path: wanted, kind },
    });
  }
  return { target, existed };
}
