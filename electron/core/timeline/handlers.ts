import type { Handlers } from '../../../shared/contract';
import type { MeasureService } from './measure-service';
import type { TimelineService } from './timeline-service';

export function createTimelineHandlers(timeline: TimelineService, measure: MeasureService): Handlers['timeline'] {
  return {
    get: ({ id }, { signal }) => timeline.get(id, signal),
    stepLog: ({ id, digest }) => timeline.stepLog(id, digest),
    trend: ({ id }) => timeline.trend(id),
    compare: ({ a, b }, { signal }) => timeline.compare(a, b, signal),
    // Chunks are the measurement so far (a copy: it goes on changing); one the window cannot take is dropped.
    measure: (input, ctx) => measure.measure(input, (m) => void ctx.emit(structuredClone(m)).catch(() => undefined), ctx.signal),
  };
}
