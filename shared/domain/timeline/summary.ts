import type { BuildTimeline, CrossForm, TimelineLane, TimelineStep } from './model';

/**
 * Where a build's time went, per platform: the lane's wall time, how much of it had an emulated
 * RUN step running (overlapping steps count once), and the most expensive emulated steps; and
 * what cross-compiling would save, as an estimate with its basis.
 */

export interface PlatformTime {
  platform: string;
  durationMs: number;
  /** Wall time during which at least one emulated RUN step of this platform ran. */
  emulatedMs: number;
  /** emulatedMs / durationMs, 0..1. */
  share: number;
  /** The longest emulated RUN steps, longest first (at most three). */
  top: TimelineStep[];
}

/** Total length of the union of [start, end] spans. */
export function unionMs(spans: Array<[number, number]>): number {
  const sorted = spans.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let total = 0;
  let from = -Infinity;
  let to = -Infinity;
  for (const [a, b] of sorted) {
    if (a > to) {
      if (to > from) total += to - from;
      from = a;
      to = b;
    } else if (b > to) to = b;
  }
  if (to > from) total += to - from;
  return total;
}

const isEmulatedRun = (s: TimelineStep) => s.kind === 'emulated' && s.runs;

export function platformTime(lane: TimelineLane): PlatformTime {
  const emulated = lane.steps.filter(isEmulatedRun);
  const spans = emulated.flatMap((s): Array<[number, number]> => (s.start !== undefined && s.end !== undefined ? [[s.start, s.end]] : []));
  const durationMs = lane.durationMs ?? 0;
  const emulatedMs = Math.min(durationMs, Math.round(unionMs(spans)));
  const top = [...emulated].sort((a, b) => (b.durationMs ?? 0) - (a.durationMs ?? 0)).slice(0, 3);
  return { platform: lane.platform, durationMs, emulatedMs, share: durationMs > 0 ? emulatedMs / durationMs : 0, top };
}

export function platformTimes(timeline: BuildTimeline): PlatformTime[] {
  return timeline.lanes.map(platformTime);
}

/** One emulated step a cross form would move to native, and the native run it is estimated from. */
export interface EstimatedStep {
  step: TimelineStep;
  emulatedMs: number;
  /** The same step's run on a native platform of this build; absent when there is none. */
  native?: { platform: string; durationMs: number };
}

export interface CrossEstimate {
  /** The emulated platform. */
  platform: string;
  form: CrossForm;
  steps: EstimatedStep[];
  /** Estimated saving on this platform; absent when some step has no native run to go by. */
  savingMs?: number;
  /** What the estimate rests on, in words. */
  basis: string;
}

/** Same Dockerfile instruction, the identity of a step across lanes of one build. */
const sameInstruction = (a: TimelineStep, b: TimelineStep) => a.line !== undefined && a.line === b.line && a.stageIndex === b.stageIndex;

/**
 * For each emulated platform and each compile stage the advice flags, the emulated RUN steps of
 * that stage and what they would cost cross-compiled: about what the same step took where it ran
 * natively in this build (cross-compiling runs the compiler natively; its output differs, its
 * work hardly does). An estimate, never a measurement: "Measure it" measures.
 */
export function crossEstimates(timeline: BuildTimeline): CrossEstimate[] {
  const out: CrossEstimate[] = [];
  for (const form of timeline.crossForms) {
    for (const lane of timeline.lanes) {
      const steps = lane.steps.filter((s) => isEmulatedRun(s) && s.stageIndex === form.stageIndex && s.durationMs !== undefined);
      if (steps.length === 0) continue;
      const estimated = steps.map((step): EstimatedStep => {
        const e: EstimatedStep = { step, emulatedMs: step.durationMs ?? 0 };
        for (const other of timeline.lanes) {
          if (other === lane) continue;
          const twin = other.steps.find((s) => sameInstruction(s, step) && (s.kind === 'native' || s.kind === 'cross') && s.durationMs !== undefined);
          if (twin) {
            e.native = { platform: other.platform, durationMs: twin.durationMs ?? 0 };
            break;
          }
        }
        return e;
      });
      const known = estimated.every((e) => e.native !== undefined);
      const estimate: CrossEstimate = {
        platform: lane.platform,
        form,
        steps: estimated,
        basis: known
          ? `the same step${estimated.length > 1 ? 's' : ''} ran natively on ${[...new Set(estimated.map((e) => e.native?.platform))].join(', ')} in this build`
          : 'no native run of the same step in this build to compare with (it was cached or not built natively): measure it',
      };
      if (known) estimate.savingMs = Math.round(estimated.reduce((n, e) => n + Math.max(0, e.emulatedMs - (e.native?.durationMs ?? 0)), 0));
      out.push(estimate);
    }
  }
  return out;
}
