import type { BuildFactsData } from '../../../shared/contract/builds';
import { analyzeDockerfile } from '../../../shared/domain/dockerfile';
import { resolveDockerfile } from '../../../shared/domain/build-request/argv';
import { selectedBuilder } from '../../../shared/domain/build-request/checks';
import type { BuildRequest } from '../../../shared/domain/build-request/request';
import { normalizePlatform } from '../../../shared/domain/platform';
import { bestNode, verdictOf, type NodePlatforms } from '../../../shared/domain/platform-support';
import { dockerfileSteps, type CrossForm, type NodeFor, type NodeRun, type RunContext, type TimelineExtras } from '../../../shared/domain/timeline';
import { contentDigest } from '../dockerfile/apply';
import { readDockerfile } from '../dockerfile/dockerfile-file';

/**
 * What a build's timeline needs to know before the build starts: the builder node behind each
 * platform and how it runs it, and the Dockerfile as the build reads it (its steps' lines, its
 * stages' platforms, the compile stages the advice flags).
 */
export interface TimelinePlan {
  run: RunContext;
  extras: Pick<TimelineExtras, 'lines' | 'dockerfile' | 'crossForms' | 'notes'>;
  dockerfileSha256?: string;
}

/**
 * The node that builds each platform, from the builder's served classification: the node that
 * runs it best (native before emulated, the earlier node on a tie), which is where buildx sends
 * that platform when it has a choice. Without a known builder, the engine host itself.
 */
export function nodeForBuild(facts: BuildFactsData, builderName: string | undefined): NodeFor {
  const builder = selectedBuilder(facts, builderName);
  const nodes = builder?.nodes.length ? builder.nodes : [facts.host];
  const runs = new Map(nodes.map((n): [string, NodeRun] => [n.node, nodeRun(n, builder?.name ?? builderName ?? facts.currentBuilder ?? 'default')]));
  return (platform) => runs.get(bestNode(nodes, platform)?.node ?? nodes[0]!.node);
}

function nodeRun(node: NodePlatforms, builder: string): NodeRun {
  const run: NodeRun = { node: node.node || builder, support: (platform) => verdictOf(node, platform).support };
  if (node.nativePlatform) run.nativePlatform = normalizePlatform(node.nativePlatform);
  return run;
}

/** Reads the Dockerfile the build uses (never failing the build: what cannot be read becomes a note). */
export async function planTimeline(request: Pick<BuildRequest, 'context' | 'dockerfile' | 'platforms' | 'builder'>, facts: BuildFactsData): Promise<TimelinePlan> {
  const nodeFor = nodeForBuild(facts, request.builder);
  const platforms = request.platforms.map(normalizePlatform);
  const buildPlatform = nodeFor(platforms[0] ?? facts.nativePlatform)?.nativePlatform ?? normalizePlatform(facts.nativePlatform);
  try {
    const file = await readDockerfile({ contextDir: request.context, dockerfile: resolveDockerfile(request) });
    const steps = dockerfileSteps(file.text, { platforms, buildPlatform });
    const analysis = analyzeDockerfile(file.text, { platforms, buildPlatform });
    const crossForms = analysis.findings
      .filter((f) => f.rule === 'compile-under-emulation' && f.stageIndex !== undefined)
      .map((f): CrossForm => {
        const form: CrossForm = { rule: f.rule, line: f.line, stageIndex: f.stageIndex ?? 0, message: f.message, rewrite: (f.edits?.length ?? 0) > 0 };
        if (f.endLine !== undefined) form.endLine = f.endLine;
        if (f.subject !== undefined) form.subject = f.subject;
        if (f.suggestion !== undefined) form.suggestion = f.suggestion;
        return form;
      });
    const sha256 = contentDigest(file.text);
    return {
      run: { nodeFor, dockerfile: steps },
      extras: { lines: steps.lines, dockerfile: { path: file.path, sha256 }, crossForms, notes: [] },
      dockerfileSha256: sha256,
    };
  } catch (error) {
    return {
      run: { nodeFor },
      extras: { notes: [`The Dockerfile could not be read for the timeline (${(error as Error).message}): steps are not linked to its lines.`] },
    };
  }
}
