import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ReadBakeResult } from '../../../shared/contract/ci-export';
import { buildxHas } from '../../../shared/domain/buildx/capabilities';
import { BAKE_FILE, bakePrintSchema, importTarget, pickTarget } from '../../../shared/domain/ci-export';
import { parseBuildxVersion } from '../../../shared/domain/versions';
import { RpcError } from '../../../shared/rpc/errors';
import type { DockerCli } from '../docker-cli';

/**
 * Reads a bake file the way buildx does: `docker buildx bake --print -f <file> [target]`, run in
 * the build context (bake takes relative paths from where it runs), and turns the printed target
 * into a build request. Nothing is built.
 */
export async function readBake(cli: DockerCli, input: { context: string; content?: string; target?: string }, signal?: AbortSignal): Promise<ReadBakeResult> {
  const context = resolve(input.context);
  const dir = await stat(context).catch(() => undefined);
  if (!dir?.isDirectory()) {
    throw new RpcError('BUILD_CONTEXT_INVALID', `${context} is not a folder.`, { hint: 'Give the build context folder the bake file belongs to.' });
  }
  // The text just exported is read from a private copy; otherwise the file in the context.
  const scratch = input.content !== undefined ? await mkdtemp(join(tmpdir(), 'mas-bake-')) : undefined;
  const file = scratch ? join(scratch, BAKE_FILE) : join(context, BAKE_FILE);
  try {
    if (scratch) await writeFile(file, input.content!, { mode: 0o600 });
    else if (!(await stat(file).catch(() => undefined))?.isFile()) {
      throw new RpcError('BAKE_FILE_MISSING', `There is no ${BAKE_FILE} in ${context}.`, { hint: 'Export one from a build first, or put your bake file there.' });
    }
    const args = ['buildx', 'bake', '--print', '-f', file, ...(input.target ? [input.target] : [])];
    const shown = cli.display(['buildx', 'bake', '--print', '-f', scratch ? BAKE_FILE : file, ...(input.target ? [input.target] : [])]);
    const result = await cli.run(args, { cwd: context, signal, timeoutMs: 30_000 });
    if (result.code !== 0) {
      const why = result.stderr.split('\n').reverse().find((l) => l.startsWith('ERROR:'))?.slice(6).trim() ?? result.stderr.trim().split('\n').pop() ?? `exit code ${result.code}`;
      throw new RpcError('BAKE_UNREADABLE', `buildx could not read the bake file: ${why}`, { hint: `Correct the file and try again (${shown}).` });
    }
    let json: unknown;
    try {
      json = JSON.parse(result.stdout);
    } catch {
      throw new RpcError('BAKE_UNREADABLE', 'buildx printed something that is not JSON for the bake file.', { hint: `Run ${shown} to see it.` });
    }
    const print = bakePrintSchema.safeParse(json);
    if (!print.success) throw new RpcError('BAKE_UNREADABLE', 'buildx printed a definition the app cannot read.', { hint: `Run ${shown} to see it.` });
    let picked;
    try {
      picked = pickTarget(print.data, input.target);
    } catch (error) {
      throw new RpcError('BAKE_TARGET_AMBIGUOUS', (error as Error).message, { hint: 'Pick the target to read.', data: { targets: Object.keys(print.data.target) } });
    }
    // how this buildx prints values (escaped as HCL since 0.23)
    const version = await cli.run(['buildx', 'version'], { signal, timeoutMs: 10_000 }).then((r) => parseBuildxVersion(r.stdout), () => undefined);
    const imported = importTarget(picked.name, picked.attrs, context, { escaped: buildxHas(version, 'bake-print-escaped') });
    return {
      command: shown,
      file: scratch ? BAKE_FILE : file,
      target: picked.name,
      targets: Object.keys(print.data.target),
      request: imported.request,
      refused: imported.refused,
      notes: imported.notes,
    };
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}
