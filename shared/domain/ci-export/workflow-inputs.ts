import type { BuildRequest } from '../build-request/request';
import { dockerfileInContext, type ExportNote } from './bake';
import { cacheAttributes } from './csv';
import { inRepo } from './paths';

/**
 * The `with:` inputs of docker/build-push-action for a request, with a comment for each, and
 * the workflow-level pieces they lean on (build arguments as dispatch inputs and env).
 */

export const PUSH_UNLESS_PR = "${{ github.event_name != 'pull_request' }}";
export const NOT_PR = "github.event_name != 'pull_request'";

/** Comments explaining each input, written above it. */
export const INPUT_COMMENTS: Record<string, string> = {
  context: 'The build context: this folder of the repository is sent to the builder.',
  file: 'The Dockerfile, from the repository root.',
  platforms: 'The platforms of the image (one index entry each).',
  tags: 'Where the image is pushed, one reference per line.',
  'build-args': 'Build arguments (ARG in the Dockerfile), from the workflow env above.',
  target: 'The Dockerfile stage to build.',
  provenance: 'Provenance attestation, as in the app’s build.',
  sbom: 'SBOM attestation, as in the app’s build.',
  'no-cache': 'Rebuild every step.',
  pull: 'Pull base images again.',
  'cache-from': 'Caches to read: the GitHub Actions cache, and the form’s registry caches.',
  'cache-to': 'Cache to write: the GitHub Actions cache (mode=max keeps every stage).',
  push: 'Push to the registry, except for pull requests (they only build).',
  load: 'Load the image into the runner’s Docker.',
  outputs: 'Where the result goes.',
};

export interface BuildArgInput {
  key: string;
  value: string;
}

/** Build arguments a workflow can carry: a value with `${{` or `}}` would be read as an expression by GitHub. */
export function workflowArgs(request: BuildRequest, refused: ReadonlySet<string>): { args: BuildArgInput[]; notes: ExportNote[] } {
  const notes: ExportNote[] = [];
  const args: BuildArgInput[] = [];
  for (const a of request.buildArgs) {
    if (refused.has(a.key)) continue;
    if (a.value.includes('${{') || a.value.includes('}}')) {
      notes.push({ field: 'buildArgs', item: a.key, severity: 'refused', message: `Build argument ${a.key} was left out of the workflow: its value holds "\${{" or "}}", which GitHub would read as an expression. Set it in the workflow by hand.` });
      continue;
    }
    args.push({ key: a.key, value: a.value });
  }
  return { args, notes };
}

/** `'…'` string literal of a GitHub expression. */
export const expressionString = (value: string): string => `'${value.replace(/'/g, "''")}'`;

/** Workflow env: each build argument from its dispatch input, the form's value otherwise. */
export function argsEnv(args: readonly BuildArgInput[]): Record<string, string> {
  return Object.fromEntries(args.map((a) => [a.key, `\${{ inputs.${a.key} || ${expressionString(a.value)} }}`]));
}

export function dispatchInputs(args: readonly BuildArgInput[]): Record<string, { description: string; type: 'string'; default: string; required: false }> {
  return Object.fromEntries(args.map((a) => [a.key, { description: `Build argument ${a.key}`, type: 'string' as const, default: a.value, required: false as const }]));
}

/** Caches the workflow can keep: a folder cache (type=local) is a path on the desktop. */
export function portableCaches(list: readonly string[]): string[] {
  return list.filter((spec) => cacheAttributes(spec)?.type !== 'local');
}

export interface CommonInputs {
  with: Record<string, string | boolean>;
  notes: ExportNote[];
}

/** Inputs every build step shares: context, Dockerfile, args, target, attestations, cache switches. */
export function commonInputs(request: BuildRequest, root: string, args: readonly BuildArgInput[]): CommonInputs {
  const notes: ExportNote[] = [];
  const dockerfile = dockerfileInContext(request);
  if (!dockerfile.inside) {
    notes.push({ field: 'dockerfile', severity: 'warning', message: `The Dockerfile ${dockerfile.path} is outside the context folder: commit it inside the repository and correct \`file:\`.` });
  }
  const w: Record<string, string | boolean> = {
    context: root,
    file: dockerfile.inside ? inRepo(root, dockerfile.path) : dockerfile.path,
  };
  if (args.length) w['build-args'] = args.map((a) => `${a.key}=\${{ env.${a.key} }}`).join('\n');
  if (request.target) w.target = request.target;
  w.provenance = request.provenance;
  w.sbom = request.sbom;
  if (request.noCache) w['no-cache'] = true;
  if (request.pull) w.pull = true;
  return { with: w, notes };
}
