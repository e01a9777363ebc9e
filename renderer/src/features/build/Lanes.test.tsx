// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlatformLane, StepSnapshot } from '../../../../shared/domain/build-progress/model';
import { Lanes } from './Lanes';

afterEach(cleanup);

const step = (index: number, patch: Partial<StepSnapshot> = {}): StepSnapshot => ({
  digest: `sha256:${String(index).padStart(64, '0')}`,
  index,
  platform: 'linux/arm64',
  name: `RUN ./step-${index}.sh`,
  fullName: `[linux/arm64 build ${index}/3] RUN ./step-${index}.sh`,
  status: 'done',
  cached: false,
  lastLogLines: [],
  logLineCount: 0,
  ...patch,
}) as StepSnapshot;

const lane = (steps: StepSnapshot[]): PlatformLane => ({ platform: 'linux/arm64', status: 'running', steps, counts: { total: steps.length, done: 0, cached: 0, running: 0, error: 0 } });

describe('Lanes', () => {
  // Lanes arrive as new objects every 100 ms: a row is drawn again only when what it shows changed, and then it must.
  it('shows what changed in a step when the lanes arrive again as new objects', () => {
    const { rerender } = render(<Lanes lanes={[lane([step(1), step(2, { status: 'running', durationMs: 1200 })])]} shared={[]} />);
    const rows = () => within(screen.getByTestId('lane-linux/arm64')).getAllByRole('listitem');
    expect(rows().map((r) => r.dataset.state)).toEqual(['done', 'running']);
    expect(rows()[1]!.textContent).toContain('1.2');
    rerender(<Lanes lanes={[lane([step(1), step(2, { status: 'error', durationMs: 4500, run: { kind: 'emulated', why: 'QEMU ran it', runs: true } })])]} shared={[]} />);
    expect(rows().map((r) => r.dataset.state)).toEqual(['done', 'error']);
    expect(rows()[1]!.textContent).toContain('4.5');
    expect(within(rows()[1]!).getByTestId('step-kind').dataset.kind).toBe('emulated');
    expect(rows()[0]!.textContent).toContain('RUN ./step-1.sh');
  });
});
