// A synthetic `docker buildx build --progress=rawjson` log of N lines: three platforms whose RUN
// steps get their platform only through their inputs (as real buildx logs do), one log entry per
// JSON object (newer buildx's one-object-per-line form, the costliest case for the parser), base64
// data, then the steps completing. Written once per N and reused.
import { createWriteStream, existsSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PLATFORMS = ['linux/amd64', 'linux/arm64', 'linux/riscv64'];

const digest = (n) => `sha256:${n.toString(16).padStart(64, '0')}`;
const ts = (i) => `2026-11-27T23:${String(45 + Math.floor(i / 60_000_000)).padStart(2, '0')}:${String(Math.floor(i / 1_000_000) % 60).padStart(2, '0')}.${String(i % 1_000_000).padStart(6, '0')}000Z`;

function header() {
  const start = ts(0);
  const vertexes = [];
  PLATFORMS.forEach((p, i) => {
    vertexes.push({ digest: digest(100 + i), name: `[${p} base 1/2] COPY rootfs/ /`, started: start, completed: start });
    vertexes.push({ digest: digest(200 + i), inputs: [digest(100 + i)], name: '[base 2/2] RUN make -j8', started: start });
  });
  return `${JSON.stringify({ vertexes })}\n`;
}

function logLine(i) {
  const text = `[${i}] CC src/module-${i % 977}/file-${i % 31}.o -O2 -Wall -Werror\n`;
  return `${JSON.stringify({
    logs: [{ vertex: digest(200 + (i % PLATFORMS.length)), stream: i % 10 === 0 ? 2 : 1, data: Buffer.from(text).toString('base64'), timestamp: ts(i) }],
  })}\n`;
}

function footer(lines) {
  const end = ts(lines + 1);
  const vertexes = PLATFORMS.map((p, i) => ({ digest: digest(200 + i), inputs: [digest(100 + i)], name: '[base 2/2] RUN make -j8', started: ts(0), completed: end }));
  return `${JSON.stringify({ vertexes })}\n`;
}

/** Writes `name` in the temp folder once (from the strings `pieces` yields) and returns its path. */
async function once(name, pieces) {
  const file = join(tmpdir(), name);
  if (existsSync(file) && statSync(file).size > 0) return file;
  const tmp = `${file}.${process.pid}.tmp`;
  const out = createWriteStream(tmp);
  const write = (s) => (out.write(s) ? Promise.resolve() : new Promise((r) => out.once('drain', r)));
  let batch = '';
  for (const piece of pieces()) {
    batch += piece;
    if (batch.length > 1 << 20) {
      await write(batch);
      batch = '';
    }
  }
  await write(batch);
  await new Promise((r) => out.end(r));
  renameSync(tmp, file);
  return file;
}

/** Path of the log file with `lines` log lines (generated on first use). */
export function syntheticLog(lines) {
  return once(`mas-bench-rawjson-${lines}.log`, function* () {
    yield header();
    for (let i = 0; i < lines; i++) yield logLine(i);
    yield footer(lines);
  });
}

/**
 * A build of `steps` RUN steps spread over the platforms, each platform's steps one after the
 * other (each `[<platform> build k/n]` vertex starts, logs `linesPerStep` lines, completes), the
 * platforms interleaved as BuildKit runs them side by side: what a 2,000-step timeline is made of.
 */
export function syntheticTimelineLog(steps, linesPerStep) {
  const perPlatform = Math.ceil(steps / PLATFORMS.length);
  const name = (p, k) => `[${p} build ${k + 1}/${perPlatform}] RUN ./step-${k + 1}.sh`;
  // Each platform's own clock (µs): line n of step k at (k * linesPerStep + n) steps of 997 µs.
  const at = (pi, k, n) => ts((k * linesPerStep + n) * 997 + pi * 331);
  return once(`mas-bench-timeline-${steps}x${linesPerStep}.log`, function* () {
    for (let k = 0; k < perPlatform; k++) {
      const here = PLATFORMS.map((p, pi) => ({ p, pi, index: k * PLATFORMS.length + pi })).filter((s) => s.index < steps);
      const vertex = ({ p, pi, index }, completed) => ({
        digest: digest(10_000 + index),
        inputs: k > 0 ? [digest(10_000 + index - PLATFORMS.length)] : [],
        name: name(p, k),
        started: at(pi, k, 0),
        ...(completed ? { completed: at(pi, k, linesPerStep) } : {}),
      });
      yield `${JSON.stringify({ vertexes: here.map((s) => vertex(s, false)) })}\n`;
      for (let n = 0; n < linesPerStep; n++) {
        for (const { p, pi, index } of here) {
          const text = `step ${k + 1} on ${p}: line ${n + 1} of ${linesPerStep}\n`;
          yield `${JSON.stringify({ logs: [{ vertex: digest(10_000 + index), stream: 1, data: Buffer.from(text).toString('base64'), timestamp: at(pi, k, n) }] })}\n`;
        }
      }
      yield `${JSON.stringify({ vertexes: here.map((s) => vertex(s, true)) })}\n`;
    }
  });
}
