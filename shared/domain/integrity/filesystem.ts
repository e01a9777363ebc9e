/**
 * An image's final filesystem, built from its layers' summaries in order the way overlayfs shows
 * it: a layer's whiteouts and opaque directories hide what the layers below put there (never
 * what the same layer adds), then its entries are laid on top. Only the records are kept (a path
 * tree of summaries), never file content.
 */
import { normalizePath, type LayerFile, type LayerSummary } from './layer';

interface Node {
  children?: Map<string, Node>;
  file?: LayerFile;
  /** Index of the layer that put this entry here (-1: a directory no layer lists, implied by a path). */
  layer: number;
}

export interface PlacedFile {
  /** Absolute: `/usr/bin/tool`. */
  path: string;
  file: LayerFile;
  layer: number;
}

const MAX_SYMLINK_HOPS = 40;

export class ImageFilesystem {
  private readonly root: Node = { children: new Map(), layer: -1 };

  /** Lays one layer on top (call in the manifest's layer order, lowest first). */
  apply(layer: number, summary: Pick<LayerSummary, 'files' | 'whiteouts' | 'opaqueDirs'>): void {
    for (const dir of summary.opaqueDirs) {
      const node = this.node(dir);
      if (node?.children) node.children = new Map();
    }
    for (const path of summary.whiteouts) {
      const { parent, name } = this.parentOf(path);
      parent?.children?.delete(name);
    }
    for (const file of summary.files) {
      const parts = file.path.split('/').filter(Boolean);
      if (parts.length === 0) continue; // the root itself
      let node = this.root;
      for (let i = 0; i < parts.length - 1; i++) node = this.dirChild(node, parts[i]!, layer);
      const name = parts[parts.length - 1]!;
      node.children ??= new Map();
      const existing = node.children.get(name);
      if (file.kind === 'dir') {
        // A directory over a directory keeps what is below; over anything else it starts empty.
        const children = existing?.file?.kind === 'dir' || (existing && !existing.file) ? existing.children : undefined;
        node.children.set(name, { file, layer, children: children ?? new Map() });
      } else {
        node.children.set(name, { file, layer });
      }
    }
  }

  /** The entry at a path, without following symlinks. */
  get(path: string): PlacedFile | undefined {
    const node = this.node(path);
    if (!node?.file) return undefined;
    return { path: `/${normalizePath(path)}`, file: node.file, layer: node.layer };
  }

  /**
   * What a path names once symlinks are followed inside the image (absolute targets from the
   * image root, relative ones from the link's folder), as the kernel would inside the container:
   * `/bin/sh` through `/bin -> usr/bin` and `sh -> busybox`. Undefined when nothing is there.
   */
  resolve(path: string): PlacedFile | undefined {
    let pending = normalizePath(path).split('/').filter(Boolean);
    const stack: Array<{ name: string; node: Node }> = [];
    let hops = 0;
    while (pending.length > 0) {
      const name = pending.shift()!;
      if (name === '.') continue;
      if (name === '..') {
        stack.pop();
        continue;
      }
      const dir = stack.length > 0 ? stack[stack.length - 1]!.node : this.root;
      const child = dir.children?.get(name);
      if (!child) return undefined;
      if (child.file?.kind === 'symlink' && child.file.link !== undefined) {
        if (++hops > MAX_SYMLINK_HOPS) return undefined;
        const target = child.file.link.split('/').filter(Boolean);
        if (child.file.link.startsWith('/')) stack.length = 0;
        pending = [...target, ...pending];
        continue;
      }
      if (pending.length > 0 && child.file && child.file.kind !== 'dir') return undefined; // a file used as a folder
      stack.push({ name, node: child });
    }
    const last = stack[stack.length - 1];
    if (!last) return { path: '/', file: { path: '', kind: 'dir', size: 0, mode: 0o755 }, layer: -1 };
    const file = last.node.file ?? { path: stack.map((s) => s.name).join('/'), kind: 'dir' as const, size: 0, mode: 0o755 };
    return { path: `/${stack.map((s) => s.name).join('/')}`, file, layer: last.node.layer };
  }

  /** Every entry of the final filesystem, each folder before what it holds. */
  *walk(): Generator<PlacedFile> {
    const todo: Array<{ prefix: string; node: Node }> = [{ prefix: '', node: this.root }];
    while (todo.length > 0) {
      const { prefix, node } = todo.pop()!;
      if (!node.children) continue;
      for (const [name, child] of node.children) {
        const path = `${prefix}/${name}`;
        if (child.file) yield { path, file: child.file, layer: child.layer };
        else yield { path, file: { path: path.slice(1), kind: 'dir', size: 0, mode: 0o755 }, layer: child.layer };
        if (child.children) todo.push({ prefix: path, node: child });
      }
    }
  }

  private node(path: string): Node | undefined {
    let node: Node | undefined = this.root;
    for (const part of normalizePath(path).split('/').filter(Boolean)) {
      node = node.children?.get(part);
      if (!node) return undefined;
    }
    return node;
  }

  private parentOf(path: string): { parent: Node | undefined; name: string } {
    const parts = normalizePath(path).split('/');
    const name = parts.pop() ?? '';
    return { parent: this.node(parts.join('/')), name };
  }

  private dirChild(node: Node, name: string, layer: number): Node {
    node.children ??= new Map();
    let child = node.children.get(name);
    if (!child || (child.file && child.file.kind !== 'dir')) {
      // A tar may list a file before its folder (or never list the folder): the path implies it.
      child = { children: new Map(), layer };
      node.children.set(name, child);
    }
    child.children ??= new Map();
    return child;
  }
}
