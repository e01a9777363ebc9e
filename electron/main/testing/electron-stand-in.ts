import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { MenuItemConstructorOptions, OpenDialogOptions, OpenDialogReturnValue } from 'electron';
import type { ElectronApi } from '../electron-api';
import type { Rect } from '../window-state';

/**
 * A RECORDING STAND-IN for the parts of the `electron` module the shell uses (electron-api.ts),
 * for tests on machines where the Electron binary cannot run. It behaves as far as the shell relies
 * on (events, windows, the app:// handler, IPC routing, quit sequencing) and records every call;
 * it is not Electron, and passing against it says nothing about Chromium itself.
 */

type Listener = (...args: never[]) => unknown;

export class StandInFrame {
  constructor(public url: string) {}
}

export class StandInWebContents extends EventEmitter {
  readonly mainFrame = new StandInFrame('app://studio/index.html');
  readonly sent: Array<{ channel: string; message: unknown }> = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;
  private destroyed = false;
  send(channel: string, message: unknown): void {
    this.sent.push({ channel, message });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('destroyed');
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  /** Emits a navigation-like event and says whether a listener prevented it. */
  tryNavigate(event: 'will-navigate' | 'will-frame-navigate' | 'will-redirect' | 'will-attach-webview', url: string): boolean {
    let prevented = false;
    const details = { url, preventDefault: () => void (prevented = true) };
    this.emit(event, details, url);
    return !prevented;
  }
}

export class StandInBrowserWindow extends EventEmitter {
  static windows: StandInBrowserWindow[] = [];
  static getAllWindows(): StandInBrowserWindow[] {
    return StandInBrowserWindow.windows.filter((w) => !w.closed);
  }
  readonly webContents = new StandInWebContents();
  readonly loaded: string[] = [];
  bounds: Rect;
  maximized = false;
  shown = false;
  closed = false;
  constructor(readonly options: Record<string, unknown> & { width?: number; height?: number; x?: number; y?: number }) {
    super();
    this.bounds = { x: options.x ?? 0, y: options.y ?? 0, width: options.width ?? 800, height: options.height ?? 600 };
    StandInBrowserWindow.windows.push(this);
  }
  loadURL(url: string): Promise<void> {
    this.loaded.push(url);
    return Promise.resolve();
  }
  show(): void {
    this.shown = true;
  }
  maximize(): void {
    this.maximized = true;
    this.emit('maximize');
  }
  unmaximize(): void {
    this.maximized = false;
    this.emit('unmaximize');
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  isMinimized(): boolean {
    return false;
  }
  isFocused(): boolean {
    return false;
  }
  restore(): void {}
  focus(): void {}
  getNormalBounds(): Rect {
    return { ...this.bounds };
  }
  /** The user dragged or resized the window. */
  moveTo(bounds: Rect): void {
    this.bounds = bounds;
    this.emit('move');
    this.emit('resize');
  }
  close(): void {
    this.emit('close');
    this.closed = true;
    this.webContents.destroy();
    this.emit('closed');
  }
}

class StandInApp extends EventEmitter {
  quitCalls = 0;
  /** True once a quit went through (no will-quit listener prevented it). */
  quitted = false;
  singleInstance = true;
  isPackaged = false;
  private readyResolve!: () => void;
  private readonly ready = new Promise<void>((resolve) => (this.readyResolve = resolve));
  constructor(private readonly userData: string) {
    super();
  }
  requestSingleInstanceLock(): boolean {
    return this.singleInstance;
  }
  getPath(name: string): string {
    if (name !== 'userData') throw new Error(`stand-in knows only userData, not ${name}`);
    return this.userData;
  }
  whenReady(): Promise<void> {
    return this.ready;
  }
  /** The test says when the app is ready. */
  becomeReady(): void {
    this.emit('ready');
    this.readyResolve();
  }
  /** Electron's order: will-quit may be prevented; otherwise the app quits. */
  quit(): void {
    this.quitCalls += 1;
    let prevented = false;
    this.emit('will-quit', { preventDefault: () => void (prevented = true) });
    if (!prevented) this.quitted = true;
  }
}

export interface StandInOptions {
  userData: string;
  /** Work areas of the connected displays; the first is the primary one. */
  displays?: Rect[];
}

export function createElectronStandIn(options: StandInOptions) {
  StandInBrowserWindow.windows = [];
  const app = new StandInApp(options.userData);
  const displays = options.displays ?? [{ x: 0, y: 0, width: 1920, height: 1080 }];
  const handlers = new Map<string, (request: Request) => Promise<Response>>();
  const record = {
    privileged: [] as unknown[],
    fetched: [] as string[],
    menu: undefined as MenuItemConstructorOptions[] | undefined,
    openDialogs: [] as Array<{ window: unknown; options: OpenDialogOptions }>,
    dialogAnswers: [] as OpenDialogReturnValue[],
    messageBoxes: [] as Array<{ window: unknown; options: { message?: string; detail?: string } }>,
    opened: [] as string[],
    openedPaths: [] as string[],
    permission: { request: undefined as Listener | undefined, check: undefined as Listener | undefined, device: undefined as Listener | undefined },
  };
  const electron = {
    app,
    BrowserWindow: StandInBrowserWindow,
    ipcMain: new EventEmitter(),
    nativeTheme: { themeSource: 'system', shouldUseDarkColors: false },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => record.privileged.push(...schemes),
      handle: (scheme: string, handler: (request: Request) => Promise<Response>) => handlers.set(scheme, handler),
    },
    // Reads files for real, as net.fetch does for file:// URLs.
    net: {
      fetch: async (url: string) => {
        record.fetched.push(url);
        return new Response(await readFile(fileURLToPath(url)));
      },
    },
    Menu: {
      buildFromTemplate: (template: MenuItemConstructorOptions[]) => ({ template }),
      setApplicationMenu: (menu: { template: MenuItemConstructorOptions[] } | null) => void (record.menu = menu?.template),
    },
    Notification: Object.assign(class {}, { isSupported: () => false }),
    dialog: {
      showOpenDialog: async (window: unknown, dialogOptions?: OpenDialogOptions) => {
        record.openDialogs.push(dialogOptions ? { window, options: dialogOptions } : { window: undefined, options: window as OpenDialogOptions });
        return record.dialogAnswers.shift() ?? { canceled: true, filePaths: [] };
      },
      showMessageBox: async (window: unknown, box?: { message?: string; detail?: string }) => {
        record.messageBoxes.push(box ? { window, options: box } : { window: undefined, options: window as { message?: string; detail?: string } });
        return { response: 0, checkboxChecked: false };
      },
    },
    screen: {
      getAllDisplays: () => displays.map((workArea) => ({ workArea })),
      getPrimaryDisplay: () => ({ workArea: displays[0]! }),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: Listener) => void (record.permission.request = h),
        setPermissionCheckHandler: (h: Listener) => void (record.permission.check = h),
        setDevicePermissionHandler: (h: Listener) => void (record.permission.device = h),
      },
    },
    shell: {
      openExternal: async (url: string) => void record.opened.push(url),
      openPath: async (path: string) => (record.openedPaths.push(path), ''),
    },
  };
  return {
    // The one cast: the stand-in has the shape the shell uses, not all of Electron's.
    electron: electron as unknown as ElectronApi,
    app,
    ipcMain: electron.ipcMain,
    nativeTheme: electron.nativeTheme,
    record,
    windows: () => StandInBrowserWindow.getAllWindows(),
    /** Asks the app:// handler, as the window's page would. */
    request(url: string): Promise<Response> {
      const handler = handlers.get(new URL(url).protocol.replace(/:$/, ''));
      if (!handler) throw new Error(`no handler for ${url}`);
      return handler(new Request(url));
    },
  };
}

export type ElectronStandIn = ReturnType<typeof createElectronStandIn>;
