import { TerminalFormatter } from '../../shared/domain/build-progress/format';
import { BuildProgressTracker } from '../../shared/domain/build-progress/tracker';

/**
 * Micro benchmark of the rawjson path: N log lines in the one-object-per-line form (newer
 * buildx), base64 as BuildKit sends them, spread over three platforms' RUN steps that get their
 * platform through inputs, pushed as UTF-8 bytes in pipe-sized chunks. Only push/format time
 * is measured; generating the input is not.
 *
 *   npx jiti scripts/bench/parser-bench.ts [lines] [line|pretty]
 */

export interface BenchOptions {
  /** Also render every event with the TerminalFormatter (reported separately). */
  withFormatter?: boolean;
  /** `line`: one object per line (newer buildx, default); `pretty`: multi-line objects (buildx 0.13). */
  form?: 'line' | 'pretty';
}

export interface BenchResult {
  form: 'line' | 'pretty';
  lines: number;
  bytes: number;
  ms: number;
  linesPerSecond: number;
  megabytesPerSecond: number;
  /** Same input, with every event also rendered by the TerminalFormatter. */
  withFormatter?: { ms: number; linesPerSecond: number };
}

const PLATFORMS = ['linux/amd64', 'linux/arm64', 'linux/riscv64'];
const CHUNK_BYTES = 64 * 1024;
const BATCH_LINES = 20_000;

function digest(n: number): string {
  return `sha256:${n.toString(16).padStart(64, '0')}`;
}

type Form = 'line' | 'pretty';

function serialise(value: unknown, form: Form): string {
  return `${form === 'pretty' ? JSON.stringify(value, null, 2) : JSON.stringify(value)}\n`;
}

function header(form: Form): string {
  const ts = '2026-11-27T23:44:36.000000000Z';
  const vertexes: unknown[] = [];
  PLATFORMS.forEach((p, i) => {
    vertexes.push({ digest: digest(100 + i), name: `[${p} base 1/2] COPY rootfs/ /`, started: ts, completed: ts });
    vertexes.push({ digest: digest(200 + i), inputs: [digest(100 + i)], name: '[base 2/2] RUN make -j8', started: ts });
  });
  return serialise({ vertexes }, form);
}

function logLine(i: number, form: Form): string {
  const text = `[${i}] CC src/module-${i % 977}/file-${i % 31}.o -O2 -Wall -Werror\n`;
  const ms = String(i % 1000).padStart(3, '0');
  const entry = {
    vertex: digest(200 + (i % PLATFORMS.length)),
    stream: i % 10 === 0 ? 2 : 1,
    data: btoa(text),
    timestamp: `2026-11-27T23:45:${String(i % 60).padStart(2, '0')}.${ms}123456Z`,
  };
  return serialise({ logs: [entry] }, form);
}

function* batches(lines: number, form: Form): Generator<Uint8Array[]> {
  const encoder = new TextEncoder();
  yield [encoder.encode(header(form))];
  for (let start = 0; start < lines; start += BATCH_LINES) {
    let text = '';
    const end = Math.min(lines, start + BATCH_LINES);
    for (let i = start; i < end; i++) text += logLine(i, form);
    const bytes = encoder.encode(text);
    const chunks: Uint8Array[] = [];
    // Pipe-sized chunks that cut lines (and JSON strings) anywhere.
    for (let at = 0; at < bytes.length; at += CHUNK_BYTES) chunks.push(bytes.subarray(at, at + CHUNK_BYTES));
    yield chunks;
  }
}

function run(lines: number, format: boolean, form: Form): { ms: number; bytes: number; seen: number } {
  const tracker = new BuildProgressTracker({ platforms: PLATFORMS });
  const formatter = format ? new TerminalFormatter() : undefined;
  let ms = 0;
  let bytes = 0;
  let seen = 0;
  for (const chunks of batches(lines, form)) {
    const t0 = performance.now();
    for (const chunk of chunks) {
      const events = tracker.push(chunk);
      if (formatter) formatter.format(events);
      seen += events.length;
      bytes += chunk.length;
    }
    ms += performance.now() - t0;
  }
  const t0 = performance.now();
  tracker.end(0);
  tracker.snapshot();
  ms += performance.now() - t0;
  const snap = tracker.snapshot();
  const total = snap.lanes.reduce((n, l) => n + l.steps.reduce((m, s) => m + s.logLineCount, 0), 0);
  if (total !== lines) throw new Error(`benchmark lost lines: ${total} of ${lines}`);
  return { ms, bytes, seen };
}

export function runBenchmark(lines = 1_000_000, options: BenchOptions = {}): BenchResult {
  const form = options.form ?? 'line';
  run(Math.min(lines, 50_000), false, form); // warm-up
  const r = run(lines, false, form);
  const result: BenchResult = {
    form,
    lines,
    bytes: r.bytes,
    ms: Math.round(r.ms),
    linesPerSecond: Math.round((lines / r.ms) * 1000),
    megabytesPerSecond: Math.round((r.bytes / 1e6 / r.ms) * 1000 * 10) / 10,
  };
  if (options.withFormatter) {
    const f = run(lines, true, form);
    result.withFormatter = { ms: Math.round(f.ms), linesPerSecond: Math.round((lines / f.ms) * 1000) };
  }
  return result;
}

// Run directly (Node): print the result.
const argv = typeof process !== 'undefined' ? process.argv : [];
if (argv[1]?.endsWith('parser-bench.ts')) {
  const lines = Number(argv[2] ?? 1_000_000);
  const form = argv[3] === 'pretty' ? 'pretty' : 'line';
  console.log(JSON.stringify(runBenchmark(lines, { withFormatter: true, form }), null, 2));
}
