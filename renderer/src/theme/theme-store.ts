import { create } from 'zustand';
import type { Api } from '../../../shared/contract';
import type { ThemeChoice } from '../../../shared/contract/settings';
import { toProblem, type Problem } from '../stores/problem';

export type ResolvedTheme = 'light' | 'dark';

/** `system` follows the operating system; a manual choice wins over it. */
export function resolveTheme(choice: ThemeChoice, systemDark: boolean): ResolvedTheme {
  if (choice === 'system') return systemDark ? 'dark' : 'light';
  return choice;
}

interface ThemeStore {
  choice: ThemeChoice;
  systemDark: boolean;
  resolved: ResolvedTheme;
  /** Saving the choice failed (it still applies until the page reloads). */
  problem: Problem | undefined;
  /** Follows the OS preference and sets data-theme on <html>; returns the unsubscribe. */
  follow(win: Window): () => void;
  /** The choice read from settings at start. */
  restore(choice: ThemeChoice): void;
  choose(api: Api, choice: ThemeChoice): Promise<void>;
}

export const useThemeStore = create<ThemeStore>((set, get) => ({
  choice: 'system',
  systemDark: false,
  resolved: 'light',
  problem: undefined,

  follow(win) {
    // A window that cannot tell (no matchMedia) counts as light.
    const query = typeof win.matchMedia === 'function' ? win.matchMedia('(prefers-color-scheme: dark)') : undefined;
    const onSystem = () => {
      const systemDark = query?.matches ?? false;
      set({ systemDark, resolved: resolveTheme(get().choice, systemDark) });
    };
    const apply = (resolved: ResolvedTheme) => {
      win.document.documentElement.dataset.theme = resolved;
    };
    onSystem();
    apply(get().resolved);
    query?.addEventListener('change', onSystem);
    const off = useThemeStore.subscribe((s, before) => {
      if (s.resolved !== before.resolved) apply(s.resolved);
    });
    return () => {
      query?.removeEventListener('change', onSystem);
      off();
    };
  },

  restore(choice) {
    set({ choice, resolved: resolveTheme(choice, get().systemDark) });
  },

  async choose(api, choice) {
    get().restore(choice);
    try {
      await api.app.updateSettings({ ui: { theme: choice } });
      set({ problem: undefined });
    } catch (error) {
      set({ problem: toProblem(error) });
    }
  },
}));
