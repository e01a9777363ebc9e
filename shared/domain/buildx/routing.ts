import { normalizePlatform, parsePlatform, type Platform } from '../platform';
import { isDown, type NodePlatforms } from '../platform-support';

/**
 * Which node of a multi-node builder buildx sends each platform of a build to.
 *
 * buildx decides this itself (`build/driver.go`, `nodeResolver.Resolve`); nothing in a build says
 * "use node X". Read from buildx's source for v0.13.1 and v0.29.1, where the resolver is the same
 * (0.29 only caches the node clients it opens):
 *
 * 1. The nodes are loaded **without** asking BuildKit (`LoadNodes` without `WithData`), so each
 *    node's list is only what was pinned with `--platform` on `buildx create` / `--append`.
 * 2. First pass, strict (`platforms.OnlyStrict`): every platform of the build is looked up among
 *    the pinned lists. If **every** platform is found, the build goes that way (only those nodes
 *    are started).
 * 3. Otherwise, second pass for **all** platforms of the build: every node is started and asked
 *    for its workers' platforms (which include whatever it runs under QEMU), and each platform is
 *    matched against "pinned + workers" compatibly (`platforms.Only`: amd64 also serves 386,
 *    arm64 serves arm/v8…v5, arm/v7 serves arm/v6 and v5, amd64/v3 serves v2 and v1).
 * 4. In both passes the first node (in the builder's order, i.e. creation/append order) that
 *    matches wins; a later node replaces it only when its platform is a closer match (an exact
 *    `linux/386` beats an `linux/amd64` that serves 386). A platform no node matches goes to the
 *    first node.
 *
 * buildx never asks whether a node runs a platform natively or under QEMU: a node listed first
 * that emulates arm64 gets the arm64 build although a later node is a native arm64 machine. The
 * fixes: pin each node's platforms (`--platform` on create/append) so that every platform of the
 * build is pinned somewhere (step 2), or put the native node first. Pinning only some platforms
 * does not help: one unpinned platform sends the whole build to step 3.
 *
 * Differences between the versions: in step 3 buildx 0.13.1 (containerd 1.7.13's platform
 * matcher) matches arm64 sub-variants (`arm64/v8.2`) only exactly, 0.29.1 (containerd/platforms
 * 1.0) lets an arm64/v8.x node serve lower v8 levels; plain `linux/arm64` routes the same in both.
 * Since buildx 0.22 one node that fails to start fails `buildx inspect --bootstrap` of the whole
 * builder (0.13.1 failed it only when every node did). In a build, step 3 starts every node, so in
 * both versions one node that cannot start fails a build that is not fully pinned.
 *
 * A node that is down is **not** skipped (v0.13.1 and v0.29.1 alike): `filterAvailableNodes` drops
 * only nodes whose driver could not be made, and a stopped remote node's driver is made fine. Its
 * pins still take their platforms in step 2, and `resolve` then boots the chosen nodes; step 3 boots
 * all of them. Booting a remote node that does not answer waits 20 s ("[internal] waiting for
 * connection") and fails the whole build with `context deadline exceeded`, even the platforms other
 * nodes would have built. Captured on the stack with node-3 stopped: a build of linux/riscv64 (pinned
 * on node-3) and one of linux/arm/v6 (pinned nowhere: step 3) fail so; linux/amd64 (pinned on the
 * running node-1) builds. So routing keeps the node and says which down nodes a build must reach.
 */

/** A node as buildx's build routing sees it; nodes are given in the builder's order. */
export interface RoutingNode {
  name: string;
  /** Platforms pinned with `--platform` on create/append. */
  pinned: readonly string[];
  /** What the node's BuildKit lists (`buildx ls` / `inspect`: pinned first, then its workers'). Empty when it has not started. */
  reported: readonly string[];
  /** Down, and buildx cannot start it (`isDownNode`): a build that must reach it fails. */
  down?: boolean;
}

/** A builder's node (as the core serves it) as routing sees it. */
export const routingNodeOf = (n: { name: string; preferredPlatforms: readonly string[]; platforms: readonly string[]; support: NodePlatforms }): RoutingNode => ({
  name: n.name,
  pinned: n.preferredPlatforms,
  reported: n.platforms,
  down: isDown(n.support),
});

/**
 * How a platform found its node: `pinned` (step 2), `listed` (step 3), or `first-node` (no node
 * matched it: buildx sends it to the first node anyway, where it fails or emulates).
 */
export type RoutePass = 'pinned' | 'listed' | 'first-node';

export interface PlatformRoute {
  platform: string;
  node: string;
  pass: RoutePass;
  /** The node's platform that matched (`linux/amd64` serving `linux/386`); absent for `first-node`. */
  matched?: string;
}

export interface BuildRouting {
  routes: PlatformRoute[];
  /** Step 3 was needed: buildx starts every node, so one node that cannot start fails the build. */
  startsAllNodes: boolean;
  /** The platforms of the build pinned on no node (why step 3 was needed); empty when step 2 routed them all. */
  unpinned: string[];
  /** Nodes whose list is not known (never started): step 3 asks them, so their answer can change the routes. */
  unknown: string[];
  /** Down nodes this build must reach (a route's node, or any node when step 3 starts them all): buildx fails the build. */
  failsOn: string[];
}

/** containerd's `platforms.Normalize`: arm defaults to v7, arm64's v8 and amd64's v1 are dropped. */
function containerdNormal(text: string): Platform | undefined {
  const p = parsePlatform(text);
  if (!p) return undefined;
  if (p.architecture === 'arm' && !p.variant) return { ...p, variant: 'v7' };
  if ((p.architecture === 'arm64' && p.variant === 'v8') || (p.architecture === 'amd64' && p.variant === 'v1')) return { os: p.os, architecture: p.architecture };
  return p;
}

const same = (a: Platform, b: Platform): boolean => a.os === b.os && a.architecture === b.architecture && (a.variant ?? '') === (b.variant ?? '');

const ARM64_LEVELS: Record<string, Array<[number, number]>> = {};
for (let minor = 0; minor <= 9; minor++) ARM64_LEVELS[`v8.${minor}`] = [[8, minor]];
ARM64_LEVELS.v8 = [[8, 0]];
for (let minor = 0; minor <= 7; minor++) ARM64_LEVELS[`v9.${minor}`] = [[9, minor], [8, Math.min(minor + 5, 9)]];
ARM64_LEVELS.v9 = ARM64_LEVELS['v9.0']!;

/**
 * containerd/platforms' `platformVector`: the platforms a node platform serves under
 * `platforms.Only`, closest first.
 */
function servedBy(platform: Platform): Platform[] {
  const { os, architecture, variant } = platform;
  const level = (v: string | undefined) => Number((v ?? '').replace(/^v/, ''));
  switch (architecture) {
    case 'amd64': {
      const out: Platform[] = [platform];
      for (let v = level(variant) - 1; v >= 1; v--) out.push(v === 1 ? { os, architecture } : { os, architecture, variant: `v${v}` });
      out.push({ os, architecture: '386' });
      return out;
    }
    case 'arm': {
      const out: Platform[] = [platform];
      for (let v = level(variant) - 1; v >= 5; v--) out.push({ os, architecture, variant: `v${v}` });
      return out;
    }
    case 'arm64': {
      const out: Platform[] = [];
      for (const [major, top] of ARM64_LEVELS[variant ?? 'v8'] ?? []) {
        for (let minor = top; minor >= 0; minor--) {
          const v = minor === 0 ? `v${major}` : `v${major}.${minor}`;
          out.push(v === 'v8' ? { os, architecture } : { os, architecture, variant: v });
        }
      }
      if (out.length === 0) return out;
      return [...out, ...servedBy({ os, architecture: 'arm', variant: 'v8' })];
    }
    default:
      return [platform];
  }
}

/** A `MatchComparer` of containerd/platforms for one node platform: `Only` (compatible) or `OnlyStrict`. */
function comparer(nodePlatform: Platform, strict: boolean): { match: (p: Platform) => boolean; less: (a: Platform, b: Platform) => boolean } {
  const vector = strict ? [nodePlatform] : servedBy(nodePlatform);
  return {
    match: (p) => vector.some((v) => same(v, p)),
    // orderedPlatformComparer.Less: `a` comes before `b` when a closer entry of the vector matches it.
    less: (a, b) => {
      for (const v of vector) {
        const am = same(v, a);
        const bm = same(v, b);
        if (am && !bm) return true;
        if (am || bm) return false;
      }
      return false;
    },
  };
}

/** `nodeResolver.get`: the index of the node a platform goes to, and the node platform that matched, or -1. */
function pick(wanted: Platform, lists: readonly Platform[][], strict: boolean): { index: number; matched?: Platform } {
  let best = -1;
  let bestPlatform: Platform | undefined;
  lists.forEach((list, index) => {
    for (const candidate of list) {
      const c = comparer(candidate, strict);
      if (!c.match(wanted)) continue;
      if (best === -1 || c.less(wanted, bestPlatform!)) {
        best = index;
        bestPlatform = candidate;
      }
    }
  });
  return bestPlatform ? { index: best, matched: bestPlatform } : { index: -1 };
}

const parsed = (list: readonly string[]): Platform[] => list.flatMap((p) => containerdNormal(p) ?? []);

/** Where buildx sends each platform of one build with these platforms (see the module comment). */
export function routeBuild(nodes: readonly RoutingNode[], platforms: readonly string[]): BuildRouting {
  const wanted = [...new Set(platforms.map(normalizePlatform))];
  if (nodes.length === 0) return { routes: [], startsAllNodes: false, unpinned: [], unknown: [], failsOn: [] };
  const unknown = nodes.filter((n) => n.reported.length === 0).map((n) => n.name);
  const pinned = nodes.map((n) => parsed(n.pinned));
  const strict = wanted.map((p) => ({ platform: p, found: containerdNormal(p) ? pick(containerdNormal(p)!, pinned, true) : { index: -1 } }));
  if (strict.every((s) => s.found.index >= 0)) {
    const routes = strict.map((s) => route(nodes, s.platform, s.found, 'pinned'));
    return { routes, startsAllNodes: false, unpinned: [], unknown: [], failsOn: downNodes(nodes, new Set(routes.map((r) => r.node))) };
  }
  const listed = nodes.map((n, i) => [...pinned[i]!, ...parsed(n.reported)]);
  const routes = wanted.map((platform) => {
    const p = containerdNormal(platform);
    const found = p ? pick(p, listed, false) : { index: -1 };
    return found.index >= 0 ? route(nodes, platform, found, 'listed') : { platform, node: nodes[0]!.name, pass: 'first-node' as const };
  });
  // buildx boots every node before it matches (even a one-node builder's), so any down node fails it.
  const unpinned = strict.filter((s) => s.found.index < 0).map((s) => s.platform);
  return { routes, startsAllNodes: nodes.length > 1, unpinned, unknown, failsOn: downNodes(nodes) };
}

/** The down nodes among `reached` (all when not given), in the builder's order. */
const downNodes = (nodes: readonly RoutingNode[], reached?: ReadonlySet<string>): string[] => nodes.filter((n) => n.down && (!reached || reached.has(n.name))).map((n) => n.name);

function route(nodes: readonly RoutingNode[], platform: string, found: { index: number; matched?: Platform }, pass: RoutePass): PlatformRoute {
  const r: PlatformRoute = { platform, node: nodes[found.index]!.name, pass };
  if (found.matched) r.matched = [found.matched.os, found.matched.architecture, found.matched.variant].filter(Boolean).join('/');
  return r;
}
