import { readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { LeftoverBuild } from '../../../shared/contract/builds';
import type { BuildProgressSnapshot } from '../../../shared/domain/build-progress';
import { writeJsonAtomic } from '../store/json-file';

/**
 * Processes the app's own builds left running: found again after the app or the engine came back,
 * and stopped only on the user's word. What counts as the app's is written down in each build's
 * folder when it starts, never guessed from names:
 * - `cli`: the process session the app started the build's `docker buildx build` in (its pid,
 *   start time and the boot it ran in), e.g. when the app was killed and buildx went on building;
 * - `run-step`: when a build lost its engine, the RUN steps that were running then (their exact
 *   commands): BuildKit's step processes that outlive the engine (orphaned, PPID 1, in a container's
 *   mount namespace, started after the build began, running exactly that command) are that
 *   build's leftovers.
 * Linux only (it reads /proc); elsewhere nothing is found.
 */

export const PROCESS_FILE = 'process.json';

const processNote = z.object({
  /** Leader of the session the build's docker CLI ran in (spawned detached: session id = pid). */
  pid: z.number().int().positive(),
  /** Its start time in clock ticks after boot (/proc/<pid>/stat field 22): a reused pid starts later. */
  startTicks: z.number().int().nonnegative(),
  bootId: z.string(),
  /** Shell commands (`sh -c` argument) of RUN steps running when the build lost its engine. */
  runningSteps: z.array(z.string()).optional(),
  /** Clock ticks after boot when the build ended (a step started later is not this build's). */
  endTicks: z.number().int().nonnegative().optional(),
});
type ProcessNote = z.infer<typeof processNote>;

interface ProcInfo {
  pid: number;
  ppid: number;
  session: number;
  startTicks: number;
  argv: string[];
  mountNs: string | undefined;
}

const isLinux = process.platform === 'linux';

/**
 * Clock ticks since boot now. /proc reports start times in USER_HZ, which is 100 on every Linux
 * architecture Docker runs on; one second of margin covers the rounding.
 */
async function ticksNow(): Promise<number> {
  const uptime = Number((await readFile('/proc/uptime', 'utf8').catch(() => '0')).split(' ')[0]);
  return Math.ceil(uptime * 100) + 100;
}

async function bootId(): Promise<string> {
  return (await readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => '')).trim();
}

async function statOf(pid: number): Promise<Omit<ProcInfo, 'argv' | 'mountNs'> | undefined> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!text) return undefined;
  // Fields after the command name, which may itself hold spaces and parentheses.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // A zombie has ended; only its parent's wait is missing.
  if (rest[0] === 'Z' || rest[0] === 'X') return undefined;
  const ppid = Number(rest[1]);
  const session = Number(rest[3]);
  const startTicks = Number(rest[19]);
  if (![ppid, session, startTicks].every(Number.isFinite)) return undefined;
  return { pid, ppid, session, startTicks };
}

async function processes(): Promise<ProcInfo[]> {
  const out: ProcInfo[] = [];
  for (const name of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    const stat = await statOf(pid);
    if (!stat) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    const mountNs = await readlink(`/proc/${pid}/ns/mnt`).catch(() => undefined);
    out.push({ ...stat, argv: cmdline.split('\0').filter((a, i, all) => a !== '' || i < all.length - 1), mountNs });
  }
  return out;
}

/** Writes down the session a build's docker CLI runs in (best effort: a build runs even if this fails). */
export async function noteSpawn(buildDir: string, pid: number): Promise<void> {
  if (!isLinux) return;
  const stat = await statOf(pid);
  if (!stat) return;
  const note: ProcessNote = { pid, startTicks: stat.startTicks, bootId: await bootId() };
  await writeJsonAtomic(join(buildDir, PROCESS_FILE), note).catch(() => undefined);
}

/** Adds the RUN steps running when a build lost its engine. */
export async function noteRunningSteps(buildDir: string, steps: readonly string[]): Promise<void> {
  if (!isLinux || steps.length === 0) return;
  const note = await readNote(buildDir);
  if (note) await writeJsonAtomic(join(buildDir, PROCESS_FILE), { ...note, runningSteps: [...steps], endTicks: await ticksNow() }).catch(() => undefined);
}

async function readNote(buildDir: string): Promise<ProcessNote | undefined> {
  const text = await readFile(join(buildDir, PROCESS_FILE), 'utf8').catch(() => undefined);
  if (!text) return undefined;
  try {
    const parsed = processNote.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The command a RUN step's process runs, from its step name: `RUN --network=none echo hi` →
 * `echo hi` (run as `sh -c "echo hi"`); an exec form `RUN ["a", "b"]` → its argv joined.
 */
export function runStepCommand(stepName: string): string | undefined {
  const m = /^(?:\[[^\]]*\]\s+)?RUN\s+(.*)$/s.exec(stepName.trim());
  if (!m) return undefined;
  let rest = m[1]!;
  while (/^--\S+\s+/.test(rest)) rest = rest.replace(/^--\S+\s+/, '');
  if (rest.startsWith('[')) {
    try {
      const argv: unknown = JSON.parse(rest);
      if (Array.isArray(argv) && argv.every((a) => typeof a === 'string')) return `\0${argv.join('\0')}`;
    } catch {
      // not JSON: a shell form that starts with "["
    }
  }
  return rest.trim() || undefined;
}

/** Does a process run this step command (`sh -c <command>`, through QEMU or not, or the exec form's argv)? */
function runsStep(argv: readonly string[], command: string): boolean {
  if (command.startsWith('\0')) return argv.join('\0').endsWith(command);
  return argv.length >= 2 && argv[argv.length - 2] === '-c' && argv[argv.length - 1] === command;
}

/** The leftovers of builds no longer running, newest build first. */
export async function findLeftovers(builds: ReadonlyArray<{ id: string; dir: string }>, isLive: (id: string) => boolean): Promise<LeftoverBuild[]> {
  // A session id is not given to a new process while any member of the old session lives; once all
  // are gone it may be. So a member counts as the build's when the session's leader is still the
  // very process the app started, or when its command line names the build's own folder.
  if (!isLinux) return [];
  const notes = (await Promise.all(builds.filter((b) => !isLive(b.id)).map(async (b) => ({ ...b, note: await readNote(b.dir) })))).filter(
    (b): b is typeof b & { note: ProcessNote } => b.note !== undefined,
  );
  if (notes.length === 0) return [];
  const boot = await bootId();
  const all = await processes();
  const ownNs = await readlink('/proc/self/ns/mnt').catch(() => undefined);
  const found: LeftoverBuild[] = [];
  for (const { id, dir, note } of notes) {
    if (note.bootId !== boot) continue;
    const leader = all.find((p) => p.pid === note.pid);
    const sameSession = leader?.startTicks === note.startTicks;
    const mine: Array<{ pid: number; kind: 'cli' | 'run-step'; argv: string[] }> = all
      .filter((p) => p.session === note.pid && p.startTicks >= note.startTicks && (sameSession || p.argv.some((a) => a.includes(dir))))
      .map((p) => ({ pid: p.pid, kind: 'cli', argv: p.argv }));
    for (const command of note.runningSteps ?? []) {
      const leaders = all.filter(
        (p) =>
          p.pid === p.session &&
          p.ppid === 1 &&
          p.startTicks >= note.startTicks &&
          p.startTicks <= (note.endTicks ?? Infinity) &&
          p.mountNs !== undefined &&
          p.mountNs !== ownNs &&
          runsStep(p.argv, command),
      );
      for (const leader of leaders) {
        for (const p of all) if (p.session === leader.session) mine.push({ pid: p.pid, kind: 'run-step', argv: p.argv });
      }
    }
    if (mine.length > 0) {
      found.push({
        id,
        processes: mine.map((p) => ({ pid: p.pid, kind: p.kind, command: p.argv.join(' ').slice(0, 300) })),
      });
    }
  }
  return found;
}

/** Stops one build's leftovers, found again now (a pid that is no longer the same process is left alone). */
export async function stopLeftovers(build: { id: string; dir: string }, isLive: (id: string) => boolean): Promise<{ stopped: number }> {
  const [leftover] = await findLeftovers([build], isLive);
  if (!leftover) return { stopped: 0 };
  for (const p of leftover.processes) signal(p.pid, 'SIGTERM');
  // What ignores SIGTERM (a shell waiting on its child under QEMU) gets SIGKILL once the rest had
  // its chance; the answer comes when they are gone.
  for (let waited = 0; waited < 5000; waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const [still] = await findLeftovers([build], isLive);
    if (!still) return { stopped: leftover.processes.length };
    if (waited === 1000) for (const p of still.processes) signal(p.pid, 'SIGKILL');
  }
  const [left] = await findLeftovers([build], isLive);
  return { stopped: leftover.processes.length - (left?.processes.length ?? 0) };
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone already
  }
}

/** The commands of RUN steps running at the moment (for leftovers, should the engine be gone). */
export function runningStepCommands(snap: BuildProgressSnapshot): string[] {
  const names = [...snap.shared, ...snap.lanes.flatMap((l) => l.steps)].filter((st) => st.status === 'running').map((st) => st.name);
  return [...new Set(names.map(runStepCommand).filter((c): c is string => c !== undefined))];
}

/**
 * After a cancel, makes sure nothing of the build is left: any process whose command line still
 * names this build's metadata file (the docker CLI or its buildx plugin, should one outlive the
 * group kill) is killed. Linux only (reads /proc); elsewhere the process-group kill has to do.
 */
export async function sweepLeftovers(marker: string): Promise<number> {
  if (process.platform !== 'linux') return 0;
  let killed = 0;
  const pids = await readdir('/proc').catch(() => [] as string[]);
  for (const pid of pids) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (!cmdline.includes(marker)) continue;
    // Only docker / buildx processes: the marker could appear in an unrelated command line.
    const exe = await readlink(`/proc/${pid}/exe`).catch(() => '');
    if (!/docker/.test(exe) && !/docker/.test(cmdline.split('\0')[0] ?? '')) continue;
    try {
      process.kill(Number(pid), 'SIGKILL');
      killed++;
    } catch {
      // gone already
    }
  }
  return killed;
}
