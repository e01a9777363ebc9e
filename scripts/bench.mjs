// `npm run bench`: how the build log path performs, and what the app costs on a real build.
//
//   node scripts/bench.mjs [--lines N] [--rounds R] [--skip-browser] [--skip-overhead] [--skip-integrity]
//                          [--integrity-mb MB] [--only-dockerfile] [--skip-dockerfile] [--json FILE] [--profile FILE] [--node-profile DIR]
//
// 1. log path alone     the core's log path without engine or sockets, in CPU time (repeatable on a
//                       busy machine); then the pipeline in Node, the core's whole path in-process:
//                       buildx (a stand-in streaming a synthetic rawjson log) → parser → formatter →
//                       10 ms batches → rpc frames (JSON both ways, acknowledged) → the TerminalFeed
// 2. end to end         the same log through the real headless server and WebSocket into the real
//                       renderer in Chromium: lines/s, longest stall, JS heap before/after
// 3. real build         a real 4-platform build + push (QEMU, local registry) through the app vs the
//                       same buildx argv run directly, alternating; overhead of medians
// 4. binary check       an image of ~500 MB of incompressible files in five gzip layers, pushed to the
//                       stack registry, checked by the app's code cold (every layer read) and warm
//                       (cache): MB/s of compressed layers, memory growth while scanning
// 5. Dockerfile advice  the analysis on its worst inputs (long lines full of architecture words,
//                       branches, pipelines; a finding per line) at the size cap and at 400 KB;
//                       `--only-dockerfile` runs this part alone (no stack needed)
//
// Needs `npm run build` (done here when dist/ is missing) and, for 2, 3 and 4, the test stack.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'vite';
import { browserBench, writeContext } from './bench/browser-bench.mjs';
import { syntheticLog } from './bench/synthetic-log.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '12' },
    'skip-browser': { type: 'boolean', default: false },
    'skip-overhead': { type: 'boolean', default: false },
    'skip-integrity': { type: 'boolean', default: false },
    'skip-dockerfile': { type: 'boolean', default: false },
    'integrity-mb': { type: 'string', default: '500' },
    /** Only the Dockerfile advice part (needs no Docker stack). */
    'only-dockerfile': { type: 'boolean', default: false },
    json: { type: 'string' },
    /** Write a CPU profile of the renderer during the end-to-end run (Chrome DevTools format). */
    profile: { type: 'string' },
    /** Write CPU profiles of the in-Node parts into this folder (node --cpu-prof). */
    'node-profile': { type: 'string' },
  },
});
const lines = Number(values.lines);
const rounds = Number(values.rounds);

function stackFacts() {
  const file = `${process.env.STACK_DIR ?? '/var/lib/multiarch-studio-stack'}/stack.env`;
  if (!existsSync(file)) return undefined;
  const vars = Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => /^([A-Z0-9_]+)=(.*)$/.exec(l.trim()))
      .filter(Boolean)
      .map((m) => [m[1], m[2]]),
  );
  return vars;
}

async function bundleNodeBench() {
  const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));
  // Inside the project so the bundle resolves its dependencies from node_modules.
  const cache = resolve(root, 'node_modules/.cache');
  mkdirSync(cache, { recursive: true });
  const out = mkdtempSync(join(cache, 'mas-bench-'));
  await build({
    configFile: false,
    logLevel: 'warn',
    define: { __APP_VERSION__: JSON.stringify(pkg.version) },
    build: {
      outDir: out,
      emptyOutDir: true,
      ssr: true,
      target: 'node20',
      minify: false,
      rollupOptions: {
        input: { 'node-bench': resolve(root, 'scripts/bench/node-bench.ts'), 'integrity-bench': resolve(root, 'scripts/bench/integrity-bench.ts'), 'dockerfile-bench': resolve(root, 'scripts/bench/dockerfile-bench.ts') },
        external: ['electron', ...builtinModules, ...builtinModules.map((m) => `node:${m}`), ...Object.keys(pkg.dependencies)],
        output: { format: 'es', entryFileNames: '[name].mjs', chunkFileNames: '[name]-[hash].mjs' },
      },
    },
  });
  return out;
}

function runNode(script, args, env = process.env, nodeFlags = []) {
  return new Promise((resolveRun, reject) => {
    const profile = values['node-profile'] ? ['--cpu-prof', `--cpu-prof-dir=${resolve(values['node-profile'])}`] : [];
    const child = spawn(process.execPath, [...nodeFlags, ...profile, script, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${script} ${args[0]} exited ${code}`));
      const last = out.trim().split('\n').pop();
      resolveRun(JSON.parse(last));
    });
  });
}

/** Removes what the real-build rounds pushed (the registry API needs the digest, asked for with both list types). */
async function deleteFromRegistry(registry, repo, tag) {
  const accept = 'application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json';
  try {
    const head = await fetch(`http://${registry}/v2/${repo}/manifests/${tag}`, { method: 'HEAD', headers: { Accept: accept } });
    const digest = head.headers.get('docker-content-digest');
    if (digest) await fetch(`http://${registry}/v2/${repo}/manifests/${digest}`, { method: 'DELETE' });
  } catch {
    // nothing pushed, or no registry
  }
}

const fmt = (n) => (typeof n === 'number' ? n.toLocaleString('en-US') : String(n));

async function main() {
  const stack = stackFacts();
  const env = stack?.DOCKER_HOST ? { ...process.env, DOCKER_HOST: stack.DOCKER_HOST } : process.env;
  if (!existsSync(resolve(root, 'dist/headless/serve.js')) || !existsSync(resolve(root, 'dist/renderer/index.html'))) {
    console.error('dist/ is missing: running npm run build first');
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  }
  if (values['only-dockerfile']) {
    const bundle = await bundleNodeBench();
    try {
      return report({ date: new Date().toISOString(), dockerfile: await runNode(join(bundle, 'dockerfile-bench.mjs'), ['5']) });
    } finally {
      rmSync(bundle, { recursive: true, force: true });
    }
  }
  const realDocker = execFileSync('sh', ['-c', 'command -v docker'], { encoding: 'utf8' }).trim();
  console.error(`generating a synthetic rawjson log of ${fmt(lines)} lines…`);
  const logFile = await syntheticLog(lines);
  const base = stack?.MAS_TEST_BASE_IMAGE ?? 'busybox:latest';
  const context = writeContext(`FROM ${base}\nRUN make -j8\n`);
  const bundle = await bundleNodeBench();
  const os = await import('node:os');
  const results = { date: new Date().toISOString(), lines, machine: { cpus: os.cpus().length, node: process.version, loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100) } };
  try {
    console.error('1/4 log path alone, then the pipeline in Node…');
    results.logPath = await runNode(join(bundle, 'node-bench.mjs'), ['logpath', String(lines), logFile]);
    const fake = resolve(root, 'scripts/bench/fake-docker.mjs');
    results.pipeline = await runNode(join(bundle, 'node-bench.mjs'), ['pipeline', String(lines), logFile, fake, context], {
      ...env,
      MAS_BENCH_REAL_DOCKER: realDocker,
    });

    if (!values['skip-browser']) {
      console.error('2/4 end to end in Chromium…');
      results.browser = await browserBench({
        root,
        lines,
        logFile,
        realDocker,
        chromiumPath: process.env.CHROMIUM_PATH ?? stack?.MAS_TEST_CHROMIUM ?? '/usr/bin/chromium',
        context,
        profile: values.profile,
      });
    }

    if (!values['skip-overhead']) {
      console.error(`3/4 real build, ${rounds} rounds each way…`);
      const registry = stack?.MAS_TEST_REGISTRY ?? '127.0.0.1:5000';
      const repo = `mas-test-bench-${randomBytes(3).toString('hex')}/app`;
      const real = writeContext(
        `FROM ${base}\nARG TARGETPLATFORM\nRUN m=$(uname -m) && echo "building $TARGETPLATFORM on $m" && for i in $(seq 1 2000); do echo "log line $i on $m"; done && echo "$m" > /arch\nCMD ["cat", "/arch"]\n`,
      );
      try {
        results.overhead = await runNode(join(bundle, 'node-bench.mjs'), ['overhead', String(rounds), real, `${registry}/${repo}:1`], env);
      } finally {
        rmSync(real, { recursive: true, force: true });
        try {
          execFileSync(realDocker, ['image', 'rm', '-f', `${registry}/${repo}:1`], { env, stdio: 'ignore' });
        } catch {
          // not kept locally
        }
        await deleteFromRegistry(registry, repo, '1');
      }
    }

    if (!values['skip-integrity']) {
      console.error(`4/4 binary check of a ${values['integrity-mb']} MB image…`);
      const registry = stack?.MAS_TEST_REGISTRY ?? '127.0.0.1:5000';
      // The same blobs each run (deterministic content): the in-memory registry does not grow run after run.
      results.integrity = await runNode(join(bundle, 'integrity-bench.mjs'), [registry, values['integrity-mb']], env, ['--expose-gc']);
    }

    if (!values['skip-dockerfile']) {
      console.error('and the Dockerfile advice on its worst inputs…');
      results.dockerfile = await runNode(join(bundle, 'dockerfile-bench.mjs'), ['5']);
    }
  } finally {
    rmSync(context, { recursive: true, force: true });
    rmSync(bundle, { recursive: true, force: true });
  }

  report(results);
}

function report(results) {
  const rows = [];
  const l = results.logPath;
  if (l) rows.push([
    'CPU of the core\'s log path alone (parser → terminal text → window tail → JSON frames)',
    `${fmt(l.cpuMs)} ms`,
    'lower',
    `${fmt(lines)} log lines; a terminal taking 1/6 character per log byte was sent ${fmt(l.terminalLinesSent)} terminal lines, ${fmt(l.droppedLines)} left out while it was behind`,
  ]);
  const p = results.pipeline;
  if (p) rows.push([
    'lines/s, pipeline in Node (parser → batches → rpc frames → terminal feed)',
    fmt(p.linesPerSecond),
    '≥ 200,000',
    `${fmt(lines)} log lines in ${fmt(p.streamMs)} ms (${fmt(p.cpuMs)} ms CPU); ${fmt(p.chunks)} chunks carried ${fmt(p.feed.linesIn)} terminal lines, paced by the feed`,
  ]);
  const b = results.browser;
  if (b) {
    rows.push([
      'lines/s, end to end (headless server → WebSocket → Chromium → xterm)',
      fmt(b.linesPerSecond),
      '≥ 200,000',
      `${fmt(lines)} log lines in ${fmt(b.streamMs)} ms (server: ${fmt(b.serverCpuMs)} ms CPU); the core sent ${fmt(b.terminal.linesIn)} terminal lines (the tail of each view when the terminal fell behind), xterm parsed them all`,
    ]);
    rows.push([
      'longest UI stall while streaming (long task)',
      `${b.longestLongTaskMs} ms`,
      '< 100 ms',
      `${b.longTasks} long tasks over both builds; largest gap between frames ${b.maxFrameGapMs} ms over ${fmt(b.frames)} frames`,
    ]);
    if (b.longGaps !== undefined) rows.push([
      'largest gap between frames less the time the page waited for a CPU',
      `${b.maxFrameGapLessWaitMs} ms`,
      '< 100 ms',
      `${b.longGaps} gaps over 100 ms; in one, the page's main thread ran at most ${b.longGapMainRunMs} ms and waited for a CPU at most ${b.longGapMainWaitMs} ms (any frame thread: ${b.longGapWorstThreadWaitMs} ms)`,
    ]);
    rows.push([
      `renderer JS heap: before → after ${fmt(lines)} lines → after ${fmt(lines)} more`,
      `${b.heapBeforeMB} → ${b.heapAfterMB} → ${b.heapAfterSecondMB} MB`,
      'flat',
      `after a forced GC each time; ${fmt(b.domNodes)} DOM nodes; second build ${fmt(b.secondLinesPerSecond)} lines/s`,
    ]);
  }
  const o = results.overhead;
  if (o) {
    rows.push([
      'app overhead on a real 4-platform build + push',
      `${o.pairedOverheadPercent} %`,
      '≤ 3 %',
      `median of per-round differences; medians ${fmt(o.appMedianMs)} ms via the app vs ${fmt(o.directMedianMs)} ms direct (${o.overheadPercent} %), ${o.rounds} rounds each`,
    ]);
  }
  const i = results.integrity;
  if (i) {
    rows.push([
      `binary check of a ${fmt(i.compressedMB)} MB image (${i.layers} gzip layers), cold`,
      `${i.cold.mbPerSecond} MB/s`,
      'indicative',
      `${fmt(i.cold.ms)} ms, ${fmt(i.cold.cpuMs)} ms CPU; ${i.cold.elfFiles} ELF files; ${i.parallelLayers} layers at once; RSS +${i.cold.rssGrowthMB} MB (JS heap + buffers +${i.cold.jsAndBuffersGrowthMB} MB)`,
    ]);
    rows.push([
      'binary check of the same image, layers from the cache',
      `${fmt(i.warm.ms)} ms`,
      'no layer read',
      `${i.warm.layersReused} layers reused, ${i.warm.layersRead} read`,
    ]);
  }
  for (const c of results.dockerfile?.cases ?? []) {
    rows.push([
      `Dockerfile advice, ${c.name}`,
      `${fmt(c.capMs)} ms`,
      'linear',
      `at the ${Math.round(c.capBytes / 1024)} KiB size cap; ${fmt(c.ms400k)} ms at 400 KiB, ${c.growth100kTo400k}x the time at 100 KiB`,
    ]);
  }
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length), ['measure', 'result', 'target', 'detail'][i].length));
  const line = (r) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(['measure', 'result', 'target', 'detail']));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
  if (values.json) writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
  else console.log(`\n${JSON.stringify(results)}`);
}

main().catch((error) => {
  console.error(error.stack ?? String(error));
  process.exit(1);
});
