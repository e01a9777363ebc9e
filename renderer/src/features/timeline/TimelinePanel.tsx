import { useDeferredValue, useEffect, useMemo, useState } from 'react';
import { timelineOf, type BuildTimeline } from '../../../../shared/domain/timeline';
import { api } from '../../api';
import { ProblemBox } from '../../components/ProblemBox';
import type { BuildView } from '../../stores/build-store';
import { toProblem, type Problem } from '../../stores/problem';
import { TimeSummary } from './TimeSummary';
import { TrendAndCompare } from './TrendAndCompare';
import { Waterfall } from './Waterfall';

const ENDED = new Set<BuildView['status']>(['succeeded', 'failed', 'cancelled', 'interrupted']);

/**
 * A build's timeline: while it runs, made from its lanes as they arrive (each step says how it
 * ran); once it has ended, the one the core stored with its History record (with the Dockerfile's
 * lines, the compile stages the advice flags and each step's last log lines).
 */
export function TimelinePanel({ view }: { view: BuildView }) {
  const ended = ENDED.has(view.status) && view.id !== undefined;
  const [stored, setStored] = useState<{ id: string; timeline?: BuildTimeline; problem?: Problem } | undefined>();
  const id = view.id;
  useEffect(() => {
    if (!ended || !id) return;
    let current = true;
    api()
      .timeline.get({ id })
      .then(
        (timeline) => current && setStored({ id, timeline }),
        (error: unknown) => current && setStored({ id, problem: toProblem(error) }),
      );
    return () => {
      current = false;
    };
  }, [ended, id]);
  // Lanes arrive every 100 ms: the waterfall follows at a lower priority, so typing and the log never wait for it.
  const progress = useDeferredValue(view.progress);
  const live = useMemo(() => (progress ? timelineOf(progress, { digests: true }) : undefined), [progress]);
  const fromStore = stored?.id === id ? stored : undefined;
  const timeline = ended ? (fromStore?.timeline ?? live) : live;
  if (!timeline || timeline.lanes.every((l) => l.steps.length === 0)) return null;
  return (
    <details className="card timeline-panel" open data-testid="timeline-panel" data-source={ended && fromStore?.timeline ? 'stored' : 'live'}>
      <summary>
        <h2>Where the time goes</h2>
      </summary>
      {fromStore?.problem && <ProblemBox tone="warning" problem={fromStore.problem} />}
      <Waterfall timeline={timeline} buildId={id} live={!ended} />
      {ended && <TimeSummary timeline={timeline} buildId={id} />}
      {timeline.notes.map((n, i) => (
        <p key={i} className="muted small">
          {n}
        </p>
      ))}
      {ended && view.record && view.record.status !== 'running' && <TrendAndCompare record={view.record} />}
    </details>
  );
}
