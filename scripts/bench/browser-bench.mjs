/* global window, document, requestAnimationFrame -- functions passed to page.evaluate run in the page */
// Chromium side of `npm run bench`: the real headless server (dist/headless/serve.js) with the
// fake `docker` first on PATH, the real renderer in Debian's Chromium, a synthetic build of N log
// lines started from the Build page. Measures, in the page: lines/s reaching the terminal feed,
// the longest main-thread stall (long tasks and gaps between animation frames) while streaming,
// and the JS heap before and after (after a forced GC). Outside it: the CPU time the server and
// Chromium's processes used, and for each long gap between frames how long Chromium's frame
// threads ran and how long they waited for a CPU (a shared machine deschedules them).
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from '@playwright/test';
import { browserPidOf, chromiumProcesses, processCpuMs, startSchedSampler } from './sched-sampler.mjs';

function startServe(root, env, dataDir) {
  return new Promise((resolveUrl, reject) => {
    // MAS_BENCH_SERVER_PROFILE=<dir>: a CPU profile of the server, written when it exits.
    const profile = process.env.MAS_BENCH_SERVER_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.MAS_BENCH_SERVER_PROFILE}`] : [];
    const child = spawn(process.execPath, [...profile, resolve(root, 'dist/headless/serve.js'), '--port', '0', '--data-dir', dataDir], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`serve printed no URL in 20 s: ${err}`)), 20_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUrl({ child, url: m[1] });
      }
    });
    child.stderr.on('data', (d) => (err += d));
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

/**
 * Gaps between frames longer than this are counted and explained (ran or waited for a CPU). Frame
 * times come on the display's clock: six frame intervals at 60 Hz measure 100 ms give or take the
 * clock's fraction of a millisecond, and are not over 100 ms.
 */
const GAP_MS = 100.5;

/** CPU ms the server, the page's renderer and the GPU process have used so far (Linux; undefined elsewhere). */
function cpuNow(serverPid, browserPid) {
  const procs = chromiumProcesses(browserPid);
  const sum = (type) => procs.filter((p) => p.type === type).reduce((n, p) => n + (processCpuMs(p.pid) ?? 0), 0);
  return { server: processCpuMs(serverPid), renderer: sum('renderer'), gpu: sum('gpu-process'), chromium: procs.reduce((n, p) => n + (processCpuMs(p.pid) ?? 0), 0) };
}

const diff = (a, b) => Object.fromEntries(Object.keys(b).map((k) => [k, b[k] === undefined || a[k] === undefined ? undefined : b[k] - a[k]]));

/**
 * One synthetic build started from the Build page, watched for stalls from its first line until
 * `settle` (run once the build has succeeded: what else must be on screen) has resolved.
 */
async function oneBuild(page, cdp, profile, pids, settle) {
  const previous = await page.getByTestId('build-run').getAttribute('data-build-id').catch(() => null);
  // Stall watch: long tasks (≥ 50 ms by definition) and the largest gap between animation frames.
  await page.evaluate((gapMs) => {
    const w = window;
    w.__bench = { longTasks: [], maxFrameGap: 0, gaps: [], frames: 0, first: 0, last: 0, running: true };
    w.__benchObserver?.disconnect();
    w.__benchObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__bench.longTasks.push({ start: e.startTime, duration: e.duration });
    });
    w.__benchObserver.observe({ type: 'longtask' });
    let prev = performance.now();
    const bench = w.__bench;
    const tick = (t) => {
      if (!bench.running) return;
      if (bench.first) {
        bench.maxFrameGap = Math.max(bench.maxFrameGap, t - prev);
        bench.frames++;
        // in epoch ms, to be matched with the scheduler's samples
        if (t - prev > gapMs) bench.gaps.push([performance.timeOrigin + prev, performance.timeOrigin + t]);
      }
      prev = t;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }, GAP_MS);
  const sampler = startSchedSampler(pids.browser);
  const cpu0 = cpuNow(pids.server, pids.browser);
  if (profile) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.start');
  }
  await page.getByTestId('build-start').click();
  // The first terminal text of this build starts the clock.
  await page.waitForFunction(
    (prev) => {
      const run = document.querySelector('[data-testid="build-run"]');
      const el = document.querySelector('[data-testid="build-terminal"]');
      const fresh = run && run.dataset.buildId && run.dataset.buildId !== prev;
      if (fresh && el && Number(el.dataset.linesIn ?? 0) > 0 && !window.__bench.first) window.__bench.first = performance.now();
      return Boolean(window.__bench.first);
    },
    previous,
    { polling: 'raf', timeout: 60_000 },
  );
  // The final status travels after the last terminal text on the same stream: all lines are in.
  await page.waitForFunction(
    () => {
      const status = document.querySelector('[data-testid="build-status"]');
      if (status?.dataset.state === 'succeeded' && !window.__bench.last) window.__bench.last = performance.now();
      return Boolean(window.__bench.last);
    },
    undefined,
    { polling: 'raf', timeout: 300_000 },
  );
  const settled = settle ? await settle() : undefined;
  const result = await page.evaluate(async () => {
    const b = window.__bench;
    const box = document.querySelector('[data-testid="build-terminal"]');
    // let the terminal finish what it was handed, still watching for stalls
    await new Promise((r) => setTimeout(r, 500));
    b.running = false;
    return {
      ms: b.last - b.first,
      firstEpoch: performance.timeOrigin + b.first,
      gaps: b.gaps,
      longTasks: b.longTasks.filter((t) => t.start + t.duration >= b.first).map((t) => t.duration),
      longTasksBefore: b.longTasks.filter((t) => t.start + t.duration < b.first).map((t) => t.duration),
      maxFrameGap: b.maxFrameGap,
      frames: b.frames,
      linesIn: Number(box?.dataset.linesIn ?? 0),
      linesWritten: Number(box?.dataset.lines ?? 0),
      linesPending: Number(box?.dataset.linesPending ?? 0),
    };
  });
  const cpu = diff(cpu0, cpuNow(pids.server, pids.browser));
  const sched = sampler.stop();
  if (profile) writeFileSync(profile, JSON.stringify((await cdp.send('Profiler.stop')).profile));
  // Each long gap: where it began (ms after the first line), how long the page's main thread ran in it, and waited for a CPU.
  const gaps = sampler.available ? result.gaps.map(([from, to]) => ({ ms: to - from, atMs: from - result.firstEpoch, ...sched.window(from, to) })) : [];
  return { ...result, gaps, cpu, settled };
}

/** The page's own work in the gaps between frames: [gaps over GAP_MS, the figures that explain them]. */
function gapFigures(runs) {
  const gaps = runs.flatMap((r) => r.gaps);
  const worst = (key) => Math.round(Math.max(0, ...gaps.map((g) => g[key])));
  return {
    longestLongTaskMs: Math.round(Math.max(0, ...runs.flatMap((r) => r.longTasks))),
    longTasks: runs.reduce((n, r) => n + r.longTasks.length, 0),
    maxFrameGapMs: Math.round(Math.max(...runs.map((r) => r.maxFrameGap))),
    frames: runs.reduce((n, r) => n + r.frames, 0),
    // Gaps over GAP_MS: how many, the most the page's main thread ran in one (its own work), the
    // most it waited for a CPU in one, and the largest gap less that wait.
    longGaps: gaps.length,
    longGapMainRunMs: worst('mainRunMs'),
    longGapMainWaitMs: worst('mainWaitMs'),
    longGapWorstThreadWaitMs: worst('worstWaitMs'),
    maxFrameGapLessWaitMs: Math.round(Math.max(0, ...gaps.map((g) => g.ms - g.mainWaitMs))),
    longGapsAtMs: gaps.map((g) => Math.round(g.atMs)),
  };
}

/**
 * The timeline build: `steps` RUN steps over the platforms streaming their logs, the Build page's
 * waterfall following live, then the stored timeline drawn once the build has ended; watched for
 * stalls from the first line until every step has its bar.
 */
async function timelineBuild(page, cdp, pids, { steps, lines }, profile) {
  const run = await oneBuild(page, cdp, profile, pids, async () => {
    const t0 = Date.now();
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid="timeline-panel"]')?.dataset.source === 'stored' && document.querySelectorAll('[data-testid="waterfall-bar"]').length === n,
      steps,
      { polling: 'raf', timeout: 120_000 },
    );
    return { storedDrawnMs: Date.now() - t0 };
  });
  return {
    steps,
    lanes: await page.locator('[data-testid^="waterfall-linux/"]').count(),
    bars: await page.getByTestId('waterfall-bar').count(),
    lines,
    linesPerSecond: Math.round((lines / run.ms) * 1000),
    streamMs: Math.round(run.ms),
    cpuMs: run.cpu,
    storedDrawnMs: run.settled.storedDrawnMs,
    ...gapFigures([run]),
  };
}

/**
 * Ticks a box or radio of the form. Once in a run of many (under the bench's load) a click was seen
 * not to take; the form is clicked again rather than the measurement lost, and that is said.
 */
async function tick(locator) {
  for (let attempt = 1; ; attempt++) {
    try {
      await locator.check({ timeout: 10_000 });
      return;
    } catch (error) {
      if (attempt === 3 || !/did not change its state/.test(String(error))) throw error;
      console.error(`bench: ${await locator.getAttribute('data-testid')} did not take click ${attempt}; clicking again`);
    }
  }
}

/**
 * `timeline` ({ logFile, steps, lines }, optional): after the two log builds, a build of that many steps
 * whose waterfall is watched (see timelineBuild).
 */
export async function browserBench({ root, lines, logFile, realDocker, chromiumPath, context, profile, timeline }) {
  const bin = mkdtempSync(join(tmpdir(), 'mas-bench-bin-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'mas-bench-data-'));
  copyFileSync(resolve(root, 'scripts/bench/fake-docker.sh'), join(bin, 'docker'));
  chmodSync(join(bin, 'docker'), 0o755);
  // The fake docker streams whatever this link points to: the next build's log is set by moving it.
  const log = join(bin, 'build.log');
  symlinkSync(logFile, log);
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, MAS_BENCH_LOG: log, MAS_BENCH_REAL_DOCKER: realDocker };
  const { child, url } = await startServe(root, env, dataDir);
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-renderer-backgrounding', '--disable-background-timer-throttling'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const cdp = await page.context().newCDPSession(page);
    await page.goto(url);
    await page.getByTestId('nav-build').click();
    await page.getByTestId('platform-linux/amd64').waitFor();
    await page.getByTestId('build-context').fill(context);
    await page.getByTestId('build-context-state').and(page.locator('[data-state="ok"]')).waitFor();
    for (const p of ['linux/arm64', 'linux/riscv64']) await tick(page.getByTestId(`platform-${p}`));
    await tick(page.getByTestId('output-cacheonly'));

    const heap = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      return Math.round(((await cdp.send('Runtime.getHeapUsage')).usedSize / 1048576) * 10) / 10;
    };
    const heapBefore = await heap();
    const pids = { server: child.pid, browser: browserPidOf(process.pid) };
    const first = await oneBuild(page, cdp, profile, pids);
    const heapAfter = await heap();
    // The same again: the heap after a second 1M lines shows whether it grows with the log.
    const second = await oneBuild(page, cdp, undefined, pids);
    const heapAfterSecond = await heap();
    const domNodes = await page.evaluate(() => document.getElementsByTagName('*').length);
    let timelineRun;
    if (timeline) {
      rmSync(log);
      symlinkSync(timeline.logFile, log);
      if (process.env.MAS_BENCH_TRACE) await browser.startTracing(page, { path: process.env.MAS_BENCH_TRACE, categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8'] });
      timelineRun = await timelineBuild(page, cdp, pids, timeline, profile && profile.replace(/(\.cpuprofile)?$/, '.timeline.cpuprofile'));
      if (process.env.MAS_BENCH_TRACE) writeFileSync(process.env.MAS_BENCH_TRACE, await browser.stopTracing());
    }
    const runs = [first, second];
    const perBuild = (r) => ({
      linesPerSecond: Math.round((lines / r.ms) * 1000),
      streamMs: Math.round(r.ms),
      cpuMs: r.cpu,
      maxFrameGapMs: Math.round(r.maxFrameGap),
      longestLongTaskMs: Math.round(Math.max(0, ...r.longTasks)),
      terminal: { linesIn: r.linesIn, written: r.linesWritten, pending: r.linesPending },
    });
    return {
      lines,
      streamMs: Math.round(first.ms),
      linesPerSecond: Math.round((lines / first.ms) * 1000),
      serverCpuMs: first.cpu.server,
      secondLinesPerSecond: Math.round((lines / second.ms) * 1000),
      builds: runs.map(perBuild),
      longestBeforeStreamingMs: Math.round(Math.max(0, ...runs.flatMap((r) => r.longTasksBefore))),
      ...gapFigures(runs),
      terminal: { linesIn: first.linesIn, written: first.linesWritten, pending: first.linesPending },
      heapBeforeMB: heapBefore,
      heapAfterMB: heapAfter,
      heapAfterSecondMB: heapAfterSecond,
      domNodes,
      timeline: timelineRun,
    };
  } finally {
    await browser.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(bin, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function writeContext(dockerfile) {
  const dir = mkdtempSync(join(tmpdir(), 'mas-bench-ctx-'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  return dir;
}
