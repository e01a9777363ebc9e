// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { BuildTimeline, TimelineStep } from '../../../../shared/domain/timeline';
import { Waterfall } from './Waterfall';

afterEach(cleanup);

const step = (index: number, start: number, end: number | undefined, patch: Partial<TimelineStep> = {}): TimelineStep => ({
  index,
  name: `RUN ./step-${index}.sh`,
  status: end === undefined ? 'running' : 'done',
  kind: 'native',
  why: 'The builder runs linux/amd64 itself.',
  runs: true,
  start,
  ...(end !== undefined ? { end, durationMs: end - start } : {}),
  ...patch,
});

const timeline = (steps: TimelineStep[], durationMs: number): BuildTimeline => ({
  schema: 1,
  lanes: [{ platform: 'linux/amd64', status: 'running', steps }],
  shared: [],
  lines: {},
  crossForms: [],
  notes: [],
  durationMs,
});

describe('Waterfall', () => {
  // A live timeline is made anew from every lanes update: bars that did not change are kept, the others follow.
  it('moves every bar when the build grows longer and redraws only what a step changed', () => {
    const { rerender } = render(<Waterfall timeline={timeline([step(1, 0, 1000), step(2, 1000, undefined, { end: 2000 })], 2000)} live />);
    const bars = () => within(screen.getByTestId('waterfall-linux/amd64')).getAllByTestId('waterfall-bar');
    expect(bars().map((b) => [b.style.left, b.style.width])).toEqual([
      ['0%', '50%'],
      ['50%', '50%'],
    ]);
    rerender(<Waterfall timeline={timeline([step(1, 0, 1000), step(2, 1000, 4000, { kind: 'emulated', status: 'error' })], 4000)} live />);
    expect(screen.getByTestId('waterfall').dataset.totalMs).toBe('4000');
    expect(bars().map((b) => [b.style.left, b.style.width])).toEqual([
      ['0%', '25%'],
      ['25%', '75%'],
    ]);
    expect(bars()[1]!.dataset.kind).toBe('emulated');
    expect(bars()[1]!.className).toContain('bar-error');
    expect(bars()[1]!.getAttribute('aria-label')).toBe('RUN ./step-2.sh: emulated, 3.0 s');
    // hovering still names the step it is on
    fireEvent.mouseEnter(bars()[0]!);
    expect(screen.getByTestId('waterfall-tip').textContent).toContain('RUN ./step-1.sh');
    fireEvent.mouseLeave(bars()[0]!);
    expect(screen.queryByTestId('waterfall-tip')).toBeNull();
  });
});
