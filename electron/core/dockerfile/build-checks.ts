import { MAX_FINDINGS, type BuildChecksReport } from '../../../shared/contract/dockerfile';
import type { BuildxPlugin } from '../../../shared/contract/engine';
import { buildxCapabilities } from '../../../shared/domain/buildx/capabilities';
import { checkBuilderName, parseCheckOutput } from '../../../shared/domain/buildx/check-output';
import { RpcError } from '../../../shared/rpc/errors';
import type { DockerCli } from '../docker-cli';
import { contentDigest } from './apply';
import type { DockerfileText } from './dockerfile-file';

export interface BuildChecksDeps {
  cli: DockerCli;
  /** The buildx plugin and its features, as the engine service detected them. */
  buildx: () => Promise<BuildxPlugin>;
}

type Problem = NonNullable<BuildChecksReport['problem']>;

const SOURCE_LINE_CHARS = 1000;

/** The argv of the check: JSON results on stdout, the builder's name on stderr's first progress line. */
export const checkArgs = (file: Pick<DockerfileText, 'path' | 'contextDir'>): string[] => [
  'buildx',
  'build',
  '--call=check,format=json',
  '--progress=plain',
  '--file',
  file.path,
  file.contextDir,
];

/**
 * Runs BuildKit's build checks on an already validated Dockerfile with the current builder, within `timeoutMs`.
 * Never throws for what the checks themselves hit (old buildx, builder or engine errors, time limit): the report
 * says why they are missing, in words. Only a cancel ends it with CANCELLED.
 */
export async function runBuildChecks(file: DockerfileText, deps: BuildChecksDeps, options: { signal: AbortSignal; timeoutMs: number }): Promise<BuildChecksReport> {
  const started = performance.now();
  const args = checkArgs(file);
  const base = { dockerfile: file.path, command: deps.cli.display(args), checks: [], sourceLines: [] };
  const ended = (report: Omit<BuildChecksReport, 'durationMs'>): BuildChecksReport => ({ ...report, durationMs: performance.now() - started });

  const buildx = await deps.buildx();
  if (!buildx.installed || !buildx.version) {
    return ended({
      ...base,
      state: 'unavailable',
      problem: { code: 'BUILDX_MISSING', message: `No BuildKit checks: ${buildx.problem?.message ?? 'the buildx plugin is not installed.'}`, hint: buildx.problem?.hint ?? 'Install the buildx plugin.' },
    });
  }
  const feature = buildxCapabilities(buildx.version).find((f) => f.feature === 'build-checks')!;
  if (!feature.available) {
    return ended({
      ...base,
      state: 'unavailable',
      buildxVersion: buildx.version,
      problem: {
        code: 'BUILDX_TOO_OLD',
        message: `No BuildKit checks: \`${feature.usage}\` ${feature.reason ?? `needs ${feature.since}`}.`,
        hint: "Update the docker-buildx plugin to see BuildKit's own checks here; the app's advice above is complete without them.",
      },
    });
  }

  let run: { code: number; stdout: string; stderr: string };
  try {
    run = await deps.cli.run(args, { signal: options.signal, timeoutMs: options.timeoutMs, maxCaptureBytes: 4 * 1024 * 1024 });
  } catch (error) {
    const rpc = RpcError.from(error);
    if (rpc.code === 'CANCELLED') throw rpc;
    const problem: Problem =
      rpc.code === 'CLI_TIMEOUT'
        ? { code: 'CLI_TIMEOUT', message: `BuildKit did not finish its checks within ${Math.ceil(options.timeoutMs / 1000)} s.`, hint: 'The builder may be starting or busy: check again in a moment.' }
        : { code: rpc.code, message: `BuildKit's checks did not run: ${rpc.message}`, ...(rpc.hint ? { hint: rpc.hint } : {}) };
    return ended({ ...base, state: 'failed', buildxVersion: buildx.version, problem });
  }

  const builder = checkBuilderName(run.stderr);
  const known = { ...base, buildxVersion: buildx.version, ...(builder ? { builder } : {}) };
  // Exit 1 only says a warning or a build error was found; the JSON says which.
  let output: ReturnType<typeof parseCheckOutput> | undefined;
  let unreadable: string | undefined;
  if (run.stdout.trim() && (run.code === 0 || run.code === 1)) {
    try {
      output = parseCheckOutput(run.stdout);
    } catch (error) {
      unreadable = (error as Error).message;
    }
  }
  if (!output) {
    const problem: Problem = unreadable
      ? { code: 'BUILD_CHECKS_FAILED', message: `buildx printed check results the app cannot read (${unreadable}).`, hint: 'Run the command shown in a terminal to see them.' }
      : describeCheckFailure(run.stderr || run.stdout);
    return ended({ ...known, state: 'failed', problem });
  }

  const text = output.dockerfileData !== undefined ? Buffer.from(output.dockerfileData, 'base64').toString('utf8') : file.text;
  const checks = output.checks.slice(0, MAX_FINDINGS);
  return ended({
    ...known,
    state: 'done',
    contentDigest: contentDigest(text),
    checks,
    ...(output.buildError ? { buildError: output.buildError } : {}),
    sourceLines: linesOf(text, checks),
  });
}

/** What went wrong, in words, from buildx's last `ERROR:` line. */
export function describeCheckFailure(output: string): Problem {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  const line = ([...lines].reverse().find((l) => /^ERROR\b/.test(l)) ?? lines[lines.length - 1] ?? 'no output').replace(/^ERROR:\s*/, '');
  if (/frontend\.lint|unsupported request/i.test(line)) {
    return {
      code: 'BUILDKIT_TOO_OLD',
      message: `The builder's BuildKit cannot run build checks (${line}): they need BuildKit 0.14 or newer, which Docker Engine 27 and later embed.`,
      hint: 'Update the engine, or use a docker-container builder with a current BuildKit image.',
    };
  }
  const builder = /no builder "([^"]+)" found/.exec(line)?.[1];
  if (builder) return { code: 'BUILDER_NOT_FOUND', message: `The current builder "${builder}" does not exist, so BuildKit could not check the Dockerfile.`, hint: 'Pick a builder on the Builders page (Use).' };
  if (/cannot connect to the docker daemon|connection refused|no such file or directory|error during connect/i.test(line)) {
    return { code: 'ENGINE_UNAVAILABLE', message: `buildx could not reach the builder: ${line}`, hint: 'Start Docker (or the builder), then check again.' };
  }
  return { code: 'BUILD_CHECKS_FAILED', message: `BuildKit's checks did not run: ${line}`, hint: 'Run the command shown in a terminal to see its whole output.' };
}

/** The lines the checks point at (at most six per check), for the page's excerpts. */
function linesOf(text: string, checks: BuildChecksReport['checks']): BuildChecksReport['sourceLines'] {
  const all = text.split(/\r\n|\r|\n/);
  const wanted = new Set<number>();
  for (const c of checks) if (c.line) for (let l = c.line; l <= Math.min(c.endLine ?? c.line, c.line + 5); l++) wanted.add(l);
  return [...wanted]
    .filter((l) => l <= all.length)
    .sort((a, b) => a - b)
    .map((line) => ({ line, text: all[line - 1]!.slice(0, SOURCE_LINE_CHARS) }));
}
