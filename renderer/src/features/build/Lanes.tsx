import { memo } from 'react';
import type { PlatformLane, StepSnapshot } from '../../../../shared/domain/build-progress/model';
import { placementOf, type Placement } from '../../../../shared/domain/distributed/model';
import { formatDuration } from '../../components/format';
import { StepKindBadge } from '../timeline/StepKindBadge';

const STEP_ICON: Record<StepSnapshot['status'], string> = {
  waiting: '·',
  running: '◌',
  done: '✓',
  cached: '↺',
  error: '✗',
  canceled: '⊘',
};

const LANE_BADGE: Record<string, string> = { done: 'ok', error: 'err', running: 'info', canceled: 'warn', waiting: '', interrupted: 'warn' };

/**
 * A step's row, drawn again only when what it shows changed: lanes arrive every 100 ms as new
 * objects, and a big build has thousands of steps of which a few are running.
 */
const StepRow = memo(function StepRow({ step }: { step: StepSnapshot }) {
  return (
    <li className={`step ${step.status}`} data-state={step.status} title={step.fullName}>
      <span className="step-icon" aria-hidden>
        {STEP_ICON[step.status]}
      </span>
      <span className="step-label muted">{step.stepLabel ? `${step.stage ? `${step.stage} ` : ''}${step.stepLabel}` : `#${step.index}`}</span>
      <span className="step-name">{step.name}</span>
      {step.run && step.run.kind !== 'cached' ? <StepKindBadge run={step.run} /> : step.cached && <span className="badge info">cached</span>}
      <span className="step-time muted">{step.durationMs !== undefined ? formatDuration(step.durationMs) : ''}</span>
    </li>
  );
}, (a, b) => sameStepRow(a.step, b.step));

function sameStepRow(a: StepSnapshot, b: StepSnapshot): boolean {
  return (
    a.status === b.status &&
    a.fullName === b.fullName &&
    a.stepLabel === b.stepLabel &&
    a.stage === b.stage &&
    a.index === b.index &&
    a.name === b.name &&
    a.cached === b.cached &&
    a.durationMs === b.durationMs &&
    a.run?.kind === b.run?.kind &&
    a.run?.why === b.run?.why
  );
}

/** The node a lane ran on: chosen (a distributed build), or where buildx is expected to send it. */
function LaneNode({ placement }: { placement: Placement }) {
  const where = placement.node ? `${placement.node}${placement.support ? ` · ${placement.support === 'emulated' ? 'QEMU' : placement.support}` : ''}` : placement.builder;
  const title = placement.source === 'routed' ? `buildx is expected to send it to node ${placement.node ?? '?'} of ${placement.builder} (the app's reading of buildx's routing)` : `built on ${placement.node ? `node ${placement.node} of ` : ''}${placement.builder}`;
  return (
    <div className="muted lane-node" data-testid="lane-node" data-node={placement.node ?? ''} data-source={placement.source} title={title}>
      {placement.source === 'routed' ? '→ ' : 'on '}
      {where}
    </div>
  );
}

/** One card per platform: status, duration, the node it runs on, and its step tree. Presentational. */
export function Lanes({ lanes, shared, placements }: { lanes: PlatformLane[]; shared: StepSnapshot[]; placements?: Placement[] | undefined }) {
  return (
    <div className="lanes" data-testid="lanes">
      {lanes.map((lane) => (
        <div className={`lane ${lane.status}`} key={lane.platform} data-testid={`lane-${lane.platform}`} data-state={lane.status}>
          <div className="lane-head">
            <code className="lane-platform">{lane.platform}</code>
            <span className={`badge ${LANE_BADGE[lane.status] ?? ''}`}>{lane.status}</span>
            <span className="muted lane-time">{lane.durationMs !== undefined ? formatDuration(lane.durationMs) : ''}</span>
          </div>
          {placementOf(placements, lane.platform) && <LaneNode placement={placementOf(placements, lane.platform)!} />}
          <div className="muted lane-counts">
            {lane.counts.done + lane.counts.cached}/{lane.counts.total} steps{lane.counts.cached ? ` · ${lane.counts.cached} cached` : ''}
            {lane.counts.running ? ` · ${lane.counts.running} running` : ''}
          </div>
          <ul className="steps">
            {lane.steps.map((s) => (
              <StepRow key={s.digest} step={s} />
            ))}
          </ul>
        </div>
      ))}
      {shared.length > 0 && (
        <details className="lane shared-steps">
          <summary>
            Shared steps <span className="muted">({shared.length}: context, metadata, export)</span>
          </summary>
          <ul className="steps">
            {shared.map((s) => (
              <StepRow key={s.digest} step={s} />
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
