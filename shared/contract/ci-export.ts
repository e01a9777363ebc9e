import { z } from 'zod';
import { absolutePath, buildRequestData } from '../domain/build-request/request';
import { WORKFLOW_NAME } from '../domain/ci-export';
import { request } from '../rpc/define';

/**
 * Exported CI files in the build context: buildx reads a bake file back (`docker buildx bake
 * --print`, the parser of record), and main saves the exported files into the context, never
 * over a different file the user has not seen.
 */

/** Exported files are a few KiB; this bounds what a window can ask main to write or buildx to read. */
export const MAX_EXPORT_BYTES = 256 * 1024;

const exportText = z.string().max(MAX_EXPORT_BYTES, 'At most 256 KiB.');

export const readBakeInput = z.object({
  /** The build context folder: bake runs there, so relative paths start there. */
  context: absolutePath,
  /** A bake file's text to read (the one just exported); without it, `docker-bake.hcl` in the context. */
  content: exportText.optional(),
  /** The target to read; needed when the file defines several. */
  target: z.string().trim().regex(/^[A-Za-z0-9_-]{1,64}$/, 'A bake target name.').optional(),
});

export const readBakeResult = z.object({
  /** The command that read it, as the user would type it. */
  command: z.string(),
  file: z.string(),
  target: z.string(),
  /** Every target bake printed. */
  targets: z.array(z.string()),
  /** The target as a build request: what the form can hold. `output` is missing when the form has no such output. */
  request: buildRequestData.partial({ output: true }),
  /** What the form cannot represent, in words (the rest was read). */
  refused: z.array(z.string()),
  notes: z.array(z.string()),
});

export const exportFileKind = z.enum(['bake', 'workflow']);

export const saveExportInput = z.object({
  context: absolutePath,
  kind: exportFileKind,
  /** The workflow's file name without `.yml` (kind workflow). */
  name: z.string().trim().regex(WORKFLOW_NAME, 'A workflow file name is lower-case letters, digits, ".", "_" or "-".').optional(),
  content: exportText,
  /** Replace the file on disk only if it still has this SHA-256 (the version whose diff the user confirmed). */
  replaceSha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});

export const saveExportResult = z.object({
  path: z.string(),
  /** Created, replaced, or already holding exactly this content. */
  outcome: z.enum(['created', 'replaced', 'unchanged']),
});

/** Data of a FILE_EXISTS error: the file on disk, for the diff the user confirms. */
export const fileExistsData = z.object({ path: z.string(), existing: z.string(), sha256: z.string() });

export type ReadBakeResult = z.infer<typeof readBakeResult>;
export type SaveExportInput = z.infer<typeof saveExportInput>;
export type SaveExportResult = z.infer<typeof saveExportResult>;
export type FileExistsData = z.infer<typeof fileExistsData>;

export const ciExportContract = {
  /** Runs `docker buildx bake --print` in the context on a bake file and reads the target back as a build request. */
  readBake: request(readBakeInput, readBakeResult),
  /** Writes `docker-bake.hcl` or `.github/workflows/<name>.yml` into the context; FILE_EXISTS (data: the file) rather than overwrite unseen. */
  save: request(saveExportInput, saveExportResult),
};
