import { parse } from 'yaml';
import { normalizePlatform } from '../platform';
import { isPinnedAction, PINNED_ACTIONS } from './actions';
import { parseAttributes } from './csv';
import { emulatedOn, type RunnerArch, type RunnerLabels } from './runners';

/**
 * The project's own checks of an exported workflow, read back from its YAML text (not from the
 * generator's data): every action is pinned and allowed, each QEMU step sets up exactly the
 * platforms its runner cannot run natively, each platform job has its own cache scope, and the
 * merge job waits for every platform job.
 */

interface ParsedStep {
  uses?: string;
  with?: Record<string, unknown>;
}
interface ParsedJob {
  'runs-on'?: unknown;
  needs?: unknown;
  steps?: ParsedStep[];
}

const split = (v: unknown, by: RegExp): string[] => (typeof v === 'string' ? v.split(by).map((s) => s.trim()).filter(Boolean) : []);
/** A list input: one item per line, or comma-separated. */
const list = (v: unknown) => split(v, /[\n,]/);
/** A list of CSV entries (caches): one per line. */
const lines = (v: unknown) => split(v, /\n/);
const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

function archOf(label: unknown, runners: RunnerLabels): RunnerArch | undefined {
  if (label === runners.amd64) return 'amd64';
  if (runners.arm64 && label === runners.arm64) return 'arm64';
  return undefined;
}

/** Problems found, in words; empty when the workflow passes. `platforms`: what the bake file builds (bake-action steps). */
export function checkWorkflow(text: string, runners: RunnerLabels, platforms: readonly string[]): string[] {
  const problems: string[] = [];
  const doc = parse(text) as { jobs?: Record<string, ParsedJob> } | null;
  const jobs = Object.entries(doc?.jobs ?? {});
  if (jobs.length === 0) return ['The workflow has no jobs.'];
  const scopes = new Map<string, string>();
  const buildJobs: string[] = [];
  let mergeJob: [string, ParsedJob] | undefined;

  for (const [id, job] of jobs) {
    const steps = job.steps ?? [];
    for (const step of steps) {
      if (step.uses !== undefined && !isPinnedAction(step.uses)) problems.push(`${id}: ${step.uses} is not one of the pinned actions (${Object.values(PINNED_ACTIONS).join(', ')}).`);
    }
    const build = steps.find((s) => s.uses === PINNED_ACTIONS.buildPush || s.uses === PINNED_ACTIONS.bake);
    if (!build) {
      if (steps.some((s) => /imagetools create/.test(String((s as { run?: unknown }).run ?? '')))) mergeJob = [id, job];
      continue;
    }
    buildJobs.push(id);
    const arch = archOf(job['runs-on'], runners);
    if (!arch) {
      problems.push(`${id}: runs on "${String(job['runs-on'])}", which is not one of the chosen runners.`);
      continue;
    }
    const built = (build.uses === PINNED_ACTIONS.bake ? [...platforms] : list(build.with?.platforms)).map(normalizePlatform);
    const wanted = emulatedOn(arch, built);
    const qemuSteps = steps.filter((s) => s.uses === PINNED_ACTIONS.setupQemu);
    const set = qemuSteps.flatMap((s) => list(s.with?.platforms)).map(normalizePlatform);
    if (qemuSteps.length > 1) problems.push(`${id}: ${qemuSteps.length} QEMU steps; one is enough.`);
    if (!sameSet(set, wanted)) {
      problems.push(`${id}: QEMU is set up for [${set.join(', ')}] but the ${arch} runner needs it for exactly [${wanted.join(', ')}].`);
    }
    const cache = [...lines(build.with?.['cache-from']), ...lines(build.with?.['cache-to'])].map((c) => parseAttributes(c) ?? {});
    const ghaScopes = [...new Set(cache.filter((c) => c.type === 'gha').map((c) => c.scope ?? ''))];
    if (built.length === 1 && jobs.length > 1) {
      if (ghaScopes.length !== 1 || !ghaScopes[0]) problems.push(`${id}: a platform job needs one cache scope of its own (type=gha,scope=…), it has [${ghaScopes.join(', ')}].`);
      else if (scopes.has(ghaScopes[0])) problems.push(`${id}: cache scope "${ghaScopes[0]}" is also used by ${scopes.get(ghaScopes[0])}; parallel jobs would overwrite each other's cache.`);
      else scopes.set(ghaScopes[0], id);
    }
  }

  if (buildJobs.length > 1) {
    if (!mergeJob) problems.push('Several platform jobs but no merge job running `docker buildx imagetools create`.');
    else {
      const needs = Array.isArray(mergeJob[1].needs) ? mergeJob[1].needs.map(String) : typeof mergeJob[1].needs === 'string' ? [mergeJob[1].needs] : [];
      const missing = buildJobs.filter((j) => !needs.includes(j));
      if (missing.length) problems.push(`${mergeJob[0]}: does not wait for ${missing.join(', ')} (needs: [${needs.join(', ')}]).`);
    }
  }
  return problems;
}
