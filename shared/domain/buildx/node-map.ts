import { normalizePlatform } from '../platform';
import { routeBuild, type BuildRouting, type PlatformRoute, type RoutingNode } from './routing';

/**
 * The node × platform map of one builder: how each node runs each platform (native / emulated /
 * unavailable, the core's `classify`), which node buildx will send it to (`routeBuild`), and,
 * where buildx picks a node that emulates a platform another node runs natively, the fix.
 */

export type Support = 'native' | 'emulated' | 'unavailable';

export interface MapNode extends RoutingNode {
  endpoint: string;
  /** The core's verdict for this node and platform. */
  verdict: (platform: string) => { support: Support; note?: string };
}

export interface MapCell {
  node: string;
  support: Support;
  note?: string;
  pinned: boolean;
  routed: boolean;
}

export interface MapRow {
  platform: string;
  cells: MapCell[];
  route: PlatformRoute;
  /** The node that builds it best (native first; on a tie the routed one, else the earlier). */
  best: { node: string; support: Support };
}

/** A platform buildx sends to a node that does worse than another (emulated where another is native). */
export interface Misroute {
  platform: string;
  routed: { node: string; support: Support };
  better: { node: string; support: Support };
}

export interface PinFix {
  /** Each node whose pins change, with its pins afterwards (buildx takes a pinned platform off the other nodes). */
  pins: Array<{ node: string; platforms: string[] }>;
  /** The routes once pinned, checked with the same routing. */
  after: PlatformRoute[];
}

export interface NodeMap {
  rows: MapRow[];
  routing: BuildRouting;
  misroutes: Misroute[];
  /** Pinning that sends every platform to its best node; absent when nothing is misrouted or pins cannot do it. */
  fix?: PinFix;
}

const RANK: Record<Support, number> = { native: 0, emulated: 1, unavailable: 2 };

/** The map for the platforms of one build (buildx routes a build's platforms together, so the set matters). */
export function nodeMap(nodes: readonly MapNode[], platforms: readonly string[]): NodeMap {
  const wanted = [...new Set(platforms.map(normalizePlatform))];
  const routing = routeBuild(nodes, wanted);
  const rows = wanted.map((platform, i): MapRow => {
    const route = routing.routes[i]!;
    const cells = nodes.map((n): MapCell => {
      const v = n.verdict(platform);
      return { node: n.name, support: v.support, ...(v.note ? { note: v.note } : {}), pinned: n.pinned.map(normalizePlatform).includes(platform), routed: n.name === route.node };
    });
    const routedCell = cells.find((c) => c.routed)!;
    const bestRank = Math.min(...cells.map((c) => RANK[c.support]));
    const bestCell = RANK[routedCell.support] === bestRank ? routedCell : cells.find((c) => RANK[c.support] === bestRank)!;
    return { platform, cells, route, best: { node: bestCell.node, support: bestCell.support } };
  });
  const misroutes = rows
    .filter((r) => r.best.node !== r.route.node)
    .map((r) => ({ platform: r.platform, routed: { node: r.route.node, support: r.cells.find((c) => c.routed)!.support }, better: r.best }));
  const map: NodeMap = { rows, routing, misroutes };
  if (misroutes.length) {
    const fix = pinFix(nodes, rows);
    if (fix) map.fix = fix;
  }
  return map;
}

/**
 * Pins every platform of the map on its best node. buildx then routes the build by its pins alone
 * (every platform is pinned somewhere), and pinning a platform on one node takes it off the others
 * (`NodeGroup.Update` → `validateDuplicates`), so nodes keep their other pins. Checked by routing
 * again; undefined when that would still miss.
 */
function pinFix(nodes: readonly MapNode[], rows: readonly MapRow[]): PinFix | undefined {
  const desired = new Map(rows.map((r) => [r.platform, r.best.node]));
  const after = nodes.map((n) => {
    const kept = n.pinned.map(normalizePlatform).filter((p) => !desired.has(p) || desired.get(p) === n.name);
    const mine = rows.filter((r) => r.best.node === n.name).map((r) => r.platform);
    return { ...n, pinned: [...new Set([...kept, ...mine])] };
  });
  const changed = after.filter((n, i) => n.pinned.join(',') !== nodes[i]!.pinned.map(normalizePlatform).join(',') && rows.some((r) => r.best.node === n.name));
  const { routes, failsOn } = routeBuild(after, rows.map((r) => r.platform));
  if (failsOn.length > 0 || !routes.every((r) => desired.get(r.platform) === r.node)) return undefined;
  return { pins: changed.map((n) => ({ node: n.name, platforms: n.pinned })), after: routes };
}
