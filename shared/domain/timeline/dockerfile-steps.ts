import { buildModel } from '../dockerfile/model';
import { buildStages } from '../dockerfile/stages';
import { normalizePlatform } from '../platform';

/**
 * Where a build's steps come from in the Dockerfile, and how each stage picks its platform. The
 * Dockerfile frontend names a step `[<platform> <stage> N/M] …`: `stage` is the stage's name
 * (lower case) or `stage-<i>`, left out when the file has one stage, and N counts the stage's
 * instructions that make a step: its FROM when the image is neither `scratch` nor another stage,
 * then every ADD, COPY, RUN and WORKDIR (BuildKit's dockerfile2llb, `cmdTotal`).
 */

export interface DockerfileStepLine {
  stageIndex: number;
  /** 1-based lines of the instruction (continuations and heredocs included). */
  line: number;
  endLine: number;
  keyword: string;
}

/** How a stage picks its platform for one target platform. */
export type StagePlatform = { kind: 'build' } | { kind: 'target' } | { kind: 'constant'; platform: string } | { kind: 'variable' };

export interface DockerfileStage {
  index: number;
  /** The stage's name in lower case, as step names spell it (an unnamed stage is `stage-<index>` there). */
  name?: string;
  /** The steps (N = position + 1). */
  steps: DockerfileStepLine[];
  /** Per target platform (normalised): how the stage picks its platform. */
  platformFor: Record<string, StagePlatform>;
}

export interface DockerfileSteps {
  stages: DockerfileStage[];
  /** The Dockerfile's lines that steps come from, by 1-based number (what History shows for a step). */
  lines: Record<number, string>;
}

const COUNTED = new Set(['ADD', 'COPY', 'RUN', 'WORKDIR']);

/** Reads the Dockerfile's stages and steps for the given target platforms (`buildPlatform`: $BUILDPLATFORM). */
export function dockerfileSteps(text: string, options: { platforms: readonly string[]; buildPlatform: string }): DockerfileSteps {
  const model = buildModel(text);
  const platforms = [...new Set(options.platforms.map(normalizePlatform))];
  const facts = buildStages(model, { platforms, buildPlatform: normalizePlatform(options.buildPlatform) });
  const lines: Record<number, string> = {};
  const stages = facts.map((f): DockerfileStage => {
    const steps: DockerfileStepLine[] = [];
    const add = (keyword: string, line0: number, end0: number) => {
      steps.push({ stageIndex: f.info.index, line: line0 + 1, endLine: end0 + 1, keyword });
      for (let l = line0; l <= end0; l++) lines[l + 1] = model.lines[l] ?? '';
    };
    const image = f.info.image.trim().toLowerCase();
    const fromStage = f.info.parentStage !== undefined || (f.info.parentCandidates?.length ?? 0) > 0;
    if (image !== '' && image !== 'scratch' && !fromStage) add('FROM', f.model.from.line, f.model.from.endLine);
    for (const instr of f.model.instructions) {
      if (COUNTED.has(instr.keyword)) add(instr.keyword, instr.line, instr.endLine);
    }
    const platformFor: Record<string, StagePlatform> = {};
    for (const [platform, kind] of f.kindFor) {
      platformFor[platform] = kind.startsWith('constant:')
        ? { kind: 'constant', platform: kind.slice('constant:'.length) }
        : kind === 'build'
          ? { kind: 'build' }
          : kind === 'target'
            ? { kind: 'target' }
            : { kind: 'variable' };
    }
    const stage: DockerfileStage = { index: f.info.index, steps, platformFor };
    if (f.info.name) stage.name = f.info.name.toLowerCase();
    return stage;
  });
  return { stages, lines };
}

/** The stage and instruction a step name points at (`stage` as parsed from the name; undefined in a one-stage file). */
export function locateStep(
  steps: DockerfileSteps,
  stage: string | undefined,
  stepIndex: number | undefined,
): { stage: DockerfileStage; step: DockerfileStepLine } | undefined {
  if (stepIndex === undefined) return undefined;
  // A one-stage file's steps carry no stage (unless BuildKit counted an image of `COPY --from` as one).
  const name = stage?.toLowerCase();
  const found =
    name === undefined
      ? steps.stages.length === 1
        ? steps.stages[0]
        : undefined
      : steps.stages.find((s) => s.name === name || (s.name === undefined && name === `stage-${s.index}`));
  const step = found?.steps[stepIndex - 1];
  return found && step ? { stage: found, step } : undefined;
}
