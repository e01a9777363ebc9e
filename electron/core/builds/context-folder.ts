import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { ContextInfo, DirListing } from '../../../shared/contract/builds';
import { resolveDockerfile } from '../../../shared/domain/build-request/argv';
import { analyzeDockerfile, targetStages } from '../../../shared/domain/dockerfile';
import { RpcError } from '../../../shared/rpc/errors';
import { readDockerfile } from '../dockerfile/dockerfile-file';
import type { PickedPaths } from '../picked-paths';

const MAX_ENTRIES = 500;

/**
 * The build context folder, checked on the computer running the core (the renderer may be a
 * browser elsewhere, and headless mode has no native folder dialog): it exists, it is a folder,
 * the Dockerfile is there; and the Dockerfile's named stages for the target choice.
 */
export async function inspectContext(context: string, dockerfile?: string, picked?: PickedPaths): Promise<ContextInfo> {
  const dir = resolve(context);
  const file = resolve(resolveDockerfile({ context: dir, dockerfile }));
  const info: ContextInfo = { context: dir, dockerfile: file, ok: false, problems: [], stages: [], stagesSource: 'none' };

  // One reader for Dockerfiles (size cap, regular file only, checked before a byte is read).
  let text: string;
  try {
    ({ text } = await readDockerfile({ contextDir: dir, dockerfile: file }, picked));
  } catch (error) {
    if (!(error instanceof RpcError) || error.code !== 'BAD_INPUT') throw error;
    const field = (error.data as { field?: string } | undefined)?.field === 'contextDir' ? 'context' : 'dockerfile';
    info.problems.push({
      field,
      message: error.message,
      hint: field === 'dockerfile' && dockerfile && /There is no Dockerfile/.test(error.message) ? 'Check the Dockerfile path (relative paths start at the context folder).' : (error.hint ?? ''),
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
