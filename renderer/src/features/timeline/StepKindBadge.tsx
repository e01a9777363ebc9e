import type { PlatformLane, StepKind, StepRun } from '../../../../shared/domain/build-progress/model';

const KIND_TEXT: Record<StepKind, string> = { native: 'native', emulated: 'emulated', cross: 'cross', cached: 'cached' };

/** How a step ran, as a coloured badge; its title says why. */
export function StepKindBadge({ run }: { run: Pick<StepRun, 'kind' | 'why'> }) {
  return (
    <span className={`badge kind-${run.kind}`} data-testid="step-kind" data-kind={run.kind} title={run.why}>
      {KIND_TEXT[run.kind]}
    </span>
  );
}

/**
 * How a platform's steps ran, in one word for its log tab: `emulated` when any program of its
 * image ran under QEMU, `cross` when its foreign work ran natively, `native` otherwise.
 */
export function laneKind(lane: Pick<PlatformLane, 'steps'>): StepKind | undefined {
  let seen: StepKind | undefined;
  for (const s of lane.steps) {
    const kind = s.run?.kind;
    if (kind === 'emulated' && s.run?.runs) return 'emulated';
    if (kind === 'cross') seen = 'cross';
    else if (kind === 'native' && seen === undefined) seen = 'native';
  }
  return seen;
}
