import type { BuildRequest } from '../build-request/request';

/**
 * Every field of a build request, and where it goes: the `docker buildx build` flag the app runs,
 * the bake attribute of the exported target, and the input of the exported workflow. A field is
 * either mapped or declared unexportable with the reason; the mapped type makes a new field a
 * compile error here, and a test checks the table against the request schema, so nothing is
 * dropped silently.
 */
export type FieldMapping =
  | { kind: 'mapped'; flag: string; bake: string; workflow: string; note?: string }
  | { kind: 'unexportable'; flag: string; reason: string };

export const FIELD_MAP: { [K in keyof BuildRequest]-?: FieldMapping } = {
  context: {
    kind: 'mapped',
    flag: '<context> (last argument)',
    bake: 'context = "." (the bake file lives in the context folder)',
    workflow: 'context: <the context folder in the repository>',
  },
  dockerfile: { kind: 'mapped', flag: '-f', bake: 'dockerfile (relative to the context)', workflow: 'file' },
  tags: { kind: 'mapped', flag: '-t', bake: 'tags', workflow: 'tags; per-platform jobs push by digest to the first tag’s repository and the merge job applies every tag' },
  platforms: { kind: 'mapped', flag: '--platform', bake: 'platforms', workflow: 'platforms; per-platform: one job each, with setup-qemu-action for the ones the runner does not run natively' },
  buildArgs: {
    kind: 'mapped',
    flag: '--build-arg',
    bake: 'args',
    workflow: 'build-args from workflow env, each a workflow_dispatch input with the form’s value as default',
    note: 'A build argument that looks like a credential is refused: pass it as a BuildKit secret.',
  },
  target: { kind: 'mapped', flag: '--target', bake: 'target', workflow: 'target' },
  output: {
    kind: 'mapped',
    flag: '--output',
    bake: 'output',
    workflow: 'push (false on pull requests) / load / outputs; per-platform: outputs type=image,push-by-digest=true',
  },
  provenance: { kind: 'mapped', flag: '--provenance', bake: 'attest type=provenance (disabled=true when off)', workflow: 'provenance' },
  sbom: { kind: 'mapped', flag: '--sbom', bake: 'attest type=sbom (disabled=true when off)', workflow: 'sbom' },
  noCache: { kind: 'mapped', flag: '--no-cache', bake: 'no-cache', workflow: 'no-cache' },
  pull: { kind: 'mapped', flag: '--pull', bake: 'pull', workflow: 'pull' },
  cacheFrom: {
    kind: 'mapped',
    flag: '--cache-from',
    bake: 'cache-from',
    workflow: 'cache-from, plus the GitHub Actions cache (type=gha; one scope per platform job); a folder cache (type=local) stays on the desktop',
  },
  cacheTo: {
    kind: 'mapped',
    flag: '--cache-to',
    bake: 'cache-to',
    workflow: 'cache-to: type=gha,mode=max (one scope per platform job); registry caches in the single job only, as parallel jobs would overwrite one ref',
  },
  builder: {
    kind: 'unexportable',
    flag: '--builder',
    reason: 'A builder is a BuildKit instance on this computer. In CI, docker/setup-buildx-action creates one; docker buildx bake uses the current builder (or --builder).',
  },
  overwrite: {
    kind: 'unexportable',
    flag: '(none: the app asks before replacing an existing export)',
    reason: 'A confirmation given in the app to replace a file or folder already there; a CI job starts from a clean workspace.',
  },
};
