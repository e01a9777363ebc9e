import { describe, expect, it } from 'vitest';
import { crossOk, riscv64Fails } from './fixtures/captures';
import { TerminalFormatter, humanSize, stripAnsi } from './format';
import { BuildProgressTracker } from './tracker';

function render(capture: string, exitCode: number, color = false) {
  const tracker = new BuildProgressTracker();
  const formatter = new TerminalFormatter({ color });
  const events = [...tracker.push(capture), ...tracker.end(exitCode)];
  return formatter.format(events);
}

describe('TerminalFormatter', () => {
  it('says how many lines each chunk holds, also for a heredoc title, a multi-line error and warnings', () => {
    const heredoc = [
      JSON.stringify({ vertexes: [{ digest: 'sha256:a', name: '[linux/arm64 2/2] RUN <<EOF\necho one\necho two\nEOF', started: '2026-11-27T23:45:00Z' }] }),
      JSON.stringify({ logs: [{ vertex: 'sha256:a', stream: 1, data: Buffer.from('one\ntwo\n').toString('base64'), timestamp: '2026-11-27T23:45:01Z' }] }),
      JSON.stringify({ vertexes: [{ digest: 'sha256:a', name: '[linux/arm64 2/2] RUN <<EOF\necho one\necho two\nEOF', started: '2026-11-27T23:45:00Z', completed: '2026-11-27T23:45:02Z', error: 'failed:\nexit code 1' }] }),
      'ERROR: failed to solve:\nsecond line',
    ].join('\n');
    for (const [capture, code] of [[riscv64Fails, 1], [crossOk, 0], [heredoc, 1]] as const) {
      for (const eol of ['\n', '\r\n'] as const) {
        const tracker = new BuildProgressTracker();
        const chunks = new TerminalFormatter({ eol }).format([...tracker.push(capture), ...tracker.end(code)]);
        expect(chunks.length).toBeGreaterThan(3);
        for (const c of chunks) expect(c.lines, JSON.stringify(c.text)).toBe(c.text.split('\n').length - 1);
      }
    }
  });

  it('renders the failing build like buildx plain progress, with inherited platforms in headers', () => {
    const text = render(riscv64Fails, 1)
      .map((c) => c.text)
      .join('');
    const lines = text.split('\n');
    expect(lines[0]).toBe('#1 [internal] load build definition from Dockerfile');
    expect(lines).toContain('#1 transferring dockerfile: 416B 0.0s done');
    expect(lines).toContain('#17 transferring context: 1.615MB 0.1s done');
    expect(lines).toContain('#16 [linux/riscv64 base 1/2] COPY rootfs-riscv64/ /');
    // The RUN has no prefix of its own: its platform comes from the graph.
    expect(lines).toContain(
      '#13 [linux/riscv64 stage-1 2/2] RUN if [ "$(uname -m)" = riscv64 ]; then echo "this step fails on riscv64" >&2; exit 3; fi',
    );
    expect(lines).toContain('#14 0.510 building on riscv64');
    expect(lines).toContain('#13 0.375 this step fails on riscv64');
    expect(lines).toContain('#9 DONE 0.6s');
    expect(lines).toContain(
      '#13 ERROR: process "/bin/sh -c if [ \\"$(uname -m)\\" = riscv64 ]; then echo \\"this step fails on riscv64\\" >&2; exit 3; fi" did not complete successfully: exit code: 3',
    );
    expect(lines.at(-2)).toMatch(/^ERROR: failed to solve: process/);
    // A blank line separates vertices, as in buildx.
    expect(text).toContain('#1 DONE 0.0s\n\n#2 [internal] load .dockerignore\n');
  });

  it('tags every chunk so a terminal can show one platform', () => {
    const chunks = render(riscv64Fails, 1);
    const only = (platform: string) =>
      chunks
        .filter((c) => c.platform === platform)
        .map((c) => c.text)
        .join('');
    expect(only('linux/amd64')).toContain('building on x86_64');
    expect(only('linux/amd64')).not.toMatch(/aarch64|riscv64 *\n|from riscv64/);
    expect(only('linux/arm64')).toContain('line 3 from aarch64');
    expect(only('linux/arm64')).not.toMatch(/x86_64|from riscv64/);
    expect(only('linux/riscv64')).toContain('#13 ERROR: process');
    // Shared steps and buildx's own text carry no platform.
    const untagged = chunks.filter((c) => c.platform === undefined).map((c) => c.text).join('');
    expect(untagged).toContain('[internal] load build context');
    expect(untagged).toContain('ERROR: failed to solve');
    expect(untagged).not.toMatch(/building on (x86_64|aarch64|riscv64)/);
    for (const c of chunks) expect(c.text.endsWith('\n')).toBe(true);
  });

  it('colours DONE, CACHED, ERROR and platform tags, and can be stripped back to plain text', () => {
    const chunks = render(crossOk, 0, true);
    const text = chunks.map((c) => c.text).join('');
    expect(text).toContain('\x1b[32mDONE\x1b[0m');
    expect(text).toContain('\x1b[34mCACHED\x1b[0m');
    // eslint-disable-next-line no-control-regex
    expect(text).toMatch(/\x1b\[\d+m\[linux\/arm64\x1b\[0m stage-1 3\/3\]/);
    const plain = render(crossOk, 0, false)
      .map((c) => c.text)
      .join('');
    expect(stripAnsi(text)).toBe(plain);
    expect(plain).toContain('#6 CACHED');
    expect(plain).toContain('#3 0.530 5');
    expect(plain).toContain('#20 exporting manifest list sha256:0524d1a3315d5b5c5ac2a46aa68e7149bac2b9faecfe636f29aac063c8178903 0.0s done');

    const failing = render(riscv64Fails, 1, true)
      .map((c) => c.text)
      .join('');
    expect(failing).toContain('\x1b[31m\x1b[1mERROR: failed to solve');
  });

  it('writes CRLF for terminals that need it', () => {
    const tracker = new BuildProgressTracker();
    const f = new TerminalFormatter({ color: false, eol: '\r\n' });
    const out = f.formatToString([...tracker.push(riscv64Fails), ...tracker.end(1)]);
    expect(out.split('\r\n').length).toBeGreaterThan(50);
    expect(out.replace(/\r\n/g, '')).not.toContain('\n');
  });
});

describe('humanSize', () => {
  it.each([
    [0, '0B'],
    [416, '416B'],
    [1615418, '1.615MB'],
    [3407739, '3.408MB'],
    [999_999, '1000kB'],
    [12_345_678_901, '12.35GB'],
  ])('%d → %s', (n, s) => expect(humanSize(n)).toBe(s));
});
