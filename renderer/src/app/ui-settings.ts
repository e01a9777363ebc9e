import { useEffect, useRef } from 'react';
import { api } from '../api';
import { useNav, type PageId } from '../stores/nav-store';
import { useThemeStore } from '../theme/theme-store';

/**
 * The shell's own settings: the theme choice and the page last shown, read once at start; the page
 * is saved on every change so the next start opens where the user left.
 */
export function useUiSettings(): void {
  const page = useNav((s) => s.page);
  const loaded = useRef(false);

  useEffect(() => {
    let stale = false;
    api()
      .app.settings({})
      .then(
        (settings) => {
          if (stale) return;
          useThemeStore.getState().restore(settings.ui.theme);
          useNav.getState().restore(settings.ui.lastPage);
          loaded.current = true;
          const now = useNav.getState().page;
          if (now !== settings.ui.lastPage) saveLastPage(now);
        },
        () => undefined, // the status bar already says when the core cannot be reached
      );
    return () => {
      stale = true;
    };
  }, []);

  useEffect(() => {
    if (loaded.current) saveLastPage(page);
  }, [page]);
}

function saveLastPage(page: PageId): void {
  // A convenience: if it cannot be saved, the next start opens on the Engine page, nothing else is lost.
  void api()
    .app.updateSettings({ ui: { lastPage: page } })
    .catch(() => undefined);
}
