/**
 * The parts of the `electron` module the shell uses. Every shell module receives what it needs of
 * it instead of importing it: main.ts passes the real module, the tests a recording stand-in
 * (testing/electron-stand-in.ts), so the shell is exercised where the Electron binary cannot run.
 */
export type ElectronApi = Pick<
  typeof import('electron'),
  'app' | 'BrowserWindow' | 'dialog' | 'ipcMain' | 'Menu' | 'nativeTheme' | 'net' | 'Notification' | 'protocol' | 'screen' | 'session' | 'shell'
>;
