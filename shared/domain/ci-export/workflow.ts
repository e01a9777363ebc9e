import { Document, isMap, isScalar, isSeq, type Node } from 'yaml';
import type { BuildRequest } from '../build-request/request';
import { PINNED_ACTIONS } from './actions';
import { BAKE_FILE, BAKE_TARGET, refusedArgs, type ExportNote } from './bake';
import { cacheAttributes } from './csv';
import { repoPath } from './paths';
import { loginFor, registriesOf, repositoryOf, type RegistryLogin } from './registries';
import { emulatedOn, platformSlug, runnerFor, type RunnerLabels } from './runners';
import { argsEnv, commonInputs, dispatchInputs, INPUT_COMMENTS, NOT_PR, portableCaches, PUSH_UNLESS_PR, workflowArgs } from './workflow-inputs';

/**
 * A GitHub Actions workflow that builds what the app built, in one of two shapes: one job
 * (QEMU for the platforms the runner does not run natively), or one job per platform on a
 * native runner where there is one, each pushing by digest with its own cache scope, and a
 * merge job that makes the index. Emitted with a YAML library, comments included.
 */

export type WorkflowShape = 'single' | 'per-platform';

export interface WorkflowOptions {
  shape: WorkflowShape;
  /** The single job builds with docker/build-push-action, or with docker/bake-action and the exported bake file. */
  tool: 'build-push' | 'bake';
  /** The workflow's file name without `.yml`. */
  name: string;
  /** The context folder's path inside the repository ("." for its root). */
  contextInRepo: string;
  defaultBranch: string;
  runners: RunnerLabels;
}

export interface Step {
  name: string;
  id?: string;
  if?: string;
  uses?: string;
  with?: Record<string, string | boolean | number>;
  run?: string;
  'working-directory'?: string;
  env?: Record<string, string>;
}

export interface Job {
  name: string;
  'runs-on': string;
  needs?: string[];
  if?: string;
  steps: Step[];
}

/** What the project's own checks read back from the generated workflow. */
export interface WorkflowPlan {
  shape: WorkflowShape;
  /** Job id → the platforms it builds and the ones its QEMU step must set up. */
  builds: Record<string, { platforms: string[]; emulated: string[]; cacheScope?: string }>;
  merge?: string;
}

export interface GeneratedWorkflow {
  fileName: string;
  text: string;
  notes: ExportNote[];
  plan: WorkflowPlan;
}

const STEP_COMMENTS = {
  qemu: (platforms: string[]) => `The runner runs ${platforms.length > 1 ? 'these platforms' : 'this platform'} only through QEMU: ${platforms.join(', ')}.`,
} as const;

const checkout = (): Step => ({ name: 'Check out the repository', uses: PINNED_ACTIONS.checkout });
const buildx = (): Step => ({ name: 'Set up Docker Buildx', uses: PINNED_ACTIONS.setupBuildx });
const qemu = (platforms: string[]): Step => ({ name: 'Set up QEMU', uses: PINNED_ACTIONS.setupQemu, with: { platforms: platforms.join(',') } });

function loginSteps(logins: readonly RegistryLogin[]): Step[] {
  return logins
    .filter((l) => !l.loopback)
    .map((l) => ({
      name: `Log in to ${l.host}`,
      if: NOT_PR,
      uses: PINNED_ACTIONS.login,
      with: { ...(l.registry ? { registry: l.registry } : {}), username: l.username, password: l.password },
    }));
}

function registryNotes(logins: readonly RegistryLogin[]): ExportNote[] {
  const notes: ExportNote[] = [];
  for (const l of logins) {
    if (l.loopback) {
      notes.push({ field: 'tags', severity: 'warning', message: `${l.host} is a registry on this computer's loopback address: a CI runner cannot reach it, so pushing there from CI fails. Tag the image for a registry the runner can reach (e.g. ghcr.io/<owner>/<name>).` });
    } else if (l.needs.length) {
      notes.push({ field: 'tags', severity: 'info', message: `To log in to ${l.host}, create the repository ${l.needs.join(' and ')} (Settings → Secrets and variables → Actions).` });
    }
  }
  return notes;
}

/** Cache inputs: the GitHub Actions cache (scoped per platform job when given) plus the form's portable caches. */
function cacheInputs(request: BuildRequest, scope: string | undefined): Record<string, string> {
  const gha = scope ? `type=gha,scope=${scope}` : 'type=gha';
  const from = [gha, ...portableCaches(request.cacheFrom)];
  // Parallel platform jobs writing one registry cache ref would overwrite each other: they write their own gha scope only.
  const to = [`${gha},mode=max`, ...(scope ? [] : portableCaches(request.cacheTo).filter((c) => cacheAttributes(c)?.type !== 'gha'))];
  return { 'cache-from': [...new Set(from)].join('\n'), 'cache-to': [...new Set(to)].join('\n') };
}

function outputInputs(request: BuildRequest): { with: Record<string, string | boolean>; upload?: Step } {
  const out = request.output;
  switch (out.type) {
    case 'push':
      return { with: { push: PUSH_UNLESS_PR } };
    case 'load':
      return { with: { load: true } };
    case 'cacheonly':
      return { with: { outputs: 'type=cacheonly' } };
    case 'oci':
    case 'local': {
      const dest = out.type === 'oci' ? '${{ runner.temp }}/image.tar' : '${{ runner.temp }}/image-files';
      return {
        with: { outputs: `type=${out.type},dest=${dest}` },
        upload: { name: 'Keep the result as an artifact', uses: PINNED_ACTIONS.uploadArtifact, with: { name: out.type === 'oci' ? 'image-oci' : 'image-files', path: dest, 'if-no-files-found': 'error' } },
      };
    }
  }
}

function singleJob(request: BuildRequest, options: WorkflowOptions, root: string, args: ReturnType<typeof workflowArgs>['args'], logins: RegistryLogin[]) {
  const emulated = emulatedOn('amd64', request.platforms);
  const steps: Step[] = [checkout()];
  if (emulated.length) steps.push(qemu(emulated));
  steps.push(buildx(), ...loginSteps(logins));
  const notes: ExportNote[] = [];
  const output = outputInputs(request);
  if (options.tool === 'bake') {
    // The committed bake file is the build definition; only what CI does differently is set here.
    const set = [...cacheSetLines(request), ...args.map((a) => `${BAKE_TARGET}.args.${a.key}=\${{ env.${a.key} }}`)];
    if (request.output.type === 'push') set.push(`\${{ github.event_name == 'pull_request' && '${BAKE_TARGET}.output=type=cacheonly' || '' }}`);
    else if (request.output.type === 'oci' || request.output.type === 'local') set.push(`${BAKE_TARGET}.output=${String(output.with.outputs)}`);
    steps.push({ name: 'Build and push with the bake file', uses: PINNED_ACTIONS.bake, with: { source: root, files: BAKE_FILE, targets: BAKE_TARGET, ...(set.length ? { set: set.join('\n') } : {}) } });
  } else {
    const common = commonInputs(request, root, args);
    notes.push(...common.notes);
    steps.push({
      name: request.output.type === 'push' ? 'Build and push' : 'Build',
      uses: PINNED_ACTIONS.buildPush,
      with: { ...common.with, platforms: request.platforms.join(','), ...(request.tags.length ? { tags: request.tags.join('\n') } : {}), ...cacheInputs(request, undefined), ...output.with },
    });
  }
  if (output.upload) steps.push(output.upload);
  const job: Job = { name: `Build ${request.platforms.join(', ')}`, 'runs-on': options.runners.amd64, steps };
  const plan: WorkflowPlan = { shape: 'single', builds: { build: { platforms: [...request.platforms], emulated } } };
  return { jobs: { build: job }, plan, notes };
}

/** The bake-action `set:` lines for CI caches, one line per entry (bake appends repeated keys); a folder cache stays on the desktop. */
function cacheSetLines(request: BuildRequest): string[] {
  const c = cacheInputs(request, undefined);
  return (['cache-from', 'cache-to'] as const).flatMap((key) => c[key]!.split('\n').map((v) => `${BAKE_TARGET}.${key}=${v}`));
}

function perPlatformJobs(request: BuildRequest, options: WorkflowOptions, root: string, args: ReturnType<typeof workflowArgs>['args'], logins: RegistryLogin[]) {
  const notes: ExportNote[] = [];
  const common = commonInputs(request, root, args);
  notes.push(...common.notes);
  const name = repositoryOf(request.tags[0]!);
  const jobs: Record<string, Job> = {};
  const plan: WorkflowPlan = { shape: 'per-platform', builds: {}, merge: 'merge' };
  for (const platform of request.platforms) {
    const slug = platformSlug(platform);
    const runner = runnerFor(platform, options.runners);
    const emulated = emulatedOn(runner.arch, [platform]);
    const steps: Step[] = [checkout()];
    if (emulated.length) steps.push(qemu(emulated));
    steps.push(buildx(), ...loginSteps(logins));
    steps.push({
      name: `Build ${platform} and push it by digest`,
      id: 'build',
      uses: PINNED_ACTIONS.buildPush,
      with: {
        ...common.with,
        platforms: platform,
        ...cacheInputs(request, slug),
        outputs: `type=image,"name=${name}",push-by-digest=true,name-canonical=true,push=${PUSH_UNLESS_PR}`,
      },
    });
    steps.push(
      { name: 'Export the digest', if: NOT_PR, run: 'mkdir -p "${{ runner.temp }}/digests"\ndigest="${{ steps.build.outputs.digest }}"\ntouch "${{ runner.temp }}/digests/${digest#sha256:}"\n' },
      { name: 'Upload the digest', if: NOT_PR, uses: PINNED_ACTIONS.uploadArtifact, with: { name: `digests-${slug}`, path: '${{ runner.temp }}/digests/*', 'if-no-files-found': 'error', 'retention-days': 1 } },
    );
    const id = `build-${slug}`;
    jobs[id] = { name: `Build ${platform}${emulated.length ? ' (QEMU)' : ''}`, 'runs-on': runner.label, steps };
    plan.builds[id] = { platforms: [platform], emulated, cacheScope: slug };
  }
  const tagFlags = request.tags.map((t) => `-t '${t}'`).join(' ');
  jobs.merge = {
    name: 'Merge the platforms into one index',
    'runs-on': options.runners.amd64,
    needs: Object.keys(plan.builds),
    if: NOT_PR,
    steps: [
      { name: 'Download the digests', uses: PINNED_ACTIONS.downloadArtifact, with: { path: '${{ runner.temp }}/digests', pattern: 'digests-*', 'merge-multiple': true } },
      ...loginSteps(logins),
      buildx(),
      { name: 'Create the index under every tag', 'working-directory': '${{ runner.temp }}/digests', run: `docker buildx imagetools create ${tagFlags} $(printf '${name}@sha256:%s ' *)\n` },
      { name: 'Inspect the index', run: `docker buildx imagetools inspect '${request.tags[0]}'\n` },
    ],
  };
  return { jobs, plan, notes };
}

export function workflowFor(request: BuildRequest, options: WorkflowOptions): GeneratedWorkflow {
  const root = repoPath(options.contextInRepo);
  const refusedNotes = refusedArgs(request);
  const { args, notes: argNotes } = workflowArgs(request, new Set(refusedNotes.map((n) => n.item ?? '')));
  const logins = request.output.type === 'push' ? registriesOf(request).map(loginFor) : [];
  const notes: ExportNote[] = [...refusedNotes, ...argNotes, ...registryNotes(logins)];
  let shape = options.shape;
  if (shape === 'per-platform' && (request.output.type !== 'push' || request.tags.length === 0)) {
    notes.push({ field: 'output', severity: 'refused', message: 'One job per platform pushes each platform by digest and merges them in the registry: it needs "Push to registry" and a tag. Exported as a single job instead.' });
    shape = 'single';
  }
  const built = shape === 'single' ? singleJob(request, { ...options, shape }, root, args, logins) : perPlatformJobs(request, options, root, args, logins);
  notes.push(...built.notes);

  const workflow: Record<string, unknown> = {
    name: `Build ${request.tags[0] ? repositoryOf(request.tags[0]) : 'the image'}`,
    on: {
      push: { branches: [options.defaultBranch], tags: ['v*'] },
      pull_request: { branches: [options.defaultBranch] },
      workflow_dispatch: args.length ? { inputs: dispatchInputs(args) } : {},
    },
    permissions: { contents: 'read', ...(logins.some((l) => l.github) ? { packages: 'write' } : {}) },
    ...(args.length ? { env: argsEnv(args) } : {}),
    jobs: built.jobs,
  };
  const doc = new Document(workflow);
  doc.commentBefore = [
    ` Written by Multiarch Studio from a build of ${request.platforms.join(', ')}${request.tags[0] ? ` tagged ${request.tags.join(', ')}` : ''}.`,
    shape === 'single'
      ? ' One job builds every platform; QEMU runs the ones the runner cannot run natively.'
      : ' One job per platform, on a native runner where there is one, each pushing by digest with its own cache scope; the merge job makes the index.',
    ' Pull requests build without pushing and without logging in.',
  ].join('\n');
  comment(doc, ['on', 'push'], 'Builds on pushes to the default branch and on version tags.');
  comment(doc, ['on', 'pull_request'], 'Pull requests only build: nothing is pushed, no secret is needed.');
  if (args.length) comment(doc, ['env'], 'Build arguments: the form’s values, or the ones given when run by hand.');
  for (const [id, job] of Object.entries(built.jobs)) {
    job.steps.forEach((step, i) => {
      if (step.uses === PINNED_ACTIONS.setupQemu) commentItem(doc, ['jobs', id, 'steps', i], STEP_COMMENTS.qemu(String(step.with?.platforms).split(',')));
      for (const key of Object.keys(step.with ?? {})) {
        if (step.uses === PINNED_ACTIONS.buildPush && INPUT_COMMENTS[key]) comment(doc, ['jobs', id, 'steps', i, 'with', key], INPUT_COMMENTS[key]!);
      }
    });
  }
  const text = doc.toString({ lineWidth: 0, blockQuote: 'literal' });
  return { fileName: `.github/workflows/${options.name}.yml`, text, notes, plan: built.plan };
}

/** Puts a comment above a map key. */
function comment(doc: Document, path: Array<string | number>, text: string): void {
  const parent = doc.getIn(path.slice(0, -1), true) as Node | undefined;
  if (!isMap(parent)) return;
  const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === path[path.length - 1]);
  if (pair && isScalar(pair.key)) pair.key.commentBefore = ` ${text}`;
}

/** Puts a comment above a sequence item. */
function commentItem(doc: Document, path: Array<string | number>, text: string): void {
  const parent = doc.getIn(path.slice(0, -1), true) as Node | undefined;
  if (!isSeq(parent)) return;
  const item = parent.items[path[path.length - 1] as number] as Node | undefined;
  if (item) item.commentBefore = ` ${text}`;
}

