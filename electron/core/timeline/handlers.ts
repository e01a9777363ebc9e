import type { Handlers } from '../../../shared/contract';
import type { TimelineService } from './timeline-service';

export function createTimelineHandlers(timeline: TimelineService): Handlers['timeline'] {
  return {
    get: ({ id }, { signal }) => timeline.get(id, signal),
    stepLog: ({ id, digest }) => timeline.stepLog(id, digest),
    trend: ({ id }) => timeline.trend(id),
    compare: ({ a, b }, { signal }) => timeline.compare(a, b, signal),
  };
}
