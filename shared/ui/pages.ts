/** The app's pages, in sidebar order: one list for the sidebar, the keymap, the menu and the settings. */
export const PAGE_IDS = ['engine', 'emulators', 'builders', 'build', 'results', 'history'] as const;

export type PageId = (typeof PAGE_IDS)[number];

export const PAGE_LABELS: Record<PageId, string> = {
  engine: 'Engine',
  emulators: 'Emulators',
  builders: 'Builders',
  build: 'Build',
  results: 'Results',
  history: 'History',
};
