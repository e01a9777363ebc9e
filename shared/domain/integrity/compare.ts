/**
 * Two platforms of one image side by side: what only one has, files whose size differs past a
 * threshold, installed packages, and the config fields that decide how the container runs.
 */
import { MAX_LISTED, type CompareReport } from '../../contract/integrity';
import type { ImageFilesystem, PlacedFile } from './filesystem';
import type { InstalledPackage } from './layer';

type FileEntry = CompareReport['onlyInA'][number];
type PackageDiff = CompareReport['packages'];

export interface SizeThreshold {
  percent: number;
  bytes: number;
}

export const DEFAULT_SIZE_THRESHOLD: SizeThreshold = { percent: 10, bytes: 4096 };

function index(fs: ImageFilesystem): Map<string, PlacedFile> {
  const map = new Map<string, PlacedFile>();
  for (const placed of fs.walk()) map.set(placed.path, placed);
  return map;
}

const parentOf = (path: string) => path.slice(0, path.lastIndexOf('/'));

/** Entries of `mine` absent from `theirs`; a folder absent from `theirs` is listed once with how many entries it holds. */
function onlyIn(mine: Map<string, PlacedFile>, theirs: Map<string, PlacedFile>): FileEntry[] {
  const tops = new Map<string, FileEntry>();
  const inside: string[] = [];
  for (const [path, placed] of mine) {
    if (theirs.has(path)) continue;
    const parent = parentOf(path);
    if (parent !== '' && !theirs.has(parent)) inside.push(path);
    else tops.set(path, { path, kind: placed.file.kind, size: placed.file.size, ...(placed.file.kind === 'dir' ? { entries: 0 } : {}) });
  }
  for (const path of inside) {
    let top = parentOf(path);
    while (!tops.has(top) && top !== '') top = parentOf(top);
    const entry = tops.get(top);
    if (entry) entry.entries = (entry.entries ?? 0) + 1;
  }
  return [...tops.values()].sort((x, y) => x.path.localeCompare(y.path));
}

export function compareFiles(
  a: ImageFilesystem,
  b: ImageFilesystem,
  threshold: SizeThreshold = DEFAULT_SIZE_THRESHOLD,
): Pick<CompareReport, 'onlyInA' | 'onlyInB' | 'sizeDiffs' | 'truncated'> {
  const ia = index(a);
  const ib = index(b);
  const onlyInA = onlyIn(ia, ib);
  const onlyInB = onlyIn(ib, ia);
  const sizeDiffs: CompareReport['sizeDiffs'] = [];
  for (const [path, pa] of ia) {
    const pb = ib.get(path);
    if (!pb || pa.file.kind !== 'file' || pb.file.kind !== 'file') continue;
    const delta = Math.abs(pa.file.size - pb.file.size);
    const base = Math.max(pa.file.size, pb.file.size, 1);
    if (delta > threshold.bytes && (delta * 100) / base > threshold.percent) sizeDiffs.push({ path, a: pa.file.size, b: pb.file.size });
  }
  sizeDiffs.sort((x, y) => Math.abs(y.a - y.b) - Math.abs(x.a - x.b) || x.path.localeCompare(y.path));
  const truncated = onlyInA.length > MAX_LISTED || onlyInB.length > MAX_LISTED || sizeDiffs.length > MAX_LISTED;
  return { onlyInA: onlyInA.slice(0, MAX_LISTED), onlyInB: onlyInB.slice(0, MAX_LISTED), sizeDiffs: sizeDiffs.slice(0, MAX_LISTED), truncated };
}

export function comparePackages(source: PackageDiff['source'], a: readonly InstalledPackage[], b: readonly InstalledPackage[]): PackageDiff {
  const ma = new Map(a.map((p) => [p.name, p]));
  const mb = new Map(b.map((p) => [p.name, p]));
  const byName = (x: { name: string }, y: { name: string }) => x.name.localeCompare(y.name);
  const strip = (p: InstalledPackage) => ({ name: p.name, version: p.version, ...(p.architecture ? { architecture: p.architecture } : {}) });
  return {
    source,
    onlyInA: a.filter((p) => !mb.has(p.name)).map(strip).sort(byName),
    onlyInB: b.filter((p) => !ma.has(p.name)).map(strip).sort(byName),
    versionDiffs: a
      .filter((p) => mb.has(p.name) && mb.get(p.name)!.version !== p.version)
      .map((p) => ({ name: p.name, a: p.version, b: mb.get(p.name)!.version }))
      .sort(byName),
  };
}

/** The runtime part of an image config (`config` in the OCI image config). */
export interface RuntimeConfig {
  Env?: string[] | null;
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  User?: string;
  WorkingDir?: string;
  ExposedPorts?: Record<string, unknown> | null;
  Labels?: Record<string, string> | null;
}

export function compareConfig(a: RuntimeConfig | undefined, b: RuntimeConfig | undefined): CompareReport['config'] {
  const out: CompareReport['config'] = [];
  const add = (field: string, va: string | undefined, vb: string | undefined) => {
    if (va !== vb) out.push({ field, ...(va !== undefined ? { a: va } : {}), ...(vb !== undefined ? { b: vb } : {}) });
  };
  const json = (v: unknown) => (v === undefined || v === null ? undefined : JSON.stringify(v));
  const env = (c: RuntimeConfig | undefined) => new Map((c?.Env ?? []).map((e) => [e.split('=')[0]!, e.slice(e.indexOf('=') + 1)]));
  const ea = env(a);
  const eb = env(b);
  for (const key of [...new Set([...ea.keys(), ...eb.keys()])].sort()) add(`env ${key}`, ea.get(key), eb.get(key));
  add('entrypoint', json(a?.Entrypoint), json(b?.Entrypoint));
  add('cmd', json(a?.Cmd), json(b?.Cmd));
  add('user', a?.User || undefined, b?.User || undefined);
  add('workdir', a?.WorkingDir || undefined, b?.WorkingDir || undefined);
  const ports = (c: RuntimeConfig | undefined) => Object.keys(c?.ExposedPorts ?? {}).sort().join(', ') || undefined;
  add('exposed ports', ports(a), ports(b));
  const la = a?.Labels ?? {};
  const lb = b?.Labels ?? {};
  for (const key of [...new Set([...Object.keys(la), ...Object.keys(lb)])].sort()) add(`label ${key}`, la[key], lb[key]);
  return out;
}
