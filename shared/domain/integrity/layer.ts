/**
 * What one layer holds, as far as the binary check and the platform comparison need: one record
 * per tar entry (path, kind, size, mode, link target, ELF header or `#!` line), the whiteouts that
 * hide lower layers' files, and the package databases it writes. Immutable per layer digest, so
 * it is what the on-disk cache keeps.
 */
import type { ElfHeader } from './elf';

/** Bumped whenever what a summary holds changes: older cache entries are then read as missing. */
export const LAYER_SUMMARY_SCHEMA = 1;

export type FileKind = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';

export interface LayerFile {
  /** Relative to the image root, without a leading slash: `usr/bin/tool`. */
  path: string;
  kind: FileKind;
  size: number;
  mode: number;
  /** Symlink target as written, or a hard link's target path (normalised like `path`). */
  link?: string;
  elf?: ElfHeader;
  shebang?: { interpreter: string; envProgram?: string };
}

export interface InstalledPackage {
  name: string;
  version: string;
  architecture?: string;
}

export interface LayerSummary {
  schema: number;
  digest: string;
  /** Bytes of the blob as stored (compressed). */
  compressedSize: number;
  /** Bytes of the tar stream after decompression. */
  tarSize: number;
  files: LayerFile[];
  /** Paths a `.wh.<name>` marker deletes from the layers below. */
  whiteouts: string[];
  /** Directories whose lower-layer content a `.wh..wh..opq` marker hides. */
  opaqueDirs: string[];
  /** Package databases this layer writes, parsed: path → packages. */
  packageDbs: Record<string, InstalledPackage[]>;
}

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';

/** `./usr/bin/` → `usr/bin`; `/etc//x` → `etc/x`; `..` never climbs above the root. */
export function normalizePath(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

/** A whiteout marker's meaning, or undefined for an ordinary entry. */
export function whiteoutOf(path: string): { opaqueDir: string } | { deleted: string } | undefined {
  const slash = path.lastIndexOf('/');
  const dir = slash < 0 ? '' : path.slice(0, slash);
  const name = path.slice(slash + 1);
  if (!name.startsWith(WHITEOUT_PREFIX)) return undefined;
  if (name === OPAQUE_MARKER) return { opaqueDir: dir };
  const deleted = name.slice(WHITEOUT_PREFIX.length);
  return { deleted: dir ? `${dir}/${deleted}` : deleted };
}

/** Package databases whose content the scanner reads (small text files). */
export const DPKG_STATUS = 'var/lib/dpkg/status';
export const DPKG_STATUS_DIR = 'var/lib/dpkg/status.d/';
export const APK_INSTALLED = 'lib/apk/db/installed';

export function isPackageDb(path: string): boolean {
  return path === DPKG_STATUS || path === APK_INSTALLED || (path.startsWith(DPKG_STATUS_DIR) && !path.slice(DPKG_STATUS_DIR.length).includes('/') && !path.endsWith('.md5sums'));
}

/** Installed packages from dpkg's status file (or one distroless `status.d` stanza file): only those dpkg says are installed. */
export function parseDpkgStatus(text: string): InstalledPackage[] {
  const out: InstalledPackage[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of stanza.split('\n')) {
      const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (m) fields.set(m[1]!.toLowerCase(), m[2]!.trim());
    }
    const name = fields.get('package');
    const status = fields.get('status');
    // distroless status.d files carry no Status line: they list installed packages only.
    // `install ok installed`, `hold ok installed`; not `deinstall ok config-files` (only its configuration is left).
    if (!name || (status !== undefined && !/ installed$/.test(status))) continue;
    const pkg: InstalledPackage = { name, version: fields.get('version') ?? '' };
    const arch = fields.get('architecture');
    if (arch) pkg.architecture = arch;
    out.push(pkg);
  }
  return out;
}

/** Installed packages from apk's database (`P:` name, `V:` version, `A:` architecture, blank line between packages). */
export function parseApkInstalled(text: string): InstalledPackage[] {
  const out: InstalledPackage[] = [];
  let current: Partial<InstalledPackage> = {};
  const flush = () => {
    if (current.name) out.push({ name: current.name, version: current.version ?? '', ...(current.architecture ? { architecture: current.architecture } : {}) });
    current = {};
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') flush();
    else if (line.startsWith('P:')) current.name = line.slice(2);
    else if (line.startsWith('V:')) current.version = line.slice(2);
    else if (line.startsWith('A:')) current.architecture = line.slice(2);
  }
  flush();
  return out;
}

export function parsePackageDb(path: string, text: string): InstalledPackage[] {
  return path === APK_INSTALLED ? parseApkInstalled(text) : parseDpkgStatus(text);
}
