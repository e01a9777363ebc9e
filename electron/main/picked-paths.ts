import type { BaseWindow, OpenDialogOptions } from 'electron';
import type { PathPicker } from '../core/app-handlers';
import type { ElectronApi } from './electron-api';

/**
 * Told of every path the user chose in a native dialog, before the page sees it: the one place
 * where the core may record that the user picked it (so that, for example, a Dockerfile chosen
 * outside the build context may be read). Injected by the shell's caller: main.ts grants into the
 * core's PickedPaths (electron/core/picked-paths.ts); nothing by default.
 */
export type PickedPathGrant = (picked: { path: string; kind: 'folder' | 'file' }) => void;

/** app.pickPath in the desktop shell: the native open dialog, attached to the app's window. */
export function createPathPicker(dialog: ElectronApi['dialog'], parent: () => BaseWindow | undefined, grantPickedPath: PickedPathGrant): PathPicker {
  return async ({ kind, title, defaultPath }) => {
    const options: OpenDialogOptions = {
      title,
      properties: kind === 'folder' ? ['openDirectory', 'createDirectory'] : ['openFile', 'showHiddenFiles'],
      ...(defaultPath ? { defaultPath } : {}),
    };
    const window = parent();
    const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
    const path = result.canceled ? undefined : result.filePaths[0];
    if (path !== undefined) grantPickedPath({ path, kind });
    return path;
  };
}
