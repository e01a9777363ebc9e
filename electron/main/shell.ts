import type { BrowserWindow } from 'electron';
import { join } from 'node:path';
import type { BuildRecord } from '../../shared/contract/builds';
import { buildEndedNotification } from '../../shared/domain/build-notification';
import { createCore as createRealCore, type Core, type CoreOptions } from '../core/composition';
import type { ElectronApi } from './electron-api';
import { ipcTransport } from './ipc-transport';
import { aboutDetail, menuTemplate } from './menu';
import { createPathPicker, type PickedPathGrant } from './picked-paths';
import { registerSchemePrivileges, serveRenderer } from './protocol';
import { createMainWindow, denyPermissions } from './window';
import { loadWindowState, placeWindow, saveWindowState, trackWindowState, windowStateFile, type Timer } from './window-state';

export interface ShellOptions {
  /** The built dist/electron folder: preload.cjs beside main.js, the renderer in ../renderer. */
  distDir: string;
  version: string;
  /** Developer tools in the View menu. */
  development: boolean;
  /** Told of every path picked in a native dialog (see picked-paths.ts). */
  grantPickedPath?: PickedPathGrant;
  /** Tests: a core of their own, and a clock. */
  createCore?: (options: CoreOptions) => Promise<Core>;
  /** Added to the core's options: the picked-path set the grant fills; tests' engine settings. */
  coreOptions?: Partial<CoreOptions>;
  timer?: Timer;
  log?: (message: string) => void;
}

export interface Shell {
  /** Settles once the first window is open (or at once for a second instance, which quits). */
  readonly started: Promise<void>;
  core(): Core | undefined;
}

const realTimer: Timer = { set: (run, ms) => setTimeout(run, ms), clear: (handle) => clearTimeout(handle as NodeJS.Timeout) };

/**
 * The desktop shell: one core for the app's life, one window onto it, the menu, window state and
 * the quit that waits for running builds. Everything Electron comes in through `electron`.
 */
export function startShell(electron: ElectronApi, options: ShellOptions): Shell {
  const { app, BrowserWindow } = electron;
  const log = options.log ?? ((m: string) => console.log(`[shell] ${m}`));
  let core: Core | undefined;

  registerSchemePrivileges(electron.protocol);
  // A second start focuses the first window instead of running a second core.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return { started: Promise.resolve(), core: () => undefined };
  }

  const dataDir = app.getPath('userData');
  const statePath = windowStateFile(dataDir);
  const mainWindow = (): BrowserWindow | undefined => BrowserWindow.getAllWindows()[0];
  const focusMainWindow = () => {
    const win = mainWindow();
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  };
  app.on('second-instance', focusMainWindow);

  /** The page may not show notifications (permissions are denied): the shell shows them natively. */
  const notifyBuildEnded = (record: BuildRecord) => {
    const focused = BrowserWindow.getAllWindows().some((w) => w.isFocused());
    const note = buildEndedNotification(record);
    if (focused || !note || !electron.Notification.isSupported()) return;
    const shown = new electron.Notification({ title: note.title, body: note.body });
    shown.on('click', focusMainWindow);
    shown.show();
  };

  const startCore = async (): Promise<Core> => {
    const started = await (options.createCore ?? createRealCore)({
      mode: 'desktop',
      dataDir,
      version: options.version,
      builds: { onEnded: notifyBuildEnded },
      pickPath: createPathPicker(electron.dialog, mainWindow, options.grantPickedPath ?? (() => undefined)),
      ...options.coreOptions,
    });
    // The page's prefers-color-scheme, the native dialogs and the menus follow the theme choice.
    const settings = started.context.settings;
    electron.nativeTheme.themeSource = settings.get().ui.theme;
    settings.onChanged((s) => (electron.nativeTheme.themeSource = s.ui.theme));
    return started;
  };

  const showAbout = async () => {
    const info = await core?.context.engine.info().catch(() => undefined);
    const detail = aboutDetail({
      app: options.version,
      electron: process.versions.electron ?? 'unknown',
      chrome: process.versions.chrome ?? 'unknown',
      node: process.versions.node,
      docker: info?.serverVersion,
      buildx: info?.buildx.version,
      dataDir,
    });
    const win = mainWindow();
    const box = { type: 'info' as const, title: 'About Multiarch Studio', message: `Multiarch Studio ${options.version}`, detail, buttons: ['OK'] };
    await (win ? electron.dialog.showMessageBox(win, box) : electron.dialog.showMessageBox(box));
  };

  const openWindow = async (): Promise<void> => {
    core ??= await startCore();
    const started = core;
    const screen = electron.screen;
    const place = placeWindow(
      await loadWindowState(statePath),
      screen.getAllDisplays().map((d) => d.workArea),
      screen.getPrimaryDisplay().workArea,
    );
    const win = createMainWindow(electron, {
      preloadPath: join(options.distDir, 'preload.cjs'),
      iconPath: join(options.distDir, '..', '..', 'assets', 'icon.png'),
      bounds: place.bounds,
      maximized: place.maximized,
    });
    trackWindowState(win, (state) => void saveWindowState(statePath, state).catch((e: Error) => log(`window state not saved: ${e.message}`)), options.timer ?? realTimer);
    let disconnect = started.server.connect(ipcTransport(electron.ipcMain, win.webContents));
    // A reload is a new page with new calls: end the old page's work and serve the new one.
    win.webContents.on('did-start-navigation', (details) => {
      if (!details.isMainFrame || details.isSameDocument) return;
      disconnect();
      disconnect = started.server.connect(ipcTransport(electron.ipcMain, win.webContents));
    });
  };

  const started = app.whenReady().then(async () => {
    denyPermissions(electron.session.defaultSession);
    serveRenderer(electron, join(options.distDir, '..', 'renderer'));
    const template = menuTemplate(
      { platform: process.platform, development: options.development, appName: 'Multiarch Studio' },
      {
        command: (id) => core?.server.emit('app.onCommand', { id }),
        about: () => void showAbout(),
        openDataFolder: () => void electron.shell.openPath(dataDir),
      },
    );
    electron.Menu.setApplicationMenu(electron.Menu.buildFromTemplate(template));
    await openWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) void openWindow();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Builds run in their own process groups, so they would outlive the app: stop them (and record
  // them as interrupted) before quitting.
  let disposed = false;
  app.on('will-quit', (event) => {
    if (disposed || !core) return;
    event.preventDefault();
    void core.dispose().finally(() => {
      disposed = true;
      app.quit();
    });
  });

  return { started, core: () => core };
}
