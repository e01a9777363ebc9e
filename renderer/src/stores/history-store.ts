import { create } from 'zustand';
import type { Api } from '../../../shared/contract';
import type { BuildSummary, UnreadableBuild } from '../../../shared/contract/builds';
import type { IntegritySummary } from '../../../shared/contract/integrity';
import { toProblem, type Problem } from './problem';

/** Builds fetched per page: the list is read a page at a time, never the whole history at once. */
export const HISTORY_PAGE = 50;

interface HistoryStore {
  builds: BuildSummary[];
  unreadable: UnreadableBuild[];
  /** Where the next page starts; undefined when everything is shown. */
  next: string | undefined;
  total: number;
  loaded: boolean;
  loading: boolean;
  problem: Problem | undefined;
  /** Reads the first pages again, as many builds as are shown now (a build started or ended). */
  refresh(api: Api): Promise<void>;
  loadMore(api: Api): Promise<void>;
  remove(api: Api, id: string): Promise<void>;
  /** A build's binary check has a verdict: its line shows it (no page is read again). */
  checked(buildId: string, integrity: IntegritySummary): void;
}

let seq = 0;

export const useHistoryStore = create<HistoryStore>((set, get) => ({
  builds: [],
  unreadable: [],
  next: undefined,
  total: 0,
  loaded: false,
  loading: false,
  problem: undefined,

  async refresh(api) {
    const mine = ++seq;
    const limit = Math.min(200, Math.max(HISTORY_PAGE, get().builds.length + get().unreadable.length));
    set({ loading: true });
    try {
      const page = await api.builds.list({ limit });
      if (mine === seq) set({ builds: page.builds, unreadable: page.unreadable, next: page.next, total: page.total, loaded: true, problem: undefined });
    } catch (error) {
      if (mine === seq) set({ problem: toProblem(error), loaded: true });
    } finally {
      if (mine === seq) set({ loading: false });
    }
  },

  async loadMore(api) {
    const after = get().next;
    if (after === undefined || get().loading) return;
    const mine = ++seq;
    set({ loading: true });
    try {
      const page = await api.builds.list({ after, limit: HISTORY_PAGE });
      if (mine === seq) {
        set((s) => ({ builds: [...s.builds, ...page.builds], unreadable: [...s.unreadable, ...page.unreadable], next: page.next, total: page.total, problem: undefined }));
      }
    } catch (error) {
      if (mine === seq) set({ problem: toProblem(error) });
    } finally {
      if (mine === seq) set({ loading: false });
    }
  },

  async remove(api, id) {
    try {
      await api.builds.remove({ id });
    } catch (error) {
      set({ problem: toProblem(error) });
    }
    await get().refresh(api);
  },

  checked(buildId, integrity) {
    set((s) => ({ builds: s.builds.map((b) => (b.id === buildId ? { ...b, integrity } : b)) }));
  },
}));
