/**
 * Where a build may write on the computer running the app: an OCI tarball, a local folder export,
 * a local cache. These paths come from the renderer, and an export writes a whole image's files
 * (as root, over the host's own if pointed at `/`), so the places the system lives in are never
 * a destination, whatever the user confirms.
 */

const posix = (path: string): string => {
  const p = path.replace(/\/+$/, '');
  return p === '' ? '/' : p;
};

/** The folder and everything under it. */
const SYSTEM_TREES = ['/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/proc', '/run', '/sbin', '/sys', '/usr', '/var', '/System', '/Library', '/Applications', '/private', '/snap'];

/** Temporary folders inside those trees, where writing is what they are for. */
const WRITABLE_INSIDE = ['/var/tmp', '/var/folders', '/private/var/folders', '/private/var/tmp', '/private/tmp'];

/** The folder itself (it holds everyone's files), but not what is under it. */
const SHARED_ROOTS = ['/', '/home', '/root', '/opt', '/srv', '/mnt', '/media', '/tmp', '/Users', '/Volumes', '/nix', '/var/tmp', '/private/tmp'];

const WINDOWS_TREES = ['c:\\windows', 'c:\\program files', 'c:\\program files (x86)', 'c:\\programdata'];
const WINDOWS_ROOTS = ['c:\\users'];

const under = (path: string, root: string, sep: string): boolean => path === root || path.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);

/**
 * Why `path` (absolute) is never a build destination, or undefined when it may be one. `home` is
 * the user's home folder (never replaced as a whole).
 */
export function systemLocation(path: string, home?: string): string | undefined {
  if (/^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\')) {
    const p = path.replace(/\//g, '\\').replace(/\\+$/, '').toLowerCase();
    if (/^[a-z]:$/.test(p)) return `${path} is the root of a drive.`;
    const tree = WINDOWS_TREES.find((t) => under(p, t, '\\'));
    if (tree) return `${path} is inside ${tree}, a folder of the system.`;
    if (WINDOWS_ROOTS.includes(p) || (home && p === home.replace(/\//g, '\\').replace(/\\+$/, '').toLowerCase())) return `${path} holds everyone's (or all your) files.`;
    return undefined;
  }
  const p = posix(path);
  if (p === '/') return '/ is the root of the whole system.';
  if (SHARED_ROOTS.includes(p) || (home && p === posix(home))) return `${p} holds ${p === posix(home ?? '') ? 'all your' : "everyone's"} files; an export there would mix with (or replace) them.`;
  if (WRITABLE_INSIDE.some((w) => under(p, w, '/'))) return undefined;
  const tree = SYSTEM_TREES.find((t) => under(p, t, '/'));
  if (tree) return `${p} is ${p === tree ? '' : `inside ${tree}, `}a folder of the operating system.`;
  return undefined;
}

/** `key=value` fields of a buildx CSV option (`--cache-to type=local,dest=/x`), quotes honoured as buildx reads them. */
export function csvFields(spec: string): Map<string, string> {
  const fields = new Map<string, string>();
  let field = '';
  let quoted = false;
  const flush = () => {
    const eq = field.indexOf('=');
    if (eq > 0) fields.set(field.slice(0, eq).trim().toLowerCase(), field.slice(eq + 1));
    field = '';
  };
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i]!;
    if (c === '"') {
      if (quoted && spec[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = !quoted;
    } else if (c === ',' && !quoted) flush();
    else field += c;
  }
  flush();
  return fields;
}

/** The folder a `--cache-to type=local,dest=…` writes, when the spec is one. */
export function localCacheDest(spec: string): string | undefined {
  if (!spec.includes('=')) return undefined;
  const fields = csvFields(spec);
  return fields.get('type') === 'local' ? fields.get('dest') : undefined;
}
