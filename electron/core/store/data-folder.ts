import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { RpcError } from '../../../shared/rpc/errors';
import { fsCause, fsHint, realWriteError } from './fs-problems';

export interface StorageProblem {
  message: string;
  hint: string;
}

/**
 * The app's data folder (settings, history, logs) and whether it can be written. The app starts
 * whatever the folder's state: a read-only or forbidden folder makes it read-only (builds and
 * settings changes are refused with the real cause), never an exit at start.
 */
export class DataFolder {
  private problem: StorageProblem | undefined;
  /** Things found at start that the user should know (a settings file set aside, …). */
  readonly notices: string[] = [];

  private constructor(readonly dir: string) {}

  static async open(dir: string): Promise<DataFolder> {
    const folder = new DataFolder(dir);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    } catch {
      // recheck() says why
    }
    await folder.recheck();
    return folder;
  }

  get writable(): boolean {
    return this.problem === undefined;
  }

  get readOnlyProblem(): StorageProblem | undefined {
    return this.problem;
  }

  /** Asks the system again (a folder remounted read-write is noticed without a restart). */
  async recheck(): Promise<boolean> {
    try {
      await access(this.dir, constants.W_OK | constants.X_OK);
      this.problem = undefined;
    } catch (error) {
      const real = await realWriteError(error, this.dir);
      this.problem = {
        message: `The data folder ${this.dir} cannot be written (${fsCause(real)}): the app works read-only, so builds cannot run or be recorded and settings cannot be changed.`,
        hint: fsHint(real, this.dir),
      };
    }
    return this.writable;
  }

  /** Refuses `action` with the folder's real problem when it is read-only. */
  async assertWritable(action: string): Promise<void> {
    if (!this.problem || (await this.recheck())) return;
    throw new RpcError('DATA_READ_ONLY', `${action}: ${this.problem.message}`, { hint: this.problem.hint, data: { dataDir: this.dir } });
  }
}
