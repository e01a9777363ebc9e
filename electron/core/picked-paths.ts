import { resolve } from 'node:path';

/**
 * Files the user chose in a native file dialog of the desktop shell. Only the shell adds to it,
 * from the dialog's own answer; nothing the renderer sends does. Main reads such a file although
 * it lies outside the build context (a Dockerfile kept elsewhere). Headless mode has no native
 * dialog, so there this stays empty.
 */
export class PickedPaths {
  private readonly files = new Set<string>();

  grant(path: string): void {
    this.files.add(resolve(path));
  }

  has(path: string): boolean {
    return this.files.has(resolve(path));
  }
}
