import { describe, expect, it } from 'vitest';
import { analyzeDockerfile } from '../dockerfile';
import { namedStage, speedUp, stageMs } from './measure';
import type { TimelineLane, TimelineStep } from './model';

const step = (label: string, start: number, end: number, extra: Partial<TimelineStep> = {}): TimelineStep => ({
  index: start,
  name: 'RUN x',
  label,
  status: 'done',
  kind: 'emulated',
  why: '',
  runs: true,
  start,
  end,
  ...extra,
});

describe('naming the measured stage', () => {
  const text = 'FROM golang AS tools\nRUN go install x@v1\n\nFROM golang\nWORKDIR /src\nRUN CGO_ENABLED=0 go build -o /out/app .\n\nFROM busybox\nCOPY --from=1 /out/app /app\n';

  it('keeps a named stage as it is', () => {
    const stages = analyzeDockerfile(text).stages;
    expect(namedStage(text, stages[0]!, ['tools'])).toEqual({ text, name: 'tools', named: false });
  });

  it('names an unnamed stage on its FROM line, moving no line, and the advice still finds its compile on the same line', () => {
    const before = analyzeDockerfile(text, { platforms: ['linux/amd64', 'linux/arm64'] });
    const named = namedStage(text, before.stages[1]!, ['tools']);
    expect(named).toMatchObject({ name: 'mas-measured', named: true });
    expect(named.text.split('\n')).toEqual(text.replace('FROM golang\nWORKDIR', 'FROM golang AS mas-measured\nWORKDIR').split('\n'));
    const after = analyzeDockerfile(named.text, { platforms: ['linux/amd64', 'linux/arm64'] });
    const line = (a: typeof after) => a.findings.find((f) => f.rule === 'compile-under-emulation')?.line;
    expect(line(after)).toBe(line(before));
    expect(after.stages[1]?.name).toBe('mas-measured');
  });

  it('avoids a name the file uses, and appends to the last line of a continued FROM (CRLF kept)', () => {
    const crlf = 'FROM golang \\\r\n  AS x\r\nFROM \\\r\n golang\r\nRUN go build .\r\n';
    const stages = analyzeDockerfile(crlf).stages;
    const named = namedStage(crlf, stages[1]!, ['x', 'mas-measured']);
    expect(named.name).toBe('mas-measured-2');
    expect(named.text).toBe('FROM golang \\\r\n  AS x\r\nFROM \\\r\n golang AS mas-measured-2\r\nRUN go build .\r\n');
  });
});

describe('the measured time of a stage', () => {
  const lane = (steps: TimelineStep[]): TimelineLane => ({ platform: 'linux/arm64', status: 'done', steps });

  it('is the union of its steps’ BuildKit spans: other stages and cached steps do not count', () => {
    const l = lane([
      step('build 1/4', 0, 100, { kind: 'native', runs: false }),
      step('build 3/4', 90, 200, { status: 'cached', kind: 'cached' }),
      step('build 4/4', 150, 1150),
      step('build 2/4', 120, 160),
      step('stage-1 2/2', 1150, 1300),
      step('builder 1/2', 0, 5000),
    ]);
    // [0,100] ∪ [120,1150]
    expect(stageMs(l, 'build')).toBe(1130);
    expect(stageMs(l, 'other')).toBeUndefined();
  });

  it('gives a speed-up only from two successful builds with a time each', () => {
    expect(speedUp({ status: 'succeeded', stageMs: 12_000 }, { status: 'succeeded', stageMs: 3000 })).toBe(4);
    expect(speedUp({ status: 'succeeded', stageMs: 12_000 }, { status: 'failed', stageMs: 3000 })).toBeUndefined();
    expect(speedUp({ status: 'failed', stageMs: 12_000 }, { status: 'succeeded', stageMs: 3000 })).toBeUndefined();
    expect(speedUp({ status: 'succeeded' }, { status: 'succeeded', stageMs: 3000 })).toBeUndefined();
  });
});
