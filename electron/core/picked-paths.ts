import { resolve } from 'node:path';

/**
 * Files the user chose in a native open dialog of the desktop shell. Only the shell adds to it,
 * from the dialog's own answer (its picked-path grant, wired in electron/main/main.ts); nothing
 * the renderer sends does. Main reads such a file although it lies outside the build context (a
 * Dockerfile kept elsewhere). Headless mode has no native dialog, so there this stays empty.
 */
export class PickedPaths {
  private readonly files = new Set<string>();

  /** A chosen folder grants no file in it: only a file the dialog answered is granted. */
  grant(choice: { path: string; kind: 'folder' | 'file' }): void {
    if (choice.kind === 'file') this.files.add(resolve(choice.path));
  }

  has(path: string): boolean {
    return this.files.has(resolve(path));
  }
}
