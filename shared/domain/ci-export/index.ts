import { z } from 'zod';
import type { BuildRequest } from '../build-request/request';
import { BAKE_FILE, bakeTarget, renderBakeFile, type ExportNote } from './bake';
import { DEFAULT_RUNNERS, RUNNER_LABEL } from './runners';
import { workflowFor, type GeneratedWorkflow, type WorkflowOptions } from './workflow';

/**
 * Export what was clicked as CI: a docker-bake.hcl equivalent to the app's build, and a GitHub
 * Actions workflow building the same image. Pure: the renderer shows the files, the core
 * writes them into the build context and has buildx read them back.
 */
export * from './actions';
export * from './bake';
export * from './bake-print';
export * from './mapping';
export * from './runners';
export * from './workflow';
export { checkWorkflow } from './workflow-checks';
export { credentialReason } from './credentials';

export const WORKFLOW_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export const exportOptionsSchema = z.object({
  shape: z.enum(['single', 'per-platform']).default('single'),
  tool: z.enum(['build-push', 'bake']).default('build-push'),
  name: z.string().trim().regex(WORKFLOW_NAME, 'A workflow file name is lower-case letters, digits, ".", "_" or "-".').default('docker-image'),
  contextInRepo: z
    .string()
    .trim()
    .default('.')
    .refine((s) => !s.startsWith('/') && !s.split('/').includes('..'), 'Give the context folder relative to the repository root, e.g. "." or "services/api".'),
  defaultBranch: z.string().trim().regex(/^[A-Za-z0-9._/-]{1,100}$/, 'A branch name.').default('main'),
  runners: z
    .object({
      amd64: z.string().trim().regex(RUNNER_LABEL, 'A runner label.').default(DEFAULT_RUNNERS.amd64),
      arm64: z.string().trim().regex(RUNNER_LABEL, 'A runner label.').optional(),
    })
    .default({ amd64: DEFAULT_RUNNERS.amd64, arm64: DEFAULT_RUNNERS.arm64 }),
});
export type ExportOptionsInput = z.input<typeof exportOptionsSchema>;

export interface ExportedFiles {
  bake: { fileName: string; text: string };
  workflow: GeneratedWorkflow;
  /** Everything left out or changed on the way, bake file and workflow together, each once. */
  notes: ExportNote[];
}

export function exportBuild(request: BuildRequest, options: WorkflowOptions): ExportedFiles {
  const { target, notes } = bakeTarget(request);
  const text = renderBakeFile(target, [
    'Written by Multiarch Studio: the same build as the app’s `docker buildx build`.',
    'Build it from this folder with `docker buildx bake`; `docker buildx bake --print` shows what buildx reads.',
  ]);
  const workflow = workflowFor(request, options);
  const seen = new Set<string>();
  const all = [...notes, ...workflow.notes].filter((n) => (seen.has(n.message) ? false : (seen.add(n.message), true)));
  return { bake: { fileName: BAKE_FILE, text }, workflow, notes: all };
}
