import { create } from 'zustand';
import type { PageId } from '../../../shared/ui/pages';

export type { PageId };

interface NavStore {
  page: PageId;
  /** Optional argument for the page, e.g. the build id whose results to open. */
  param: string | undefined;
  /** The user (or a link) went somewhere: the last page of the previous session no longer applies. */
  navigated: boolean;
  go(page: PageId, param?: string): void;
  /** The page of the previous session, unless the user has already moved on. */
  restore(page: PageId): void;
}

export const useNav = create<NavStore>((set, get) => ({
  page: 'engine',
  param: undefined,
  navigated: false,
  go: (page, param) => set({ page, param, navigated: true }),
  restore: (page) => {
    if (!get().navigated) set({ page });
  },
}));
