import { useEffect, useState } from 'react';
import { api, isConnectionClosed, onConnectionClosed } from '../api';
import { useEngineStore } from '../stores/engine-store';
import { useNav } from '../stores/nav-store';
import { useThemeStore } from '../theme/theme-store';
import { OPEN_CONTEXT } from '../features/build/open-context';
import { PAGES } from './pages';
import { RestoreBanner } from './RestoreBanner';
import { installShortcuts, runShortcut, shortcutProps, useShortcuts } from './shortcuts';
import { ShortcutsDialog } from './ShortcutsDialog';
import { StatusBar } from './StatusBar';
import { StorageBanner } from './StorageBanner';
import { ThemeSwitch } from './ThemeSwitch';
import { useUiSettings } from './ui-settings';

export function App() {
  const { page, go } = useNav();
  const follow = useEngineStore((s) => s.follow);
  const [coreClosed, setCoreClosed] = useState(isConnectionClosed());
  const [showShortcuts, setShowShortcuts] = useState(false);

  useEffect(() => follow(api()), [follow]);
  useEffect(() => onConnectionClosed(() => setCoreClosed(true)), []);
  useEffect(() => useThemeStore.getState().follow(window), []);
  useEffect(() => installShortcuts(window), []);
  // Desktop menu items that stand for a shortcut arrive as commands.
  useEffect(() => api().app.onCommand(({ id }) => void runShortcut(id)), []);
  useUiSettings();
  useShortcuts({
    'page.engine': () => go('engine'),
    'page.emulators': () => go('emulators'),
    'page.builders': () => go('builders'),
    'page.build': () => go('build'),
    'page.results': () => go('results'),
    'page.history': () => go('history'),
    'build.openContext': () => go('build', OPEN_CONTEXT),
    'help.shortcuts': () => setShowShortcuts(true),
  });

  const Current = PAGES.find((p) => p.id === page)?.component ?? PAGES[0]!.component;
  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Pages">
        <div className="brand">Multiarch Studio</div>
        {PAGES.map((p) => (
          <button
            type="button"
            key={p.id}
            className={p.id === page ? 'nav active' : 'nav'}
            aria-current={p.id === page ? 'page' : undefined}
            data-testid={`nav-${p.id}`}
            onClick={() => go(p.id)}
            {...shortcutProps(`page.${p.id}`, `Go to ${p.label}`)}
          >
            <span className="nav-icon" aria-hidden>
              {p.icon}
            </span>
            {p.label}
          </button>
        ))}
        <div className="sidebar-foot">
          <ThemeSwitch />
          <button type="button" className="link-button" data-testid="show-shortcuts" onClick={() => setShowShortcuts(true)} {...shortcutProps('help.shortcuts', 'Keyboard shortcuts')}>
            Keyboard shortcuts
          </button>
        </div>
      </nav>
      <main className="content">
        <StorageBanner />
        <RestoreBanner />
        <Current />
      </main>
      <StatusBar coreClosed={coreClosed} />
      {showShortcuts && <ShortcutsDialog onClose={() => setShowShortcuts(false)} />}
    </div>
  );
}
