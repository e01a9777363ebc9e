import type { PlatformSource } from './model';

/**
 * Attributes vertices to platforms through the LLB `inputs` graph.
 *
 * Only some vertex names carry `[linux/arm64 …]`; a multi-platform build's RUN steps appear once
 * per platform under the same unprefixed name. So: a vertex with its own platform keeps it; one
 * without takes the single platform found among its inputs; inputs with none, or with several,
 * make it shared. Shared inputs (the build context, say) do not count, so `RUN --mount` of the
 * context still belongs to its platform.
 *
 * Inputs may name vertices that arrive later. Each vertex memoises its result and a reverse edge
 * list says who depends on it, so a change re-resolves only the vertices downstream of it and
 * stops where nothing changes: the cost of an update is the size of what it affects, never the
 * whole graph.
 */

interface Node {
  defined: boolean;
  own: string | undefined;
  /** Used when neither the name nor the inputs say (the only requested platform). */
  fallback: string | undefined;
  inputs: readonly string[];
  resolved: string | undefined;
  source: PlatformSource | undefined;
}

export class PlatformGraph {
  private readonly nodes = new Map<string, Node>();
  private readonly dependents = new Map<string, Set<string>>();
  /** Re-resolutions done so far; lets tests check the work stays proportional. */
  resolutions = 0;

  /**
   * Adds or updates a vertex. Returns the digests (this one included) whose resolved platform
   * changed, in the order they changed.
   */
  setVertex(digest: string, own: string | undefined, inputs: readonly string[], fallback?: string): string[] {
    let node = this.nodes.get(digest);
    if (!node) {
      node = { defined: false, own: undefined, fallback: undefined, inputs: [], resolved: undefined, source: undefined };
      this.nodes.set(digest, node);
    }
    if (node.defined && node.own === own && node.fallback === fallback && sameList(node.inputs, inputs)) return [];
    for (const input of node.inputs) this.dependents.get(input)?.delete(digest);
    for (const input of inputs) {
      if (input === digest) continue;
      let set = this.dependents.get(input);
      if (!set) this.dependents.set(input, (set = new Set()));
      set.add(digest);
    }
    node.defined = true;
    node.own = own;
    node.fallback = fallback;
    node.inputs = inputs.filter((i) => i !== digest);
    return this.propagate(digest);
  }

  platformOf(digest: string): string | undefined {
    return this.nodes.get(digest)?.resolved;
  }

  sourceOf(digest: string): PlatformSource | undefined {
    return this.nodes.get(digest)?.source;
  }

  private resolve(node: Node): void {
    this.resolutions++;
    if (node.own !== undefined) {
      node.resolved = node.own;
      node.source = 'name';
      return;
    }
    let found: string | undefined;
    let mixed = false;
    for (const input of node.inputs) {
      const p = this.nodes.get(input)?.resolved;
      if (p === undefined) continue;
      if (found === undefined) found = p;
      else if (found !== p) {
        mixed = true;
        break;
      }
    }
    if (found !== undefined && !mixed) {
      node.resolved = found;
      node.source = 'inputs';
    } else if (node.fallback !== undefined) {
      node.resolved = node.fallback;
      node.source = 'requested';
    } else {
      node.resolved = undefined;
      node.source = undefined;
    }
  }

  private propagate(start: string): string[] {
    const changed: string[] = [];
    const first = this.nodes.get(start)!;
    const before = first.resolved;
    const beforeSource = first.source;
    this.resolve(first);
    if (first.resolved !== before || first.source !== beforeSource) changed.push(start);
    // Dependents read only `resolved`; an unknown input counted as none, so nothing else moves.
    if (first.resolved === before) return changed;

    const queue: string[] = [start];
    // Malformed input could contain cycles; bound the work instead of trusting the DAG.
    let budget = 8 * this.nodes.size + 64;
    for (let q = 0; q < queue.length && budget > 0; q++) {
      const deps = this.dependents.get(queue[q]!);
      if (!deps) continue;
      for (const d of deps) {
        if (--budget <= 0) break;
        const node = this.nodes.get(d);
        if (!node || !node.defined || node.own !== undefined) continue;
        const prev = node.resolved;
        const prevSource = node.source;
        this.resolve(node);
        if (node.resolved !== prev || node.source !== prevSource) changed.push(d);
        if (node.resolved !== prev) queue.push(d);
      }
    }
    return changed;
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
