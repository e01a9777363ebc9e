import { app, BrowserWindow, Menu, Notification } from 'electron';
import { buildEndedNotification } from '../../shared/domain/build-notification';
import type { BuildRecord } from '../../shared/contract/builds';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCore, type Core } from '../core/composition';
import { appVersion } from '../core/app-version';
import { ipcTransport } from './ipc-transport';
import { registerSchemePrivileges, serveRenderer } from './protocol';
import { createMainWindow, denyPermissions } from './window';

const here = dirname(fileURLToPath(import.meta.url));
let core: Core | undefined;

registerSchemePrivileges();
// A second start focuses the first window instead of running a second core.
const primary = app.requestSingleInstanceLock();
if (!primary) app.quit();

function focusMainWindow(): void {
  const win = BrowserWindow.getAllWindows()[0];
  if (win) {
    if (win.isMinimized()) win.restore();
    win.focus();
  }
}

app.on('second-instance', focusMainWindow);

async function openWindow(): Promise<void> {
  core ??= await createCore({
    mode: 'desktop',
    dataDir: app.getPath('userData'),
    version: appVersion(),
    builds: { onEnded: notifyBuildEnded },
  });
  const win = createMainWindow(join(here, 'preload.cjs'), join(here, '..', '..', 'assets', 'icon.png'));
  const started = core;
  let disconnect = started.server.connect(ipcTransport(win.webContents));
  // A reload is a new page with new calls: end the old page's work and serve the new one.
  win.webContents.on('did-start-navigation', (details) => {
    if (!details.isMainFrame || details.isSameDocument) return;
    disconnect();
    disconnect = started.server.connect(ipcTransport(win.webContents));
  });
}

/** The page may not show notifications (permissions are denied): the shell shows them natively. */
function notifyBuildEnded(record: BuildRecord): void {
  const focused = BrowserWindow.getAllWindows().some((w) => w.isFocused());
  const note = buildEndedNotification(record);
  if (focused || !note || !Notification.isSupported()) return;
  const shown = new Notification({ title: note.title, body: note.body });
  shown.on('click', focusMainWindow);
  shown.show();
}

void app.whenReady().then(async () => {
  if (!primary) return;
  denyPermissions();
  serveRenderer(join(here, '..', 'renderer'));
  Menu.setApplicationMenu(process.platform === 'darwin' ? Menu.getApplicationMenu() : null);
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
