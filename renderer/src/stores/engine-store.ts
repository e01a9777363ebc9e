import { create } from 'zustand';
import type { EngineInfo, EngineState } from '../../../shared/contract/engine';
import type { Api } from '../../../shared/contract';
import { toProblem, type Problem } from './problem';

interface EngineStore {
  state: EngineState | undefined;
  info: EngineInfo | undefined;
  infoProblem: Problem | undefined;
  loadingInfo: boolean;
  /** Starts following the engine; returns the unsubscribe. */
  follow(api: Api): () => void;
  refreshInfo(api: Api): Promise<void>;
  reconnect(api: Api): Promise<void>;
}

export const useEngineStore = create<EngineStore>((set, get) => ({
  state: undefined,
  info: undefined,
  infoProblem: undefined,
  loadingInfo: false,

  follow(api) {
    const apply = (state: EngineState) => {
      const before = get().state;
      set({ state });
      // A new generation means the engine came (back) up: its facts may have changed.
      if (state.status === 'connected' && before?.generation !== state.generation) void get().refreshInfo(api);
    };
    const off = api.engine.onStateChanged(apply);
    void api.engine.state({}).then(apply, (error: unknown) => set({ infoProblem: toProblem(error) }));
    return off;
  },

  async refreshInfo(api) {
    set({ loadingInfo: true });
    try {
      const info = await api.engine.info({});
      set({ info, infoProblem: undefined });
    } catch (error) {
      set({ infoProblem: toProblem(error) });
    } finally {
      set({ loadingInfo: false });
    }
  },

  async reconnect(api) {
    const state = await api.engine.reconnect({});
    set({ state });
  },
}));
