import type { MenuItemConstructorOptions } from 'electron';
import { accelerator, type ShortcutId } from '../../shared/ui/keymap';
import { PAGE_IDS, PAGE_LABELS } from '../../shared/ui/pages';

export interface MenuActions {
  /** A menu item that stands for a shortcut: the page does what its key does. */
  command(id: ShortcutId): void;
  about(): void;
  openDataFolder(): void;
}

export interface MenuFacts {
  platform: NodeJS.Platform;
  /** Developer tools are offered only in development. */
  development: boolean;
  appName: string;
}

/**
 * An item for a shortcut of the keymap. The page handles the key itself (in both desktop and
 * headless mode), so the menu only shows the accelerator: registering it too would run the action
 * twice on Linux and Windows. On macOS a key the page handled does not reach the menu.
 */
const shortcutItem = (label: string, id: ShortcutId, actions: MenuActions): MenuItemConstructorOptions => ({
  label,
  accelerator: accelerator(id),
  registerAccelerator: false,
  click: () => actions.command(id),
});

/** The application menu. Edit uses the standard roles, so copy and paste work in every field. */
export function menuTemplate(facts: MenuFacts, actions: MenuActions): MenuItemConstructorOptions[] {
  const mac = facts.platform === 'darwin';
  const about: MenuItemConstructorOptions = { label: `About ${facts.appName}`, click: () => actions.about() };
  const appMenu: MenuItemConstructorOptions = {
    label: facts.appName,
    submenu: [about, { type: 'separator' }, { role: 'services' }, { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' }, { role: 'quit' }],
  };
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [shortcutItem('Open Build Context…', 'build.openContext', actions), { type: 'separator' }, mac ? { role: 'close' } : { role: 'quit' }],
  };
  const edit: MenuItemConstructorOptions = {
    label: 'Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      ...(mac ? [{ role: 'pasteAndMatchStyle' } as const] : []),
      { role: 'delete' },
      { type: 'separator' },
      { role: 'selectAll' },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      { role: 'reload' },
      { role: 'forceReload' },
      ...(facts.development ? [{ role: 'toggleDevTools' } as const] : []),
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };
  const go: MenuItemConstructorOptions = { label: 'Go', submenu: PAGE_IDS.map((page) => shortcutItem(PAGE_LABELS[page], `page.${page}`, actions)) };
  const help: MenuItemConstructorOptions = {
    role: 'help',
    submenu: [
      shortcutItem('Keyboard Shortcuts', 'help.shortcuts', actions),
      { label: 'Open Data Folder', click: () => actions.openDataFolder() },
      // macOS keeps About in the app menu
      ...(mac ? [] : [{ type: 'separator' } as const, about]),
    ],
  };
  return [...(mac ? [appMenu] : []), file, edit, view, go, ...(mac ? [{ role: 'windowMenu' } as const] : []), help];
}

export interface AboutFacts {
  app: string;
  electron: string;
  chrome: string;
  node: string;
  /** Unknown while the engine is not connected. */
  docker?: string;
  buildx?: string;
  dataDir: string;
}

/** Help › About: every version a bug report needs. */
export function aboutDetail(facts: AboutFacts): string {
  return [
    `Version ${facts.app}`,
    `Electron ${facts.electron} (Chromium ${facts.chrome})`,
    `Node.js ${facts.node}`,
    `Docker ${facts.docker ?? 'not connected'}`,
    `buildx ${facts.buildx ?? (facts.docker ? 'not installed' : 'not known (no engine)')}`,
    `Data folder: ${facts.dataDir}`,
  ].join('\n');
}
