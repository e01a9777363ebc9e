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

/** Path of the log file with `lines` log lines (generated on first use). */
export async function syntheticLog(lines) {
  const file = join(tmpdir(), `mas-bench-rawjson-${lines}.log`);
  if (existsSync(file) && statSync(file).size > 0) return file;
  const tmp = `${file}.${process.pid}.tmp`;
  const out = createWriteStream(tmp);
  const write = (s) => (out.write(s) ? Promise.resolve() : new Promise((r) => out.once('drain', r)));
  await write(header());
  let batch = '';
  for (let i = 0; i < lines; i++) {
    batch += logLine(i);
    if (batch.length > 1 << 20) {
      await write(batch);
      batch = '';
    }
  }
  await write(batch + footer(lines));
  await new Promise((r) => out.end(r));
  renameSync(tmp, file);
  return file;
}
