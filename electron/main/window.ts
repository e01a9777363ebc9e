import type { BrowserWindow, BrowserWindowConstructorOptions, Session, WebContents } from 'electron';
import type { ElectronApi } from './electron-api';
import { APP_ORIGIN, isAppUrl, isSafeExternal } from './navigation';

export interface MainWindowOptions {
  preloadPath: string;
  iconPath: string;
  /** Where the window was last (window-state.ts); the default size otherwise. */
  bounds?: { x?: number; y?: number; width: number; height: number };
  maximized?: boolean;
}

/** The window's background before the page paints, so opening does not flash the other theme. */
export const WINDOW_BACKGROUND = { dark: '#0f1419', light: '#f6f8fa' } as const;

/**
 * The one window factory: every security setting lives here. The page is sandboxed with no Node,
 * isolated from the preload, cannot navigate away, open windows, or get any permission.
 */
export function createMainWindow(electron: Pick<ElectronApi, 'BrowserWindow' | 'shell' | 'nativeTheme'>, options: MainWindowOptions): BrowserWindow {
  const settings: BrowserWindowConstructorOptions = {
    width: 1280,
    height: 820,
    ...options.bounds,
    minWidth: 900,
    minHeight: 600,
    title: 'Multiarch Studio',
    icon: options.iconPath,
    show: false,
    backgroundColor: electron.nativeTheme.shouldUseDarkColors ? WINDOW_BACKGROUND.dark : WINDOW_BACKGROUND.light,
    webPreferences: {
      preload: options.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      webviewTag: false,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  };
  const win = new electron.BrowserWindow(settings);
  lockDown(win.webContents, electron.shell);
  win.once('ready-to-show', () => {
    if (options.maximized) win.maximize();
    win.show();
  });
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

function lockDown(contents: WebContents, shell: ElectronApi['shell']): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-frame-navigate', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // Links to documentation open in the user's browser, and only over https.
    if (isSafeExternal(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

/** No permission is ever granted to the page (notifications are shown by the main process). */
export function denyPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}
