// Node side of `npm run bench` (bundled by scripts/bench.mjs with vite, then run with node):
//   pipeline <lines> <logFile> <fakeDocker>  the core's whole build path in-process: buildx (the fake,
//                                            streaming the synthetic log) → parser → formatter → 10 ms
//                                            batches → rpc frames (JSON both ways, acknowledged) → the
//                                            renderer's TerminalFeed, with a terminal that keeps up
//   logpath <lines> <logFile>                the core's log path alone, no engine: parser → terminal text →
//                                            a window's tail → JSON frames, for a terminal that takes a
//                                            sixth of the characters per byte of log: CPU time, repeatable
//                                            on a busy machine where wall time is not
//   overhead <rounds> <contextDir> <tag>     a real 4-platform build through the app vs the same buildx
//                                            argv run directly, alternating
// Prints one JSON line with the results.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogPipeline } from '../../electron/core/builds/log-pipeline';
import { Watcher } from '../../electron/core/builds/watcher';
import { createCore } from '../../electron/core/composition';
import { contract } from '../../shared/contract';
import { LOG_WINDOW_CHARS, type BuildChunk } from '../../shared/contract/builds';
import { encodeFrame } from '../../shared/rpc/frames';
import { buildArgv } from '../../shared/domain/build-request/argv';
import { buildRequestInput, type BuildRequestInput } from '../../shared/domain/build-request/request';
import { createClient } from '../../shared/rpc/client';
import { createMemoryPair } from '../../shared/rpc/memory-transport';
import { TerminalFeed } from '../../renderer/src/terminal/terminal-feed';

const [phase = '', ...args] = process.argv.slice(2);

async function startCore(dockerCliPath?: string) {
  const dataDir = await mkdtemp(join(tmpdir(), 'mas-bench-'));
  const core = await createCore({ mode: 'headless', version: 'bench', dataDir, log: () => undefined, ...(dockerCliPath ? { dockerCliPath } : {}) });
  const pair = createMemoryPair();
  core.server.connect(pair.server);
  const api = createClient(contract, pair.client);
  for (let i = 0; i < 100 && (await api.engine.state({})).status !== 'connected'; i++) await new Promise((r) => setTimeout(r, 100));
  return {
    api,
    async close() {
      pair.close();
      await core.dispose();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function pipeline(lines: number, logFile: string, fakeDocker: string, context: string) {
  process.env.MAS_BENCH_LOG = logFile;
  const { api, close } = await startCore(fakeDocker);
  try {
    await api.builds.facts({}); // the form reads these first; run reuses them
    const feed = new TerminalFeed({ scrollback: 5000 });
    // A terminal that parses instantly: what is measured is everything before xterm's own parser.
    feed.attach({ write: (_d, cb) => queueMicrotask(() => cb?.()), reset: () => undefined });
    let first = 0;
    let chunks = 0;
    let bytes = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const record = await api.builds.run(
      { context, platforms: ['linux/amd64', 'linux/arm64', 'linux/riscv64'], output: { type: 'cacheonly' } },
      {
        onChunk: (c: BuildChunk) => {
          if (!first && c.terminal) first = performance.now();
          chunks++;
          bytes += c.terminal?.text.length ?? 0;
          return feed.append(c.terminal);
        },
      },
    ).result;
    const t1 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    if (record.status !== 'succeeded') throw new Error(`synthetic build ended ${record.status}: ${record.note ?? ''}`);
    return {
      lines,
      streamMs: Math.round(t1 - first),
      totalMs: Math.round(t1 - t0),
      linesPerSecond: Math.round((lines / (t1 - first)) * 1000),
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      chunks,
      terminalBytes: bytes,
      feed: { ...feed.stats },
      logBytes: record.logBytes,
    };
  } finally {
    await close();
  }
}

/**
 * The core's log path without engine or sockets, in 128 KB pieces like a flooding build's stderr:
 * a terminal that takes `rate` characters per byte of log (virtual time: the same on any machine)
 * acknowledges what it took; the window keeps the tail while behind. CPU time is what counts.
 */
async function logPath(lines: number, logFile: string, rate = 1 / 6) {
  const raw = readFileSync(logFile);
  let end = 0;
  for (let n = 0; n <= lines && end >= 0; n++) end = raw.indexOf(10, end + 1);
  const data = raw.subarray(0, end + 1);
  const platforms = ['linux/amd64', 'linux/arm64', 'linux/riscv64'];
  let budget = 0;
  let sent = 0;
  let acked = 0;
  let sentLines = 0;
  const waiting: Array<() => void> = [];
  const consume = () => {
    const take = Math.min(budget, sent - acked);
    acked += take;
    budget -= take;
    while (waiting.length > 0 && sent - acked < LOG_WINDOW_CHARS) waiting.shift()!();
  };
  const send = (chunk: BuildChunk): Promise<void> => {
    sent += Math.max(1, chunk.terminal?.text.length ?? 0);
    encodeFrame({ t: 'chunk', id: 1, seq: sent, data: chunk });
    for (let i = 2; chunk.terminal && i < chunk.terminal.runs.length; i += 3) sentLines += chunk.terminal.runs[i]!;
    consume();
    return sent - acked < LOG_WINDOW_CHARS ? Promise.resolve() : new Promise((resolve) => waiting.push(resolve));
  };
  const cpu0 = process.cpuUsage();
  const pipeline = new LogPipeline(platforms);
  const watcher = new Watcher(send, { platforms, logFile: '/bench/build.log' });
  for (let at = 0; at < data.length; at += 128 * 1024) {
    const piece = data.subarray(at, Math.min(data.length, at + 128 * 1024));
    pipeline.push(piece);
    const terminal = pipeline.take();
    if (terminal) watcher.push({ id: 'bench', terminal });
    budget += piece.length * rate;
    consume();
    await new Promise((resolve) => setImmediate(resolve));
  }
  pipeline.end(0);
  watcher.push({ id: 'bench', status: 'succeeded' });
  budget = Infinity;
  consume();
  await watcher.drained();
  const cpu = process.cpuUsage(cpu0);
  return { lines, cpuMs: Math.round((cpu.user + cpu.system) / 1000), terminalLinesSent: sentLines, droppedLines: watcher.droppedLines };
}

function runDirect(argv: string[], cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('docker', argv, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.resume(); // read it, as a terminal would
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`direct buildx exited ${code}`))));
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function overhead(rounds: number, context: string, tag: string) {
  const { api, close } = await startCore();
  const input: BuildRequestInput = {
    context,
    platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7', 'linux/riscv64'],
    tags: [tag],
    output: { type: 'push' },
    noCache: true,
  };
  const metaDir = await mkdtemp(join(tmpdir(), 'mas-bench-direct-'));
  const argv = buildArgv(buildRequestInput.parse(input), { progress: 'rawjson', metadataFile: join(metaDir, 'metadata.json') });
  const app: number[] = [];
  const direct: number[] = [];
  let appLines = 0;
  try {
    await api.builds.facts({});
    const viaApp = async () => {
      const feed = new TerminalFeed({ scrollback: 5000 });
      feed.attach({ write: (_d, cb) => queueMicrotask(() => cb?.()), reset: () => undefined });
      const t0 = performance.now();
      const record = await api.builds.run(input, { onChunk: (c) => feed.append(c.terminal) }).result;
      const ms = performance.now() - t0;
      if (record.status !== 'succeeded') throw new Error(`app build ${record.status}: ${record.failure?.message ?? record.note ?? ''}`);
      appLines = feed.stats.linesIn;
      return ms;
    };
    // warm-up of both paths (cache of the base image, QEMU page cache)
    await runDirect(argv, context);
    await viaApp();
    for (let i = 0; i < rounds; i++) {
      if (i % 2 === 0) {
        direct.push(await runDirect(argv, context));
        app.push(await viaApp());
      } else {
        app.push(await viaApp());
        direct.push(await runDirect(argv, context));
      }
    }
  } finally {
    await close();
    await rm(metaDir, { recursive: true, force: true });
  }
  const d = median(direct);
  const a = median(app);
  // Each round ran both back to back: their difference cancels the machine's drift.
  const paired = median(app.map((x, i) => x - direct[i]!));
  return {
    pairedOverheadPercent: Math.round((paired / d) * 1000) / 10,
    rounds,
    directMs: direct.map(Math.round),
    appMs: app.map(Math.round),
    directMedianMs: Math.round(d),
    appMedianMs: Math.round(a),
    overheadPercent: Math.round(((a - d) / d) * 1000) / 10,
    terminalLinesPerBuild: appLines,
  };
}

async function main() {
  if (phase === 'pipeline') {
    const [lines, logFile, fake, context] = args;
    console.log(JSON.stringify(await pipeline(Number(lines), logFile!, fake!, context!)));
  } else if (phase === 'logpath') {
    const [lines, logFile] = args;
    console.log(JSON.stringify(await logPath(Number(lines), logFile!)));
  } else if (phase === 'overhead') {
    const [rounds, context, tag] = args;
    console.log(JSON.stringify(await overhead(Number(rounds), context!, tag!)));
  } else {
    throw new Error(`unknown phase "${phase}"`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error((error as Error).stack ?? String(error));
    process.exit(1);
  },
);
