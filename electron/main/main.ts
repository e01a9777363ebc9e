import { app, BrowserWindow, dialog, ipcMain, Menu, nativeTheme, net, Notification, protocol, session, shell, type Screen } from 'electron';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appVersion } from '../core/app-version';
import { PickedPaths } from '../core/picked-paths';
import { startShell } from './shell';

const require = createRequire(import.meta.url);

// Files the user chose in the native open dialog: the only files outside a build context main reads.
const picked = new PickedPaths();

// The entry point: the real electron API into the shell (tests pass a stand-in instead).
startShell(
  {
    app,
    BrowserWindow,
    dialog,
    ipcMain,
    Menu,
    nativeTheme,
    net,
    Notification,
    protocol,
    session,
    shell,
    // Reading electron.screen before app 'ready' throws, so it is looked up only when used.
    get screen(): Screen {
      return (require('electron') as typeof import('electron')).screen;
    },
  },
  {
    distDir: dirname(fileURLToPath(import.meta.url)),
    version: appVersion(),
    development: !app.isPackaged,
    grantPickedPath: (choice) => picked.grant(choice),
    coreOptions: { picked },
  },
);
