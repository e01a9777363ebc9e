import type { BuilderNode, BuilderSummary } from '../../contract/builders';
import type { BuildProblem } from '../build-request/checks';
import { routeBuild, routingNodeOf } from '../buildx/routing';
import { normalizePlatform } from '../platform';
import { isDown, verdictOf } from '../platform-support';
import { nodeEndpoint } from './plan';

type Support = 'native' | 'emulated' | 'unavailable';

/** One choice for where a platform is built: a node of a builder, or a whole builder (buildx routes inside it). */
export interface TargetOption {
  /** `builder` or `builder/node`, unique among the options. */
  key: string;
  builder: string;
  node?: string;
  /** How the node runs the platform; for a whole builder, the node buildx routes it to. */
  support: Support;
  /** For a whole builder: the node buildx is expected to pick. */
  routedNode?: string;
  running: boolean;
  label: string;
}

/** The core's verdict of a node on a platform. */
export const nodeSupport = (node: BuilderNode, platform: string): Support => verdictOf(node.support, normalizePlatform(platform)).support;

const WORD: Record<Support, string> = { native: 'native', emulated: 'QEMU', unavailable: 'cannot build' };

/**
 * Where a platform can be built: every node that runs it (natively or under QEMU) and that the app
 * can reach on its own, and every builder of several nodes as a whole.
 */
export function targetOptions(builders: readonly BuilderSummary[], platform: string): TargetOption[] {
  const out: TargetOption[] = [];
  for (const b of builders) {
    const alone = b.nodes.length === 1;
    for (const n of b.nodes) {
      const support = nodeSupport(n, platform);
      if (support === 'unavailable' || (!alone && !nodeEndpoint(n, b.driver))) continue;
      const running = n.status === 'running';
      out.push({ key: `${b.name}/${n.name}`, builder: b.name, node: n.name, support, running, label: `${alone ? b.name : `${b.name} › ${n.name}`} — ${WORD[support]}${running ? '' : ` (${n.status})`}` });
    }
    if (!alone && b.nodes.length > 0) {
      const routing = routeBuild(b.nodes.map(routingNodeOf), [platform]);
      const node = b.nodes.find((n) => n.name === routing.routes[0]!.node)!;
      const support = nodeSupport(node, platform);
      // A whole builder that must reach a down node fails the build (buildx does not skip it).
      if (support !== 'unavailable' && routing.failsOn.length === 0) {
        out.push({ key: b.name, builder: b.name, support, routedNode: node.name, running: b.status === 'running', label: `${b.name}, buildx picks the node (${node.name} — ${WORD[support]})` });
      }
    }
  }
  return out;
}

/**
 * The default for a platform: a native node where one exists (in the builder the form uses first,
 * running ones first), else the node that emulates it in that builder (the one buildx would pick),
 * else any emulating node.
 */
export function defaultTarget(builders: readonly BuilderSummary[], platform: string, preferredBuilder?: string): TargetOption | undefined {
  const options = targetOptions(builders, platform).filter((o) => o.node);
  const rank = (o: TargetOption) => (o.builder === preferredBuilder ? 0 : 2) + (o.running ? 0 : 1);
  const byRank = (list: TargetOption[]) => [...list].sort((a, b) => rank(a) - rank(b))[0];
  const native = byRank(options.filter((o) => o.support === 'native'));
  if (native) return native;
  const preferred = builders.find((b) => b.name === preferredBuilder);
  const routed = preferred && targetOptions([preferred], platform).find((o) => !o.node)?.routedNode;
  return options.find((o) => o.builder === preferredBuilder && (o.node === routed || preferred?.nodes.length === 1)) ?? byRank(options);
}

/**
 * Why no node can build a platform, for when `targetOptions` is empty: nodes that would build it
 * are down (named, with where to start them), or nothing runs it at all.
 */
export function noTargetReason(builders: readonly BuilderSummary[], platform: string): string {
  const down = builders.flatMap((b) => b.nodes.filter((n) => isDown(n.support) && n.platforms.map(normalizePlatform).includes(normalizePlatform(platform))).map((n) => `"${n.name}" of "${b.name}" (${n.endpoint})`));
  if (down.length > 0) return `Only ${down.join(', ')} would build it, and ${down.length === 1 ? 'that node is' : 'those nodes are'} down: start ${down.length === 1 ? 'its BuildKit daemon' : 'their BuildKit daemons'}, or install the emulator so another node can build it.`;
  return 'No node of any builder can build it: install its emulator, or append a node that runs it.';
}

/** Checks about the form's one builder: a distributed build chooses a node per platform instead. */
const BUILDER_CHECKS = new Set(['BUILDER_NOT_FOUND', 'MULTI_PLATFORM_UNSUPPORTED', 'PLATFORM_UNAVAILABLE', 'BUILDER_NOT_RUNNING', 'BUILDER_NODE_DOWN']);

export const withoutBuilderChecks = (problems: readonly BuildProblem[]): BuildProblem[] => problems.filter((p) => !BUILDER_CHECKS.has(p.code));
