import type { BuilderProblem, CommandRun } from '../../../shared/contract/builders';

/** Why a builder failed to start or to be created: buildx itself forgets, so the app remembers until it runs. */
export class BuilderProblems {
  private readonly byName = new Map<string, BuilderProblem>();

  record(name: string, message: string, hint: string | undefined, command: CommandRun): void {
    this.byName.set(name, {
      message,
      ...(hint ? { hint } : {}),
      command: command.command,
      output: command.output,
      at: new Date().toISOString(),
    });
  }

  get(name: string): BuilderProblem | undefined {
    return this.byName.get(name);
  }

  forget(name: string): void {
    this.byName.delete(name);
  }
}
