import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeFrame, type Frame } from '../../shared/rpc/frames';
import { RPC_CHANNEL } from '../../shared/rpc/ipc-channel';
import { createCore, type Core, type CoreOptions } from '../core/composition';
import { PickedPaths } from '../core/picked-paths';
import { ipcTransport } from './ipc-transport';
import { startShell, type Shell } from './shell';
import { createElectronStandIn, StandInFrame, StandInWebContents, type ElectronStandIn, type StandInBrowserWindow } from './testing/electron-stand-in';
import { saveWindowState, windowStateFile } from './window-state';

const noEngine: Partial<CoreOptions> = { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock', PATH: process.env.PATH }, log: () => undefined, validateOutputs: true };
const manualTimer = { set: () => 0, clear: () => undefined };

let userData: string;
let standIn: ElectronStandIn;
let shell: Shell | undefined;

afterEach(async () => {
  await shell?.core()?.dispose();
  shell = undefined;
  await rm(userData, { recursive: true, force: true, maxRetries: 5 });
});

async function start(options: { createCore?: (o: CoreOptions) => Promise<Core>; grants?: unknown[]; picked?: PickedPaths } = {}) {
  userData = await mkdtemp(join(tmpdir(), 'mas-shell-'));
  standIn = createElectronStandIn({ userData });
  shell = startShell(standIn.electron, {
    distDir: join(userData, 'dist', 'electron'),
    version: '1.2.3',
    development: false,
    coreOptions: { ...noEngine, ...(options.picked ? { picked: options.picked } : {}) },
    timer: manualTimer,
    log: () => undefined,
    ...(options.createCore ? { createCore: options.createCore } : {}),
    ...(options.grants ? { grantPickedPath: (picked) => options.grants!.push(picked) } : {}),
    // as electron/main/main.ts wires it
    ...(options.picked ? { grantPickedPath: (choice) => options.picked!.grant(choice) } : {}),
  });
  return { standIn, shell };
}

async function ready(): Promise<StandInBrowserWindow> {
  standIn.app.becomeReady();
  await shell!.started;
  const [win] = standIn.windows();
  if (!win) throw new Error('no window opened');
  return win;
}

/** A frame from the page, as Electron's IPC delivers it: with the sender and its frame. */
function fromPage(win: StandInBrowserWindow, frame: Frame, sender: { sender?: unknown; senderFrame?: unknown } = {}) {
  standIn.ipcMain.emit(RPC_CHANNEL, { sender: win.webContents, senderFrame: win.webContents.mainFrame, ...sender }, frame);
}

/** Main sends frames to the window as JSON text (one copy, the same size cap as the WebSocket). */
const frameOf = (message: unknown): Frame => decodeFrame(String(message)) as Frame;

/** The answer the page got to request `id` (waits on the frames the window was sent). */
async function answer(win: StandInBrowserWindow, id: number): Promise<Frame> {
  for (;;) {
    const found = win.webContents.sent.map((s) => frameOf(s.message)).find((f) => (f.t === 'res' || f.t === 'err') && f.id === id);
    if (found) return found;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('the desktop shell against the electron stand-in', () => {
  it('opens one window with the security settings, on app://, navigation and new windows locked down, permissions denied', async () => {
    await start();
    const win = await ready();
    expect(win.options).toMatchObject({
      show: false,
      webPreferences: {
        preload: join(userData, 'dist', 'electron', 'preload.cjs'),
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        webviewTag: false,
        allowRunningInsecureContent: false,
      },
    });
    expect(win.loaded).toEqual(['app://studio/index.html']);
    expect(standIn.record.privileged).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
    expect(win.webContents.tryNavigate('will-navigate', 'https://example.com/')).toBe(false);
    expect(win.webContents.tryNavigate('will-navigate', 'app://studio/index.html#/build')).toBe(true);
    expect(win.webContents.tryNavigate('will-frame-navigate', 'file:///etc/passwd')).toBe(false);
    expect(win.webContents.tryNavigate('will-redirect', 'app://studio/index.html')).toBe(false);
    expect(win.webContents.tryNavigate('will-attach-webview', 'app://studio/index.html')).toBe(false);
    expect(win.webContents.windowOpenHandler?.({ url: 'https://docs.docker.com/build/' })).toEqual({ action: 'deny' });
    expect(win.webContents.windowOpenHandler?.({ url: 'http://example.com/' })).toEqual({ action: 'deny' });
    expect(win.webContents.windowOpenHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(standIn.record.opened).toEqual(['https://docs.docker.com/build/']);
    const granted: boolean[] = [];
    standIn.record.permission.request?.(...([undefined, 'notifications', (ok: boolean) => granted.push(ok)] as never[]));
    expect(granted).toEqual([false]);
    expect(standIn.record.permission.check?.()).toBe(false);
    expect(standIn.record.permission.device?.()).toBe(false);
    win.emit('ready-to-show');
    expect(win.shown).toBe(true);
    expect(win.maximized).toBe(false);
  });

  it('routes IPC frames from its own main frame to the core and drops everyone else’s', async () => {
    await start();
    const win = await ready();
    const about = (id: number): Frame => ({ t: 'req', id, ch: 'app.about', input: {} });
    fromPage(win, about(1), { sender: new StandInWebContents() }); // another window
    fromPage(win, about(2), { senderFrame: new StandInFrame('app://studio/index.html') }); // a sub-frame
    fromPage(win, about(3), { senderFrame: null }); // a frame already gone
    const mainFrame = win.webContents.mainFrame;
    mainFrame.url = 'https://example.com/';
    fromPage(win, about(4)); // our frame, navigated away
    mainFrame.url = 'app://studio/index.html';
    fromPage(win, about(5));
    expect(await answer(win, 5)).toMatchObject({ t: 'res', id: 5, output: { name: 'Multiarch Studio', version: '1.2.3', mode: 'desktop', dataDir: userData } });
    const answered = win.webContents.sent.map((s) => (frameOf(s.message) as { id?: number }).id);
    expect(answered).not.toContain(1);
    expect(answered).not.toContain(2);
    expect(answered).not.toContain(3);
    expect(answered).not.toContain(4);
    expect(win.webContents.sent.every((s) => s.channel === RPC_CHANNEL)).toBe(true);
  });

  it('serves a reloaded page as a new connection, and stops sending to a closed window', async () => {
    await start();
    const win = await ready();
    const core = shell!.core()!;
    expect(core.server.connections).toBe(1);
    win.webContents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false });
    expect(core.server.connections).toBe(1);
    win.webContents.emit('did-start-navigation', { isMainFrame: false, isSameDocument: false });
    expect(core.server.connections).toBe(1);
    fromPage(win, { t: 'req', id: 7, ch: 'app.settings', input: {} });
    expect(await answer(win, 7)).toMatchObject({ t: 'res', id: 7 });
    const transport = ipcTransport(standIn.electron.ipcMain, win.webContents as never);
    win.close();
    const before = win.webContents.sent.length;
    // A closed window is a lost connection to the server: the send fails instead of vanishing.
    expect(() => transport.send({ t: 'event', ch: 'app.onCommand', payload: { id: 'page.build' } })).toThrow(/window has closed/);
    expect(win.webContents.sent.length).toBe(before);
  });

  it('waits for the core (its running builds) to stop before quitting', async () => {
    let release!: () => void;
    const stopped = new Promise<void>((resolve) => (release = resolve));
    const disposals: string[] = [];
    await start({
      createCore: async (options) => {
        const core = await createCore(options);
        return {
          ...core,
          async dispose() {
            disposals.push('asked');
            await stopped;
            await core.dispose();
            disposals.push('done');
          },
        };
      },
    });
    await ready();
    standIn.app.quit();
    expect(standIn.app.quitted).toBe(false);
    expect(disposals).toEqual(['asked']);
    release();
    for (;;) {
      if (standIn.app.quitted) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(disposals).toEqual(['asked', 'done']);
    expect(standIn.app.quitCalls).toBe(2);
    shell = undefined; // already disposed
  });

  it('quits at once as a second instance, without a core or a window', async () => {
    userData = await mkdtemp(join(tmpdir(), 'mas-shell-'));
    standIn = createElectronStandIn({ userData });
    standIn.app.singleInstance = false;
    shell = startShell(standIn.electron, { distDir: userData, version: '1', development: false, coreOptions: noEngine });
    await shell.started;
    expect(standIn.app.quitted).toBe(true);
    expect(shell.core()).toBeUndefined();
    expect(standIn.windows()).toEqual([]);
  });

  it('reopens where the window was, maximised, kept on the displays there are now', async () => {
    userData = await mkdtemp(join(tmpdir(), 'mas-shell-'));
    await saveWindowState(windowStateFile(userData), { bounds: { x: 2200, y: 100, width: 1200, height: 800 }, maximized: true });
    standIn = createElectronStandIn({ userData, displays: [{ x: 0, y: 0, width: 1920, height: 1040 }] });
    shell = startShell(standIn.electron, { distDir: userData, version: '1', development: false, coreOptions: noEngine, timer: manualTimer, log: () => undefined });
    const win = await ready();
    expect(win.options).toMatchObject({ x: 720, y: 100, width: 1200, height: 800, minWidth: 900, minHeight: 600 });
    win.emit('ready-to-show');
    expect(win.maximized).toBe(true);
  });

  it('sets the native theme from the theme choice, and follows it when the page changes it', async () => {
    await start();
    const win = await ready();
    expect(standIn.nativeTheme.themeSource).toBe('system');
    fromPage(win, { t: 'req', id: 1, ch: 'app.updateSettings', input: { ui: { theme: 'dark' } } });
    await answer(win, 1);
    expect(standIn.nativeTheme.themeSource).toBe('dark');
    fromPage(win, { t: 'req', id: 2, ch: 'app.updateSettings', input: { ui: { theme: 'light' } } });
    await answer(win, 2);
    expect(standIn.nativeTheme.themeSource).toBe('light');
  });

  it('answers app.pickPath with the native dialog on the window, passing the choice through the picked-path grant', async () => {
    const grants: unknown[] = [];
    await start({ grants });
    const win = await ready();
    standIn.record.dialogAnswers.push({ canceled: false, filePaths: ['/home/me/app'] }, { canceled: true, filePaths: [] });
    fromPage(win, { t: 'req', id: 1, ch: 'app.pickPath', input: { kind: 'folder', title: 'Choose the build context folder', defaultPath: '/home/me' } });
    expect(await answer(win, 1)).toMatchObject({ t: 'res', output: { path: '/home/me/app' } });
    fromPage(win, { t: 'req', id: 2, ch: 'app.pickPath', input: { kind: 'file', title: 'Choose the Dockerfile' } });
    expect(await answer(win, 2)).toMatchObject({ t: 'res', output: {} });
    expect(standIn.record.openDialogs).toEqual([
      { window: win, options: { title: 'Choose the build context folder', properties: ['openDirectory', 'createDirectory'], defaultPath: '/home/me' } },
      { window: win, options: { title: 'Choose the Dockerfile', properties: ['openFile', 'showHiddenFiles'] } },
    ]);
    expect(grants).toEqual([{ path: '/home/me/app', kind: 'folder' }]);
  });

  it('grants main a file outside the build context only once the native dialog answered it (a folder grants none)', async () => {
    await start({ picked: new PickedPaths() });
    const win = await ready();
    const project = join(userData, 'project');
    const chosen = join(userData, 'elsewhere', 'Dockerfile');
    await mkdir(project, { recursive: true });
    await mkdir(join(userData, 'elsewhere'));
    await writeFile(chosen, 'FROM busybox AS outside\n');
    const analyze = { contextDir: project, dockerfile: chosen };
    fromPage(win, { t: 'req', id: 1, ch: 'dockerfile.analyze', input: analyze });
    expect(await answer(win, 1)).toMatchObject({ t: 'err', error: { message: expect.stringMatching(/outside the build context/) } });
    standIn.record.dialogAnswers.push({ canceled: false, filePaths: [chosen] }, { canceled: false, filePaths: [chosen] });
    fromPage(win, { t: 'req', id: 2, ch: 'app.pickPath', input: { kind: 'folder', title: 'Choose the build context folder' } });
    await answer(win, 2);
    fromPage(win, { t: 'req', id: 3, ch: 'dockerfile.analyze', input: analyze });
    expect(await answer(win, 3)).toMatchObject({ t: 'err' });
    fromPage(win, { t: 'req', id: 4, ch: 'app.pickPath', input: { kind: 'file', title: 'Choose the Dockerfile' } });
    expect(await answer(win, 4)).toMatchObject({ t: 'res', output: { path: chosen } });
    fromPage(win, { t: 'req', id: 5, ch: 'dockerfile.analyze', input: analyze });
    expect(await answer(win, 5)).toMatchObject({ t: 'res', output: { dockerfile: chosen, analysis: { stages: [{ name: 'outside' }] } } });
  });

  it('installs the menu: its shortcut items reach the page as commands, About shows the versions, the data folder opens', async () => {
    await start();
    const win = await ready();
    const menu = standIn.record.menu!;
    const items = menu.flatMap((m) => (m.submenu as { label?: string; click?: () => void }[]) ?? []);
    fromPage(win, { t: 'sub', ch: 'app.onCommand' });
    fromPage(win, { t: 'req', id: 1, ch: 'app.settings', input: {} });
    await answer(win, 1); // the subscription came first, in order
    items.find((i) => i.label === 'Build')!.click!();
    expect(win.webContents.sent.map((s) => frameOf(s.message))).toContainEqual({ t: 'event', ch: 'app.onCommand', payload: { id: 'page.build' } });
    items.find((i) => i.label === 'Open Data Folder')!.click!();
    expect(standIn.record.openedPaths).toEqual([userData]);
    items.find((i) => i.label === 'About Multiarch Studio')!.click!();
    for (;;) {
      if (standIn.record.messageBoxes.length) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    const [box] = standIn.record.messageBoxes;
    expect(box!.window).toBe(win);
    expect(box!.options.message).toBe('Multiarch Studio 1.2.3');
    expect(box!.options.detail).toContain(`Node.js ${process.versions.node}`);
    expect(box!.options.detail).toContain('Docker not connected');
    expect(JSON.stringify(menu)).not.toContain('toggleDevTools');
  });
});
