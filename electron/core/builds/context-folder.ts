import { open, readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { ContextInfo, DirListing } from '../../../shared/contract/builds';
import { resolveDockerfile } from '../../../shared/domain/build-request/argv';
import { analyzeDockerfile, targetStages } from '../../../shared/domain/dockerfile';
import { RpcError } from '../../../shared/rpc/errors';

const MAX_DOCKERFILE_BYTES = 1024 * 1024;
const MAX_ENTRIES = 500;

/**
 * The build context folder, checked on the computer running the core (the renderer may be a
 * browser elsewhere, and headless mode has no native folder dialog): it exists, it is a folder,
 * the Dockerfile is there; and the Dockerfile's named stages for the target choice.
 */
export async function inspectContext(context: string, dockerfile?: string): Promise<ContextInfo> {
  const dir = resolve(context);
  const file = resolve(resolveDockerfile({ context: dir, dockerfile }));
  const info: ContextInfo = { context: dir, dockerfile: file, ok: false, problems: [], stages: [], stagesSource: 'none' };

  const dirStat = await stat(dir).catch((error: NodeJS.ErrnoException) => error);
  if (dirStat instanceof Error) {
    info.problems.push({
      field: 'context',
      message: dirStat.code === 'ENOENT' ? `${dir} does not exist.` : `${dir} cannot be read (${dirStat.code ?? dirStat.message}).`,
      hint: 'Pick the folder that holds your Dockerfile and the files it copies.',
    });
    return info;
  }
  if (!dirStat.isDirectory()) {
    info.problems.push({ field: 'context', message: `${dir} is a file, not a folder.`, hint: 'The build context is a folder; pick the one that holds the Dockerfile.' });
    return info;
  }

  let text: string;
  try {
    const handle = await open(file, 'r');
    try {
      const s = await handle.stat();
      if (!s.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
      const buffer = Buffer.alloc(Math.min(s.size, MAX_DOCKERFILE_BYTES));
      await handle.read(buffer, 0, buffer.length, 0);
      text = buffer.toString('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    info.problems.push({
      field: 'dockerfile',
      message: code === 'ENOENT' ? `There is no ${file}.` : code === 'EISDIR' ? `${file} is a folder, not a Dockerfile.` : `${file} cannot be read (${code ?? (error as Error).message}).`,
      hint: dockerfile ? 'Check the Dockerfile path (relative paths start at the context folder).' : 'Put a Dockerfile in the context folder, or give its path.',
    });
    return info;
  }

  info.ok = true;
  try {
    info.stages = targetStages(analyzeDockerfile(text)).map((s) => ({ name: s.name, line: s.line }));
    info.stagesSource = 'analysis';
  } catch {
    info.stages = scanStages(text);
    info.stagesSource = 'minimal';
  }
  return info;
}

/** Fallback when the analyser cannot read the file: `FROM <image> AS <name>` lines. */
export function scanStages(text: string): Array<{ name: string; line: number }> {
  const out: Array<{ name: string; line: number }> = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const m = /^\s*FROM\s+(?:--\S+\s+)*\S+\s+AS\s+([A-Za-z][A-Za-z0-9_.-]*)\s*$/i.exec(line);
    if (m && !out.some((s) => s.name === m[1]!.toLowerCase())) out.push({ name: m[1]!.toLowerCase(), line: i + 1 });
  });
  return out;
}

async function hasDockerfile(dir: string): Promise<boolean> {
  try {
    return (await stat(join(dir, 'Dockerfile'))).isFile();
  } catch {
    return false;
  }
}

/** Sub-folders of `path` (default: the home folder), for picking a context without a native dialog. */
export async function browseFolders(path?: string): Promise<DirListing> {
  const dir = resolve(path ?? homedir());
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new RpcError('FOLDER_UNREADABLE', `${dir} cannot be listed (${code === 'ENOENT' ? 'it does not exist' : code === 'ENOTDIR' ? 'it is not a folder' : (code ?? 'error')}).`, {
      hint: 'Type another folder path.',
    });
  }
  const folders = entries
    .filter((e) => (e.isDirectory() || e.isSymbolicLink()) && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b));
  const shown = folders.slice(0, MAX_ENTRIES);
  const listed = await Promise.all(
    shown.map(async (name) => {
      const full = join(dir, name);
      const s = await stat(full).catch(() => undefined);
      return s?.isDirectory() ? { name, path: full, hasDockerfile: await hasDockerfile(full) } : undefined;
    }),
  );
  const listing: DirListing = {
    path: dir,
    entries: listed.filter((e): e is NonNullable<typeof e> => e !== undefined),
    hasDockerfile: await hasDockerfile(dir),
    truncated: folders.length > shown.length,
  };
  const parent = dirname(dir);
  if (parent !== dir) listing.parent = parent;
  return listing;
}
