import { create } from 'zustand';

export type PageId = 'engine' | 'emulators' | 'builders' | 'build' | 'results' | 'history';

interface NavStore {
  page: PageId;
  /** Optional argument for the page, e.g. the build id whose results to open. */
  param: string | undefined;
  go(page: PageId, param?: string): void;
}

export const useNav = create<NavStore>((set) => ({
  page: 'engine',
  param: undefined,
  go: (page, param) => set({ page, param }),
}));
