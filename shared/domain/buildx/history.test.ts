import { describe, expect, it } from 'vitest';
import { decodeBase64 } from '../build-progress/base64';
import { BuildProgressTracker } from '../build-progress';
import { fixture } from './fixtures/load';
import { bundleRecordOf, timestampOf } from './history-bundle';
import { statusLogToRawjson } from './status-log';
import { parseHistoryInspect, parseHistoryLs, parseSourceSnippet, splitRef } from './history';

// Real captures of buildx 0.29.1 on Docker 28.5 (fixtures/README.md): a passing 3-platform build ("cross") and one
// whose last RUN fails on riscv64 only ("fail").

describe('history ls --format json', () => {
  it('reads every record with its ref parts, status, duration and steps', () => {
    const { entries, unreadable, truncated } = parseHistoryLs(fixture('history-ls-0.29.1.ndjson'));
    expect(unreadable).toBe(0);
    expect(truncated).toBe(false);
    expect(entries.map((e) => [e.name, e.status, e.builder, e.node, e.id])).toEqual([
      ['fail', 'failed', 'default', 'default', '0zvvwnf70jyynxhifia7mc0d9'],
      ['cross', 'completed', 'default', 'default', 'o7qxxvcg6nzh3r0kttqnnqynf'],
    ]);
    // 14:15:50.667670002 → 14:15:51.93335164: the table says 1.3s
    expect(entries[1]!.durationMs).toBe(1266);
    expect(entries[1]!.steps).toEqual({ total: 18, completed: 18, cached: 3 });
  });

  it('keeps records of each node of a multi-node builder apart, and an empty name as empty', () => {
    const { entries } = parseHistoryLs(fixture('history-ls-remote-0.29.1.ndjson'));
    expect(entries).toHaveLength(4);
    expect(new Set(entries.map((e) => e.node))).toEqual(new Set(['mas-cap-remote0', 'mas-cap-remote1']));
    expect(entries.every((e) => e.name === '' && e.builder === 'mas-cap-remote')).toBe(true);
  });

  it('counts lines that are not records, bounds the list and treats a running record as having no end', () => {
    const running = JSON.stringify({ ref: 'default/default/abcdefghij0123456789', name: 'x', status: 'Running', created_at: '2026-12-06T14:15:50Z', completed_at: '0001-01-01T00:00:00Z' });
    const text = ['not json', '{"ref":"../../etc"}', running, running, fixture('history-ls-0.29.1.ndjson')].join('\n');
    const { entries, unreadable, truncated } = parseHistoryLs(text, 2);
    expect(unreadable).toBe(2);
    expect(truncated).toBe(true);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ status: 'running' });
    expect(entries[0]!.completedAt).toBeUndefined();
    expect(entries[0]!.durationMs).toBeUndefined();
  });

  it('refuses refs that are not builder/node/id', () => {
    expect(splitRef('default/default/o7qxxvcg6nzh3r0kttqnnqynf')).toEqual({ builder: 'default', node: 'default', id: 'o7qxxvcg6nzh3r0kttqnnqynf' });
    for (const bad of ['default/o7qxxvcg6nzh3r0kttqnnqynf', '-x/default/o7qxxvcg6nzh3r0kttqnnqynf', 'a/b/c;rm', 'a/../o7qxxvcg6nzh3r0kttqnnqynf']) {
      expect(splitRef(bad)).toBeUndefined();
    }
  });
});

describe('history inspect --format json', () => {
  it('reads a passing build: platforms, duration, steps', () => {
    const detail = parseHistoryInspect(fixture('history-inspect-ok-0.29.1.json'))!;
    expect(detail).toMatchObject({
      id: 'o7qxxvcg6nzh3r0kttqnnqynf',
      name: 'cross',
      context: '/tmp/tmp.uPSntbVBQr/cross',
      dockerfile: 'Dockerfile',
      platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'],
      status: 'completed',
      durationMs: 1266,
      steps: { total: 18, completed: 18, cached: 3 },
    });
    expect(detail.error).toBeUndefined();
  });

  it('reads a failed build: the error, its step and platform, its last log lines and the Dockerfile line', () => {
    const detail = parseHistoryInspect(fixture('history-inspect-fail-0.29.1.json'))!;
    expect(detail.status).toBe('failed');
    expect(detail.platforms).toEqual(['linux/amd64', 'linux/arm64', 'linux/riscv64']);
    expect(detail.durationMs).toBe(845);
    const error = detail.error!;
    expect(error.message).toMatch(/did not complete successfully: exit code: 3$/);
    expect(error.step).toMatch(/^\[linux\/riscv64 3\/3\] RUN if/);
    expect(error.platform).toBe('linux/riscv64');
    expect(error.logs).toEqual(['no riscv64 here']);
    // the same lines the text form of inspect prints (history-inspect-fail-0.29.1.txt)
    expect(error.source).toEqual({
      file: 'Dockerfile',
      line: 3,
      lines: [
        { number: 1, text: 'FROM 127.0.0.1:5000/stack/busybox:1', marked: false },
        { number: 2, text: 'RUN echo "step one on $(uname -m)"', marked: false },
        { number: 3, text: 'RUN if [ "$(uname -m)" = riscv64 ]; then echo "no riscv64 here" >&2; exit 3; fi; echo ok', marked: true },
        { number: 4, text: '', marked: false },
      ],
    });
  });

  it('is undefined for output that is not a record', () => {
    expect(parseHistoryInspect('ERROR: no record found')).toBeUndefined();
    expect(parseHistoryInspect('{"Name":"x"}')).toBeUndefined();
    expect(parseSourceSnippet('no snippet here')).toBeUndefined();
  });
});

describe('.dockerbuild contents (history export of a real single-platform push on 0.29.1)', () => {
  it('reads the record: id, name from the context folder, platforms, status, duration and steps', () => {
    const record = bundleRecordOf(JSON.parse(fixture('history-export-record-0.29.1.json')))!;
    expect(record).toEqual({
      id: 'yba2ayvhz6atti1kudtz7eyos',
      name: 'mas-test-images-1QhkKM',
      status: 'completed',
      createdAt: '2026-12-06T15:43:36.491Z',
      completedAt: '2026-12-06T15:43:36.611Z',
      durationMs: 120,
      steps: { total: 6, completed: 6, cached: 1 },
      platforms: ['linux/arm64'],
      context: '/tmp/mas-test-images-1QhkKM',
      dockerfile: 'Dockerfile',
    });
  });

  it('reads a failed or cancelled record from its error, and refuses JSON that is not a record', () => {
    const base = JSON.parse(fixture('history-export-record-0.29.1.json')) as Record<string, unknown>;
    expect(bundleRecordOf({ ...base, error: { code: 2, message: 'exit code: 3' } })).toMatchObject({ status: 'failed', error: { message: 'exit code: 3' } });
    expect(bundleRecordOf({ ...base, error: { code: 1, message: 'context canceled' } })?.status).toBe('canceled');
    expect(bundleRecordOf({ ...base, CompletedAt: undefined })?.status).toBe('running');
    expect(bundleRecordOf({ ...base, FrontendAttrs: { 'build-arg:BUILDKIT_BUILD_NAME': 'named' } })?.name).toBe('named');
    expect(bundleRecordOf({ Ref: '../x' })).toBeUndefined();
    expect(bundleRecordOf('text')).toBeUndefined();
    expect(timestampOf({ seconds: 1796571816, nanos: 491180950 })).toBe('2026-12-06T15:43:36.491Z');
  });

  it('turns the build log (BuildKit status messages) into the rawjson the progress parser reads', () => {
    const bytes = decodeBase64(fixture('history-export-status-0.29.1.b64')).bytes;
    const lines = statusLogToRawjson(bytes).trim().split('\n');
    expect(lines).toHaveLength(1);
    const status = JSON.parse(lines[0]!) as { vertexes: Array<{ name: string; cached?: boolean; started?: string }>; statuses: Array<{ id: string }> };
    // the same vertexes `docker buildx history logs --progress rawjson` printed for this record
    expect(status.vertexes.find((v) => v.cached)?.name).toBe('[2/2] RUN uname -m > /arch');
    expect(status.vertexes.filter((v) => v.name === '[internal] load build definition from Dockerfile').map((v) => v.started)).toEqual([
      undefined,
      '2026-12-06T15:43:36.492583055Z',
      '2026-12-06T15:43:36.492766828Z',
    ]);
    expect(status.statuses.map((s) => s.id)).toContain('exporting layers');

    const tracker = new BuildProgressTracker({ platforms: ['linux/arm64'] });
    tracker.push(statusLogToRawjson(bytes));
    tracker.end(0);
    const snap = tracker.snapshot();
    expect(snap.lanes.map((l) => [l.platform, l.status])).toEqual([['linux/arm64', 'done']]);
    expect(() => statusLogToRawjson(new Uint8Array([0xff, 0xff, 0, 0, 1]))).toThrow(/not a BuildKit status log/);
  });
});
