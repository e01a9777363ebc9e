import type { DockerfileStage } from '../dockerfile/types';
import { unionMs } from './summary';
import type { TimelineLane } from './model';

/**
 * "Measure it": the pure parts. A measurement builds a stage twice (the Dockerfile as it is, and
 * with the advice's cross-compile rewrite) and compares what BuildKit says the stage took.
 */

/** The name an unnamed measured stage gets in both copies (`--no-cache-filter` takes stage names). */
export const MEASURED_STAGE = 'mas-measured';

/**
 * The stage's name, and the text with the stage named when it had no name. `FROM … AS name` is
 * appended to the FROM instruction's last line, so no line moves and the finding's line stays
 * right; the copy that is measured gets the same change as the one it is compared with.
 */
export function namedStage(text: string, stage: Pick<DockerfileStage, 'name' | 'line'>, taken: readonly string[]): { text: string; name: string; named: boolean } {
  if (stage.name) return { text, name: stage.name, named: false };
  let name = MEASURED_STAGE;
  for (let n = 2; taken.some((t) => t.toLowerCase() === name); n++) name = `${MEASURED_STAGE}-${n}`;
  const lines = text.split(/(\r\n|\r|\n)/);
  // split keeps separators at odd indexes: line k (1-based) is lines[2(k-1)]
  let at = 2 * (stage.line - 1);
  while (at + 2 < lines.length && /[\\`]\s*$/.test(lines[at] ?? '')) at += 2;
  lines[at] = `${(lines[at] ?? '').replace(/\s+$/, '')} AS ${name}`;
  return { text: lines.join(''), name, named: true };
}

/** The steps of one stage in a lane: labels read `<stage> <n>/<total>`. */
export function stageSteps(lane: TimelineLane, stage: string): TimelineLane['steps'] {
  return lane.steps.filter((s) => s.label?.startsWith(`${stage} `));
}

/**
 * How long the stage's work took in this lane, from BuildKit's own start and end of each of its
 * steps (overlaps once); cached steps count as the nothing they took. Undefined when no step of
 * the stage ran (nothing to compare).
 */
export function stageMs(lane: TimelineLane, stage: string): number | undefined {
  const spans = stageSteps(lane, stage)
    .filter((s) => s.status !== 'cached' && s.kind !== 'cached' && s.start !== undefined && s.end !== undefined)
    .map((s): [number, number] => [s.start!, s.end!]);
  return spans.length === 0 ? undefined : Math.round(unionMs(spans));
}

/** current ÷ rewrite, only from two successful measured builds with a time each. */
export function speedUp(current: { status: string; stageMs?: number | undefined }, rewrite: { status: string; stageMs?: number | undefined }): number | undefined {
  if (current.status !== 'succeeded' || rewrite.status !== 'succeeded') return undefined;
  if (!current.stageMs || !rewrite.stageMs) return undefined;
  return Math.round((current.stageMs / rewrite.stageMs) * 100) / 100;
}
