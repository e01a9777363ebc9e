// Tells a long frame from a descheduled one on a shared machine. Samples, every few ms, how long
// Chromium's frame threads have run and have waited for a CPU (/proc/<pid>/task/<tid>/schedstat:
// nanoseconds on CPU, nanoseconds runnable but waiting, Linux only). A gap between animation
// frames during which the renderer's main thread ran 20 ms and waited 250 ms is the machine's
// doing, not the page's.
import { readdirSync, readFileSync } from 'node:fs';

/** The threads a frame goes through: the page's main thread, its compositor, the GPU process's. */
const FRAME_THREADS = new Set(['CrRendererMain', 'Compositor', 'VizCompositorTh', 'CrGpuMain']);

const read = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/** [user + system CPU ms] of a whole process, from /proc/<pid>/stat. */
export function processCpuMs(pid) {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime in 1/100 s
}

/** Chromium's processes below `rootPid`, by type (`renderer`, `gpu-process`, …; the browser itself is `browser`). */
export function chromiumProcesses(rootPid) {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    if (!stat) continue;
    const ppid = Number(stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(name));
  }
  const out = [];
  const walk = (pid) => {
    // Chromium rewrites its children's titles: the switches may be one space-separated string.
    const type = /(?:^|[\s\0])--type=([\w-]+)/.exec(read(`/proc/${pid}/cmdline`) ?? '')?.[1] ?? (pid === rootPid ? 'browser' : 'other');
    out.push({ pid, type });
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(rootPid);
  return out;
}

/** The Chromium browser process below `parentPid` (Playwright starts it, maybe through a wrapper script). */
export function browserPidOf(parentPid) {
  const parents = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    if (stat) parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[1]));
  }
  const below = (pid) => {
    for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p)) if (p === parentPid) return true;
    return false;
  };
  for (const [pid] of parents) {
    if (!below(pid)) continue;
    const cmd = read(`/proc/${pid}/cmdline`) ?? '';
    const exe = cmd.split(/[\0 ]/)[0]?.split('/').pop() ?? '';
    if (/chrom/i.test(exe) && !/--type=/.test(cmd)) return pid;
  }
  return undefined;
}

/**
 * Frame threads of the given processes: { pid, tid, name }. A process's main thread keeps the
 * process's name (Chromium names only the threads it starts), so a renderer's is found by its tid.
 */
function frameThreads(procs) {
  const out = [];
  for (const { pid, type } of procs) {
    let tids = [];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      const name = type === 'renderer' && Number(tid) === pid ? 'CrRendererMain' : read(`/proc/${pid}/task/${tid}/comm`)?.trim();
      if (name && FRAME_THREADS.has(name)) out.push({ pid, tid: Number(tid), name });
    }
  }
  return out;
}

/**
 * Starts sampling the frame threads of Chromium's renderers and GPU process. `stop()` returns a
 * function that says, for a window of epoch milliseconds, how long each sampled thread ran and
 * waited in it (the renderer's main thread is picked as the busiest CrRendererMain).
 */
// Every 10 ms: reading the files every 4 ms cost the benchmark itself CPU on the two the page shares.
export function startSchedSampler(browserPid, everyMs = 10) {
  const procs = chromiumProcesses(browserPid).filter((p) => p.type === 'renderer' || p.type === 'gpu-process');
  const threads = frameThreads(procs);
  const samples = threads.map(() => []);
  const sample = () => {
    const at = performance.timeOrigin + performance.now();
    threads.forEach((t, i) => {
      const s = read(`/proc/${t.pid}/task/${t.tid}/schedstat`);
      if (!s) return;
      const [run, wait] = s.split(' ').map(Number);
      samples[i].push([at, run / 1e6, wait / 1e6]);
    });
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    available: threads.length > 0,
    stop() {
      clearInterval(timer);
      sample();
      // cumulative [run, wait] of thread i at epoch ms `at`, interpolated between samples
      const at = (i, t) => {
        const s = samples[i];
        if (s.length === 0) return [0, 0];
        let lo = 0;
        let hi = s.length - 1;
        if (t <= s[lo][0]) return [s[lo][1], s[lo][2]];
        if (t >= s[hi][0]) return [s[hi][1], s[hi][2]];
        while (hi - lo > 1) {
          const mid = (lo + hi) >> 1;
          if (s[mid][0] <= t) lo = mid;
          else hi = mid;
        }
        const f = (t - s[lo][0]) / (s[hi][0] - s[lo][0] || 1);
        return [s[lo][1] + f * (s[hi][1] - s[lo][1]), s[lo][2] + f * (s[hi][2] - s[lo][2])];
      };
      const total = (i) => {
        const s = samples[i];
        return s.length ? s[s.length - 1][1] - s[0][1] : 0;
      };
      const mains = threads.map((t, i) => (t.name === 'CrRendererMain' ? i : -1)).filter((i) => i >= 0);
      const main = mains.sort((a, b) => total(b) - total(a))[0];
      return {
        main: main === undefined ? undefined : threads[main],
        /** For [from, to] in epoch ms: the main thread's run and wait ms, and the longest wait of any frame thread. */
        window(from, to) {
          const span = (i) => {
            const a = at(i, from);
            const b = at(i, to);
            return { run: b[0] - a[0], wait: b[1] - a[1] };
          };
          const m = main === undefined ? { run: NaN, wait: NaN } : span(main);
          let worstWait = 0;
          threads.forEach((_, i) => (worstWait = Math.max(worstWait, span(i).wait)));
          return { mainRunMs: m.run, mainWaitMs: m.wait, worstWaitMs: worstWait };
        },
      };
    },
  };
}
