import type { StepInfo, StepRun } from '../build-progress/model';
import { parseVertexName } from '../build-progress/vertex-name';
import { normalizePlatform } from '../platform';
import { locateStep, type DockerfileSteps } from './dockerfile-steps';

/**
 * How each step of a build ran: native, emulated (QEMU), cross or cached. Decided from
 * - the platform the step's work ran on: the `linux/amd64` of a `[linux/amd64->arm64 …]` name
 *   (BuildKit writes it for a stage that runs on another platform than the one it builds for),
 *   else, for names without a platform (older BuildKit), the stage's `FROM --platform` read from
 *   the Dockerfile ($BUILDPLATFORM: the node's own platform; a constant: that platform), else
 *   the step's own platform (its lane);
 * - whether a program of the image runs (RUN): BuildKit does every other step itself, natively;
 * - the builder node that builds the lane's platform, and how that node runs a platform.
 */

/** A builder node as the timeline needs it. */
export interface NodeRun {
  node: string;
  /** The node's CPU platform: what `$BUILDPLATFORM` means on it. */
  nativePlatform?: string;
  /** How the node runs a platform: on its CPU, through an emulator, or not at all. */
  support(platform: string): 'native' | 'emulated' | 'unavailable';
}

/**
 * The node that builds a target platform. A single-node builder answers its node for every
 * platform; for a builder with several nodes this is where buildx's routing (which node it sends
 * each platform to) plugs in.
 */
export type NodeFor = (platform: string) => NodeRun | undefined;

export interface RunContext {
  nodeFor: NodeFor;
  /** The Dockerfile's stages and steps, when it could be read. */
  dockerfile?: DockerfileSteps;
}

const RUN_RE = /^RUN\b/i;

/** How one step ran, with the reason in words and the Dockerfile instruction it comes from. */
export function stepRun(step: Pick<StepInfo, 'fullName' | 'name' | 'platform' | 'cached' | 'status'>, ctx: RunContext): StepRun {
  const parsed = parseVertexName(step.fullName);
  const lane = step.platform;
  const located = ctx.dockerfile ? locateStep(ctx.dockerfile, parsed.stage, parsed.stepIndex) : undefined;
  const runs = located ? located.step.keyword === 'RUN' : RUN_RE.test(step.name);
  const node = lane !== undefined ? ctx.nodeFor(lane) : undefined;
  const base: Omit<StepRun, 'kind' | 'why'> = { runs };
  if (node) base.node = node.node;
  if (located) {
    base.line = located.step.line;
    base.endLine = located.step.endLine;
    base.stageIndex = located.stage.index;
  }

  if (step.cached || step.status === 'cached') return { ...base, kind: 'cached', why: 'Taken from the build cache: nothing ran.' };
  if (lane === undefined) {
    return { ...base, kind: 'native', why: 'Work for the whole build (context, metadata, export), done by BuildKit itself.' };
  }

  let on = parsed.buildPlatform;
  if (on === undefined && parsed.platform === undefined && located) {
    const chosen = located.stage.platformFor[normalizePlatform(lane)];
    if (chosen?.kind === 'build') on = node?.nativePlatform;
    else if (chosen?.kind === 'constant') on = chosen.platform;
  }
  on = on !== undefined ? normalizePlatform(on) : lane;
  const where = node ? ` on node ${node.node}${node.nativePlatform ? ` (${node.nativePlatform})` : ''}` : '';

  if (on !== lane) {
    const support = node?.support(on) ?? 'native';
    if (support !== 'native' && runs) {
      return { ...base, on, kind: 'emulated', why: `Its stage runs on ${on}, which${where} runs under QEMU, to produce ${lane}'s output.` };
    }
    return {
      ...base,
      on,
      kind: 'cross',
      why: `Its stage runs on ${on} (natively${where}) and produces ${lane}'s output: no emulation.`,
    };
  }
  if (!runs) return { ...base, kind: 'native', why: 'BuildKit does this itself at native speed: no program of the image runs.' };
  const support = node?.support(lane);
  if (support === 'native') return { ...base, kind: 'native', why: `A RUN step for ${lane}${where}: its CPU runs ${lane}.` };
  if (support === undefined) return { ...base, kind: 'native', why: `A RUN step for ${lane}; which node ran it is not known.` };
  return { ...base, kind: 'emulated', why: `A RUN step for ${lane}${where}: it ran under QEMU emulation.` };
}
