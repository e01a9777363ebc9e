import type { CommandRun } from '../../../shared/contract/builders';
import { RpcError } from '../../../shared/rpc/errors';
import type { CliRunOptions, DockerCli } from '../docker-cli';

export const MINUTE = 60_000;
const OUTPUT_KEEP = 16_000;

/** A buildx command the app ran: as the user would type it, with its outcome, and its stdout to parse. */
export interface BuildxRun {
  command: CommandRun;
  stdout: string;
}

export interface RunOrFailOptions extends CliRunOptions {
  /** What failed, in words: "Stopping "b" failed" (the reason buildx gave follows). */
  failure: string;
  /** The builder the command names: a "no builder found" answer becomes BUILDER_NOT_FOUND. */
  builder?: string;
  /** Commands run before this one, reported with it when it fails. */
  before?: readonly CommandRun[];
}

/**
 * The builders domain's one way to run buildx (argv arrays through the app's docker CLI, never a
 * shell): every command comes back as the user would type it, with its exit code and output.
 */
export class BuildxRunner {
  constructor(private readonly cli: DockerCli) {}

  display(args: readonly string[]): string {
    return this.cli.display(args);
  }

  async run(args: string[], options: CliRunOptions): Promise<BuildxRun> {
    const started = Date.now();
    const result = await this.cli.run(args, options);
    const output = [result.stdout.trim(), result.stderr.trim()].filter(Boolean).join('\n');
    return {
      stdout: result.stdout,
      command: {
        command: this.cli.display(args),
        exitCode: result.code,
        output: output.length > OUTPUT_KEEP ? `…${output.slice(-OUTPUT_KEEP)}` : output,
        durationMs: Date.now() - started,
      },
    };
  }

  /** Runs a command that must succeed: otherwise fails with what failed, buildx's reason, the usual fix and the commands run. */
  async runOrFail(args: string[], options: RunOrFailOptions): Promise<BuildxRun> {
    const { failure, builder, before = [], ...cli } = options;
    const run = await this.run(args, cli);
    if (run.command.exitCode === 0) return run;
    if (builder) failIfMissing(builder, run);
    throw commandFailed(failure, run.command, [...before, run.command]);
  }
}

/** BUILDER_COMMAND_FAILED: `what` and the reason in the command's output, its fix, and the commands that ran. */
export function commandFailed(what: string, failed: Pick<CommandRun, 'output'>, commands: CommandRun[], image?: string): RpcError {
  const { reason, hint } = describeFailure(failed, image);
  return new RpcError('BUILDER_COMMAND_FAILED', `${what}: ${reason}`, { hint, data: { commands } });
}

export function notFound(name: string, commands: CommandRun[] = []): RpcError {
  return new RpcError('BUILDER_NOT_FOUND', `There is no builder named "${name}".`, {
    hint: 'Refresh the list: it may have been removed from the command line.',
    ...(commands.length ? { data: { commands } } : {}),
  });
}

/** buildx's words for a builder that does not exist. */
export const isMissingBuilder = (run: { command: Pick<CommandRun, 'output'> }): boolean => /no builder ".*" found|failed to find instance/i.test(run.command.output);

export function failIfMissing(name: string, run: { command: CommandRun }): void {
  if (isMissingBuilder(run)) throw notFound(name, [run.command]);
}

/** The line that says why a buildx command failed, and what to do about the usual causes. */
export function describeFailure(run: Pick<CommandRun, 'output'>, image?: string): { reason: string; hint: string } {
  const lines = run.output.split('\n').map((l) => l.trim()).filter(Boolean);
  const errorLine = [...lines].reverse().find((l) => /^(ERROR|error)\b|^#\d+ ERROR/.test(l)) ?? lines[lines.length - 1] ?? 'no output';
  const reason = errorLine.replace(/^#\d+\s+/, '').replace(/^ERROR:\s*/i, '');
  const text = run.output;
  let hint = 'Read the command output below; run the same command in a terminal to dig further.';
  if (/pull access denied|failed to resolve reference|no such host|manifest unknown|not found: manifest|repository does not exist|failed to pull|pulling failed/i.test(text)) {
    hint = `The BuildKit image${image ? ` ${image}` : ''} could not be pulled and is not on the engine. Pull or load it first (docker pull / docker load), or choose another image in the form or in Settings.`;
  } else if (/permission denied/i.test(text)) {
    hint = 'The Docker engine refused access: check that your user may use the Docker socket.';
  } else if (/connection refused|no such file or directory|cannot connect/i.test(text)) {
    hint = 'The endpoint did not answer: check that the engine or BuildKit daemon at that address is running and reachable.';
  } else if (/existing instance/i.test(text)) {
    hint = 'A builder with that name already exists.';
  } else if (/waiting for connection/i.test(text)) {
    hint = 'Nothing answered at the builder\'s endpoint: start the BuildKit daemon (or engine) there, or check the address.';
  } else if (/deadline exceeded|timed out|timeout/i.test(text)) {
    hint = 'The builder took too long to answer: check the endpoint and try again.';
  }
  return { reason, hint };
}
