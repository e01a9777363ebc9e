import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { buildRequestInput, type BuildRequestInput } from '../build-request/request';
import { checkWorkflow, exportOptionsSchema, PINNED_ACTIONS, workflowFor, type WorkflowOptions } from './index';
import { workflowSchemaErrors } from './workflow-schema';

const request = (patch: Partial<BuildRequestInput> = {}) =>
  buildRequestInput.parse({
    context: '/work/app',
    platforms: ['linux/amd64', 'linux/386', 'linux/arm64', 'linux/arm/v7', 'linux/riscv64'],
    tags: ['ghcr.io/team/app:1.0', 'registry.example.com:5000/team/app:1.0'],
    output: { type: 'push' },
    buildArgs: [{ key: 'VERSION', value: "1.2 it's" }],
    ...patch,
  });
const options = (patch: Partial<WorkflowOptions> = {}): WorkflowOptions => ({ ...exportOptionsSchema.parse({}), ...patch });

interface Y {
  on: Record<string, unknown>;
  env?: Record<string, string>;
  permissions: Record<string, string>;
  jobs: Record<string, { 'runs-on': string; needs?: string[]; if?: string; steps: Array<{ uses?: string; if?: string; with?: Record<string, unknown>; run?: string }> }>;
}
const yamlOf = (text: string) => parse(text) as Y;
const stepOf = (y: Y, job: string, uses: string) => y.jobs[job]!.steps.find((s) => s.uses === uses);

describe('exported GitHub Actions workflow', () => {
  const shapes: Array<Partial<WorkflowOptions>> = [
    { shape: 'single', tool: 'build-push' },
    { shape: 'single', tool: 'bake' },
    { shape: 'per-platform' },
    { shape: 'per-platform', runners: { amd64: 'ubuntu-22.04' } },
  ];
  const outputs: BuildRequestInput['output'][] = [{ type: 'push' }, { type: 'load' }, { type: 'oci', dest: '/tmp/i.tar' }, { type: 'local', dest: '/tmp/files' }, { type: 'cacheonly' }];

  it.each(shapes.flatMap((s) => outputs.map((o) => [s, o] as const)))('%j with output %j passes GitHub’s workflow schema and the project’s checks', (shape, output) => {
    const o = options(shape);
    const r = request({ output });
    const w = workflowFor(r, o);
    expect(workflowSchemaErrors(w.text)).toEqual([]);
    expect(checkWorkflow(w.text, o.runners, r.platforms)).toEqual([]);
  });

  it('single job: QEMU for exactly the platforms an amd64 runner cannot run (386 runs natively)', () => {
    const y = yamlOf(workflowFor(request(), options()).text);
    expect(stepOf(y, 'build', PINNED_ACTIONS.setupQemu)?.with).toEqual({ platforms: 'linux/arm64,linux/arm/v7,linux/riscv64' });
    const build = stepOf(y, 'build', PINNED_ACTIONS.buildPush)!.with!;
    expect(build).toMatchObject({ context: '.', file: 'Dockerfile', platforms: 'linux/amd64,linux/386,linux/arm64,linux/arm/v7,linux/riscv64', push: "${{ github.event_name != 'pull_request' }}", provenance: false, sbom: false });
    expect(build.tags).toBe('ghcr.io/team/app:1.0\nregistry.example.com:5000/team/app:1.0');
    // no QEMU step when every platform is native
    const native = yamlOf(workflowFor(request({ platforms: ['linux/amd64', 'linux/386'] }), options()).text);
    expect(stepOf(native, 'build', PINNED_ACTIONS.setupQemu)).toBeUndefined();
  });

  it('one job per platform on native runners, each with its own cache scope, pushing by digest; the merge job needs them all', () => {
    const w = workflowFor(request(), options({ shape: 'per-platform' }));
    const y = yamlOf(w.text);
    expect(Object.keys(y.jobs)).toEqual(['build-linux-amd64', 'build-linux-386', 'build-linux-arm64', 'build-linux-arm-v7', 'build-linux-riscv64', 'merge']);
    expect(y.jobs['build-linux-arm64']!['runs-on']).toBe('ubuntu-24.04-arm');
    expect(stepOf(y, 'build-linux-arm64', PINNED_ACTIONS.setupQemu)).toBeUndefined();
    expect(stepOf(y, 'build-linux-386', PINNED_ACTIONS.setupQemu)).toBeUndefined();
    expect(stepOf(y, 'build-linux-arm-v7', PINNED_ACTIONS.setupQemu)?.with).toEqual({ platforms: 'linux/arm/v7' });
    expect(y.jobs['build-linux-arm-v7']!['runs-on']).toBe('ubuntu-24.04');
    const arm = stepOf(y, 'build-linux-arm64', PINNED_ACTIONS.buildPush)!.with!;
    expect(arm['cache-from']).toBe('type=gha,scope=linux-arm64');
    expect(arm['cache-to']).toBe('type=gha,scope=linux-arm64,mode=max');
    expect(arm.outputs).toBe('type=image,"name=ghcr.io/team/app",push-by-digest=true,name-canonical=true,push=${{ github.event_name != \'pull_request\' }}');
    expect(stepOf(y, 'build-linux-arm64', PINNED_ACTIONS.uploadArtifact)?.with).toMatchObject({ name: 'digests-linux-arm64', 'retention-days': 1 });
    const merge = y.jobs.merge!;
    expect(merge.needs).toEqual(Object.keys(y.jobs).filter((j) => j !== 'merge'));
    expect(merge.if).toBe("github.event_name != 'pull_request'");
    expect(merge.steps.map((s) => s.run ?? s.uses)).toEqual([
      PINNED_ACTIONS.downloadArtifact,
      PINNED_ACTIONS.login,
      PINNED_ACTIONS.login,
      PINNED_ACTIONS.setupBuildx,
      "docker buildx imagetools create -t 'ghcr.io/team/app:1.0' -t 'registry.example.com:5000/team/app:1.0' $(printf 'ghcr.io/team/app@sha256:%s ' *)\n",
      "docker buildx imagetools inspect 'ghcr.io/team/app:1.0'\n",
    ]);
    expect(w.plan.builds['build-linux-riscv64']).toEqual({ platforms: ['linux/riscv64'], emulated: ['linux/riscv64'], cacheScope: 'linux-riscv64' });
  });

  it('without an Arm runner, arm64 gets QEMU on the amd64 runner', () => {
    const y = yamlOf(workflowFor(request(), options({ shape: 'per-platform', runners: { amd64: 'ubuntu-24.04' } })).text);
    expect(y.jobs['build-linux-arm64']!['runs-on']).toBe('ubuntu-24.04');
    expect(stepOf(y, 'build-linux-arm64', PINNED_ACTIONS.setupQemu)?.with).toEqual({ platforms: 'linux/arm64' });
  });

  it('logs in by secret and variable names only, never on pull requests, and never to a loopback registry', () => {
    const w = workflowFor(request({ tags: ['ghcr.io/team/app:1', 'registry.example.com:5000/a:1', 'team/app:1', '127.0.0.1:5000/a:1'] }), options());
    const y = yamlOf(w.text);
    const logins = y.jobs.build!.steps.filter((s) => s.uses === PINNED_ACTIONS.login);
    expect(logins.map((l) => l.with)).toEqual([
      { registry: 'ghcr.io', username: '${{ github.actor }}', password: '${{ secrets.GITHUB_TOKEN }}' },
      { registry: 'registry.example.com:5000', username: '${{ vars.REGISTRY_EXAMPLE_COM_5000_USERNAME }}', password: '${{ secrets.REGISTRY_EXAMPLE_COM_5000_PASSWORD }}' },
      { username: '${{ vars.DOCKERHUB_USERNAME }}', password: '${{ secrets.DOCKERHUB_TOKEN }}' },
    ]);
    expect(logins.every((l) => l.if === "github.event_name != 'pull_request'")).toBe(true);
    expect(y.permissions).toEqual({ contents: 'read', packages: 'write' });
    expect(w.notes.find((n) => n.message.includes('127.0.0.1:5000'))?.severity).toBe('warning');
    // a build that does not push logs in nowhere
    const local = yamlOf(workflowFor(request({ output: { type: 'load' } }), options()).text);
    expect(local.jobs.build!.steps.some((s) => s.uses === PINNED_ACTIONS.login)).toBe(false);
  });

  it('triggers on the default branch, v* tags and pull requests; build arguments become dispatch inputs with the form’s values', () => {
    const y = yamlOf(workflowFor(request(), options({ defaultBranch: 'trunk' })).text);
    expect(y.on).toEqual({
      push: { branches: ['trunk'], tags: ['v*'] },
      pull_request: { branches: ['trunk'] },
      workflow_dispatch: { inputs: { VERSION: { description: 'Build argument VERSION', type: 'string', default: "1.2 it's", required: false } } },
    });
    expect(y.env).toEqual({ VERSION: "${{ inputs.VERSION || '1.2 it''s' }}" });
    expect(stepOf(y, 'build', PINNED_ACTIONS.buildPush)!.with!['build-args']).toBe('VERSION=${{ env.VERSION }}');
  });

  it('keeps credentials and expression-like values out, with notes', () => {
    const w = workflowFor(request({ buildArgs: [{ key: 'REGISTRY_PASSWORD', value: 'p' }, { key: 'TPL', value: '${{ x }}' }, { key: 'OK', value: '1' }] }), options());
    expect(w.text).not.toContain('REGISTRY_PASSWORD');
    expect(Object.keys(yamlOf(w.text).env ?? {})).toEqual(['OK']);
    expect(w.notes.filter((n) => n.severity === 'refused').map((n) => n.item)).toEqual(['REGISTRY_PASSWORD', 'TPL']);
  });

  it('explains its inputs in comments, and emits with the YAML library (parses back)', () => {
    const { text } = workflowFor(request({ target: 'final' }), options());
    expect(text).toContain('# The Dockerfile stage to build.\n          target: final');
    expect(text).toContain('# The runner runs these platforms only through QEMU: linux/arm64, linux/arm/v7, linux/riscv64.');
    expect(stringify(parse(text))).toBe(stringify(yamlOf(text)));
  });

  it('a subfolder context is built from there', () => {
    const y = yamlOf(workflowFor(request({ dockerfile: 'build/Dockerfile' }), options({ contextInRepo: './services/api/' })).text);
    expect(stepOf(y, 'build', PINNED_ACTIONS.buildPush)!.with).toMatchObject({ context: 'services/api', file: 'services/api/build/Dockerfile' });
    const bake = yamlOf(workflowFor(request(), options({ tool: 'bake', contextInRepo: 'services/api' })).text);
    expect(stepOf(bake, 'build', PINNED_ACTIONS.bake)!.with).toMatchObject({ source: 'services/api', files: 'docker-bake.hcl', targets: 'default' });
  });

  it('per-platform needs a push: other outputs are exported as one job, with a note', () => {
    const w = workflowFor(request({ output: { type: 'load' } }), options({ shape: 'per-platform' }));
    expect(Object.keys(yamlOf(w.text).jobs)).toEqual(['build']);
    expect(w.notes.some((n) => n.severity === 'refused' && n.field === 'output')).toBe(true);
  });
});

describe('the checks catch the classic mistakes', () => {
  const o = options({ shape: 'per-platform' });
  const r = request();
  const good = workflowFor(r, o).text;
  const tamper = (fn: (y: Y) => void) => {
    const y = yamlOf(good);
    fn(y);
    return stringify(y);
  };

  it('an action that is not pinned, or not allowed', () => {
    const text = tamper((y) => (y.jobs.merge!.steps[0]!.uses = 'actions/download-artifact@main'));
    expect(checkWorkflow(text, o.runners, r.platforms)).toEqual([expect.stringContaining('merge: actions/download-artifact@main is not one of the pinned actions')]);
  });

  it('QEMU set up for a platform the runner runs natively, or missing', () => {
    const extra = tamper((y) => y.jobs['build-linux-arm64']!.steps.splice(1, 0, { uses: PINNED_ACTIONS.setupQemu, with: { platforms: 'linux/arm64' } }));
    expect(checkWorkflow(extra, o.runners, r.platforms)).toEqual(['build-linux-arm64: QEMU is set up for [linux/arm64] but the arm64 runner needs it for exactly [].']);
    const missing = tamper((y) => (y.jobs['build-linux-riscv64']!.steps = y.jobs['build-linux-riscv64']!.steps.filter((s) => s.uses !== PINNED_ACTIONS.setupQemu)));
    expect(checkWorkflow(missing, o.runners, r.platforms)).toEqual(['build-linux-riscv64: QEMU is set up for [] but the amd64 runner needs it for exactly [linux/riscv64].']);
  });

  it('two platform jobs sharing a cache scope', () => {
    const text = tamper((y) => {
      const w = stepOf(y, 'build-linux-386', PINNED_ACTIONS.buildPush)!.with!;
      w['cache-from'] = 'type=gha,scope=linux-amd64';
      w['cache-to'] = 'type=gha,scope=linux-amd64,mode=max';
    });
    expect(checkWorkflow(text, o.runners, r.platforms)).toEqual(['build-linux-386: cache scope "linux-amd64" is also used by build-linux-amd64; parallel jobs would overwrite each other\'s cache.']);
  });

  it('a merge job that does not wait for every platform job', () => {
    const text = tamper((y) => (y.jobs.merge!.needs = ['build-linux-amd64']));
    expect(checkWorkflow(text, o.runners, r.platforms)[0]).toBe('merge: does not wait for build-linux-386, build-linux-arm64, build-linux-arm-v7, build-linux-riscv64 (needs: [build-linux-amd64]).');
  });

  it('GitHub’s schema refuses a malformed workflow', () => {
    const text = tamper((y) => {
      delete (y.jobs.merge as Partial<Y['jobs'][string]>)['runs-on'];
      (y.on as Record<string, unknown>).pushh = {};
    });
    const errors = workflowSchemaErrors(text);
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors.join('\n')).toMatch(/pushh/);
    expect(errors.join('\n')).toMatch(/runs-on/);
  });
});
