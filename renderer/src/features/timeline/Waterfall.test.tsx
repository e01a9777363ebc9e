// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { BuildTimeline, TimelineStep } from '../../../../shared/domain/timeline';
import { barSpanMs, Waterfall } from './Waterfall';

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
  it('keeps every bar where it is while a live build grows (its span element narrows on the track instead), places them anew past a hundredfold, and redraws what a step changed', () => {
    const { rerender } = render(<Waterfall timeline={timeline([step(1, 0, 1000), step(2, 1000, undefined, { end: 1500 })], 1500)} live />);
    const bars = () => within(screen.getByTestId('waterfall-linux/amd64')).getAllByTestId('waterfall-bar');
    const spanWidth = () => within(screen.getByTestId('waterfall-linux/amd64')).getByTestId('waterfall-span').style.width;
    expect(screen.getByTestId('waterfall').dataset.trackMs).toBe('2000');
    expect(spanWidth()).toBe('100%');
    expect(bars().map((b) => [b.style.left, b.style.width])).toEqual([
      ['0%', '50%'],
      ['50%', '25%'],
    ]);
    const first = bars()[0]!;
    rerender(<Waterfall timeline={timeline([step(1, 0, 1000), step(2, 1000, undefined, { end: 2000 })], 2000)} live />);
    expect(bars().map((b) => [b.style.left, b.style.width])).toEqual([
      ['0%', '50%'],
      ['50%', '50%'],
    ]);
    expect(bars()[0]).toBe(first);
    // the track steps up to 5 s, then 20 s: one width changes each time, no bar moves
    rerender(<Waterfall timeline={timeline([step(1, 0, 1000), step(2, 1000, 4000, { kind: 'emulated', status: 'error' })], 4000)} live />);
    expect(screen.getByTestId('waterfall').dataset.totalMs).toBe('4000');
    expect(screen.getByTestId('waterfall').dataset.trackMs).toBe('5000');
    expect(spanWidth()).toBe('40%');
    expect(bars().map((b) => [b.style.left, b.style.width])).toEqual([
      ['0%', '50%'],
      ['50%', '150%'],
    ]);
    expect(bars()[0]).toBe(first);
    expect(bars()[1]!.dataset.kind).toBe('emulated');
    expect(bars()[1]!.className).toContain('bar-error');
    expect(bars()[1]!.getAttribute('aria-label')).toBe('RUN ./step-2.sh: emulated, 3.0 s');
    const steps = [step(1, 0, 1000), step(2, 1000, 4000), step(3, 4000, 12_000)];
    rerender(<Waterfall timeline={timeline(steps, 12_000)} live />);
    expect(screen.getByTestId('waterfall').dataset.trackMs).toBe('20000');
    expect(spanWidth()).toBe('10%');
    expect(bars().map((b) => [b.style.left, b.style.width])).toEqual([
      ['0%', '50%'],
      ['50%', '150%'],
      ['200%', '400%'],
    ]);
    // past a hundred times the 2 s the bars were placed against, they are placed against the track
    rerender(<Waterfall timeline={timeline([...steps, step(4, 12_000, 300_000)], 300_000)} live />);
    expect(screen.getByTestId('waterfall').dataset.trackMs).toBe('500000');
    expect(spanWidth()).toBe('100%');
    expect(bars().map((b) => [b.style.left, b.style.width])).toEqual([
      ['0%', '0.2%'],
      ['0.2%', '0.6%'],
      ['0.8%', '1.6%'],
      ['2.4%', '57.6%'],
    ]);
    // hovering still names the step it is on
    fireEvent.mouseEnter(bars()[0]!);
    expect(screen.getByTestId('waterfall-tip').textContent).toContain('RUN ./step-1.sh');
    fireEvent.mouseLeave(bars()[0]!);
    expect(screen.queryByTestId('waterfall-tip')).toBeNull();
  });

  it('stretches the span element to the ended build\'s track, leaving every bar as it was', () => {
    const steps = [step(1, 0, 1000), step(2, 1000, 4000)];
    const { rerender } = render(<Waterfall timeline={timeline(steps, 4000)} live />);
    const lane = () => within(screen.getByTestId('waterfall-linux/amd64'));
    const before = lane().getAllByTestId('waterfall-bar');
    expect(lane().getByTestId('waterfall-span').style.width).toBe('100%');
    rerender(<Waterfall timeline={timeline(steps, 4000)} live={false} />);
    expect(screen.getByTestId('waterfall').dataset.trackMs).toBe('4000');
    // 5 s of placement shown over 4 s of track: the bars' own places do not change
    expect(lane().getByTestId('waterfall-span').style.width).toBe('125%');
    const after = lane().getAllByTestId('waterfall-bar');
    expect(after).toEqual(before);
    expect(after.map((b) => [b.style.left, b.style.width])).toEqual([
      ['0%', '20%'],
      ['20%', '60%'],
    ]);
  });
});

describe('Waterfall keyboard', () => {
  // A big build has thousands of bars: each lane is one tab stop and the arrows walk its steps.
  it('makes each lane one tab stop; arrows, Home and End move along its bars and the tab stop follows', () => {
    render(<Waterfall timeline={timeline([step(1, 0, 1000), step(2, 1000, undefined, { start: undefined }), step(3, 1000, 2000), step(4, 2000, 3000)], 3000)} live={false} />);
    const bars = () => within(screen.getByTestId('waterfall-linux/amd64')).getAllByTestId('waterfall-bar');
    const stops = () => bars().filter((b) => b.tabIndex === 0).map((b) => b.dataset.step);
    const label = () => screen.getByTestId('waterfall-tip').textContent;
    // the step without a start has no bar; the first drawn bar is the lane's tab stop
    expect(bars().map((b) => b.dataset.step)).toEqual(['1', '3', '4']);
    expect(stops()).toEqual(['1']);
    bars()[0]!.focus();
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowRight' });
    expect(document.activeElement).toBe(bars()[1]);
    expect(label()).toContain('RUN ./step-3.sh');
    expect(stops()).toEqual(['3']);
    fireEvent.keyDown(document.activeElement!, { key: 'End' });
    expect(document.activeElement).toBe(bars()[2]);
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowRight' });
    expect(document.activeElement).toBe(bars()[2]);
    fireEvent.keyDown(document.activeElement!, { key: 'Home' });
    expect(document.activeElement).toBe(bars()[0]);
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowLeft' });
    expect(document.activeElement).toBe(bars()[0]);
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowRight' });
    // other keys are left to the page
    expect(fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' })).toBe(true);
    expect(fireEvent.keyDown(document.activeElement!, { key: 'ArrowLeft' })).toBe(false);
    expect(stops()).toEqual(['1']);
  });
});

describe('barSpanMs', () => {
  it('is the next of 1, 2, 5 × 10ⁿ ms at or above the duration', () => {
    expect([0, 1, 7, 100, 101, 199, 200, 201, 499, 500, 501, 999, 1000, 1001, 61_000, 4_000_000].map(barSpanMs)).toEqual([
      1, 1, 10, 100, 200, 200, 200, 500, 500, 500, 1000, 1000, 1000, 2000, 100_000, 5_000_000,
    ]);
  });
});
