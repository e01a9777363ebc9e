import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { accelerator, type ShortcutId } from '../../shared/ui/keymap';
import { aboutDetail, menuTemplate, type MenuActions } from './menu';

function recorder() {
  const calls: string[] = [];
  const actions: MenuActions = { command: (id: ShortcutId) => calls.push(id), about: () => calls.push('about'), openDataFolder: () => calls.push('data') };
  return { calls, actions };
}
const submenu = (template: MenuItemConstructorOptions[], label: string) => {
  const menu = template.find((m) => m.label === label || m.role === label);
  if (!menu) throw new Error(`no ${label} menu`);
  return menu.submenu as MenuItemConstructorOptions[];
};
const item = (items: MenuItemConstructorOptions[], label: string) => items.find((i) => i.label === label)!;
const roles = (items: MenuItemConstructorOptions[]) => items.filter((i) => i.role).map((i) => i.role);
const click = (i: MenuItemConstructorOptions) => (i.click as () => void)();

describe('the application menu', () => {
  it('on Linux and Windows: File, Edit, View, Go, Help, with standard Edit roles so copy and paste work in every field', () => {
    const { actions } = recorder();
    const template = menuTemplate({ platform: 'linux', development: false, appName: 'Multiarch Studio' }, actions);
    expect(template.map((m) => m.label ?? m.role)).toEqual(['File', 'Edit', 'View', 'Go', 'help']);
    expect(roles(submenu(template, 'File'))).toEqual(['quit']);
    expect(roles(submenu(template, 'Edit'))).toEqual(['undo', 'redo', 'cut', 'copy', 'paste', 'delete', 'selectAll']);
    expect(roles(submenu(template, 'View'))).toEqual(['reload', 'forceReload', 'resetZoom', 'zoomIn', 'zoomOut', 'togglefullscreen']);
  });

  it('offers the developer tools only in development', () => {
    const { actions } = recorder();
    const dev = menuTemplate({ platform: 'linux', development: true, appName: 'Multiarch Studio' }, actions);
    expect(roles(submenu(dev, 'View'))).toContain('toggleDevTools');
    const shipped = menuTemplate({ platform: 'linux', development: false, appName: 'Multiarch Studio' }, actions);
    expect(JSON.stringify(shipped)).not.toContain('DevTools');
  });

  it('shows the keymap’s keys on items that stand for a shortcut, leaves the key to the page, and sends the command when clicked', () => {
    const { calls, actions } = recorder();
    const template = menuTemplate({ platform: 'linux', development: false, appName: 'Multiarch Studio' }, actions);
    const shortcutItems: Array<[MenuItemConstructorOptions, ShortcutId]> = [
      [item(submenu(template, 'File'), 'Open Build Context…'), 'build.openContext'],
      [item(submenu(template, 'Go'), 'Engine'), 'page.engine'],
      [item(submenu(template, 'Go'), 'Build'), 'page.build'],
      [item(submenu(template, 'Go'), 'History'), 'page.history'],
      [item(submenu(template, 'help'), 'Keyboard Shortcuts'), 'help.shortcuts'],
    ];
    for (const [entry, id] of shortcutItems) {
      expect(entry.accelerator, id).toBe(accelerator(id));
      expect(entry.registerAccelerator, id).toBe(false);
      click(entry);
    }
    expect(submenu(template, 'Go').map((i) => i.accelerator)).toEqual(['CmdOrCtrl+1', 'CmdOrCtrl+2', 'CmdOrCtrl+3', 'CmdOrCtrl+4', 'CmdOrCtrl+5', 'CmdOrCtrl+6']);
    click(item(submenu(template, 'help'), 'Open Data Folder'));
    click(item(submenu(template, 'help'), 'About Multiarch Studio'));
    expect(calls).toEqual(['build.openContext', 'page.engine', 'page.build', 'page.history', 'help.shortcuts', 'data', 'about']);
  });

  it('follows macOS conventions on darwin: the app menu with About and Quit, Close in File, a Window menu', () => {
    const { calls, actions } = recorder();
    const template = menuTemplate({ platform: 'darwin', development: false, appName: 'Multiarch Studio' }, actions);
    expect(template.map((m) => m.label ?? m.role)).toEqual(['Multiarch Studio', 'File', 'Edit', 'View', 'Go', 'windowMenu', 'help']);
    const app = submenu(template, 'Multiarch Studio');
    expect(roles(app)).toEqual(['services', 'hide', 'hideOthers', 'unhide', 'quit']);
    click(item(app, 'About Multiarch Studio'));
    expect(calls).toEqual(['about']);
    expect(roles(submenu(template, 'File'))).toEqual(['close']);
    expect(roles(submenu(template, 'Edit'))).toContain('pasteAndMatchStyle');
    expect(item(submenu(template, 'help'), 'About Multiarch Studio')).toBeUndefined();
  });

  it('says every version in About, and what is unknown without an engine', () => {
    const base = { app: '0.1.0', electron: '45.5.0', chrome: '140.0.1', node: '22.20.0', dataDir: '/home/me/.config/Multiarch Studio' };
    expect(aboutDetail({ ...base, docker: '28.5.1', buildx: '0.29.1' }).split('\n')).toEqual([
      'Version 0.1.0',
      'Electron 45.5.0 (Chromium 140.0.1)',
      'Node.js 22.20.0',
      'Docker 28.5.1',
      'buildx 0.29.1',
      'Data folder: /home/me/.config/Multiarch Studio',
    ]);
    expect(aboutDetail(base)).toContain('Docker not connected\nbuildx not known (no engine)');
    expect(aboutDetail({ ...base, docker: '26.1.5' })).toContain('buildx not installed');
  });
});
