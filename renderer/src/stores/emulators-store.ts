import { create } from 'zustand';
import type { Api } from '../../../shared/contract';
import type { ChangeAction, ChangeChunk, ChangeResult, EmulatorPlan, EmulatorStatus, TestResult } from '../../../shared/contract/emulators';
import type { EmulatorArchitecture } from '../../../shared/domain/binfmt/architectures';
import { toProblem, type Problem } from './problem';

/** Output lines kept for the progress panel; the full text is not needed once the verdict is in. */
const MAX_LINES = 300;

export interface Operation {
  action: ChangeAction;
  architectures: EmulatorArchitecture[];
  command: string;
  state: 'running' | 'done' | 'failed';
  phase: string;
  lines: { stream: 'stdout' | 'stderr' | 'info'; text: string }[];
  /** Pull progress per layer id, last status wins. */
  pull: Record<string, string>;
  result?: ChangeResult;
  problem?: Problem;
}

export interface TestState {
  state: 'running' | 'ok' | 'failed';
  result?: TestResult;
  problem?: Problem;
}

/** Folds one progress chunk into the operation (pure, so it is tested without a DOM). */
export function applyChunk(op: Operation, chunk: ChangeChunk): Operation {
  switch (chunk.kind) {
    case 'phase':
      return { ...op, phase: chunk.message, lines: trim([...op.lines, { stream: 'info', text: chunk.message }]) };
    case 'output':
      return { ...op, lines: trim([...op.lines, { stream: chunk.stream, text: chunk.line }]) };
    case 'pull': {
      const key = chunk.id ?? chunk.status;
      const text = [chunk.id, chunk.status, chunk.progress].filter(Boolean).join(' ');
      return { ...op, pull: { ...op.pull, [key]: text } };
    }
  }
}

const trim = <T>(lines: T[]): T[] => (lines.length > MAX_LINES ? lines.slice(lines.length - MAX_LINES) : lines);

interface EmulatorsStore {
  status: EmulatorStatus | undefined;
  loading: boolean;
  problem: Problem | undefined;
  selected: EmulatorArchitecture[];
  /** A plan waiting for the user's consent (the dialog is open). */
  consent: EmulatorPlan | undefined;
  operation: Operation | undefined;
  tests: Partial<Record<EmulatorArchitecture, TestState>>;
  /** Builders started before the last change may still report the old platform list. */
  buildersNotice: boolean;
  cancel: (() => void) | undefined;

  follow(api: Api): () => void;
  refresh(api: Api): Promise<void>;
  toggle(arch: EmulatorArchitecture): void;
  setSelected(archs: EmulatorArchitecture[]): void;
  /** Install / uninstall / restore: asks for consent first unless it was given for this image. */
  request(api: Api, action: ChangeAction, architectures?: EmulatorArchitecture[]): Promise<void>;
  confirm(api: Api): Promise<void>;
  dismissConsent(): void;
  test(api: Api, arch: EmulatorArchitecture): Promise<void>;
  forget(api: Api, archs: EmulatorArchitecture[]): Promise<void>;
  dismissBuildersNotice(): void;
}

export const useEmulatorsStore = create<EmulatorsStore>((set, get) => ({
  status: undefined,
  loading: false,
  problem: undefined,
  selected: [],
  consent: undefined,
  operation: undefined,
  tests: {},
  buildersNotice: false,
  cancel: undefined,

  follow(api) {
    const offs = [
      api.emulators.onStatusChanged((status) => set({ status, problem: undefined })),
      api.emulators.onChanged((change) => {
        if (change.restartBuildersAdvised) set({ buildersNotice: true });
      }),
      // A reconnect means the host may have changed (or rebooted): read it again. A lost engine makes
      // the table stale: drop it and show why (the refresh answers with the engine's problem).
      api.engine.onStateChanged((state) => {
        if (state.status === 'disconnected') set({ status: undefined });
        if (state.status !== 'connecting') void get().refresh(api);
      }),
    ];
    void get().refresh(api);
    return () => offs.forEach((off) => off());
  },

  async refresh(api) {
    set({ loading: true });
    try {
      const status = await api.emulators.status({});
      set({ status, problem: undefined });
    } catch (error) {
      set({ problem: toProblem(error) });
    } finally {
      set({ loading: false });
    }
  },

  toggle(arch) {
    const selected = get().selected;
    set({ selected: selected.includes(arch) ? selected.filter((a) => a !== arch) : [...selected, arch] });
  },

  setSelected(archs) {
    set({ selected: archs });
  },

  async request(api, action, architectures) {
    const archs = architectures ?? (action === 'restore' ? [] : get().selected);
    try {
      const plan = await api.emulators.plan({ action, architectures: archs });
      if (plan.consented) await run(api, plan, undefined);
      else set({ consent: plan });
    } catch (error) {
      set({ operation: failedOperation(action, archs, error) });
    }
  },

  async confirm(api) {
    const plan = get().consent;
    if (!plan) return;
    set({ consent: undefined });
    await run(api, plan, { image: plan.image });
  },

  dismissConsent() {
    set({ consent: undefined });
  },

  async test(api, arch) {
    set({ tests: { ...get().tests, [arch]: { state: 'running' } } });
    try {
      const result = await api.emulators.test({ architecture: arch });
      set({ tests: { ...get().tests, [arch]: { state: result.ok ? 'ok' : 'failed', result } } });
    } catch (error) {
      set({ tests: { ...get().tests, [arch]: { state: 'failed', problem: toProblem(error) } } });
    }
  },

  async forget(api, archs) {
    try {
      set({ status: await api.emulators.forget({ architectures: archs }) });
    } catch (error) {
      set({ problem: toProblem(error) });
    }
  },

  dismissBuildersNotice() {
    set({ buildersNotice: false });
  },
}));

function failedOperation(action: ChangeAction, architectures: EmulatorArchitecture[], error: unknown): Operation {
  return { action, architectures, command: '', state: 'failed', phase: '', lines: [], pull: {}, problem: toProblem(error) };
}

async function run(api: Api, plan: EmulatorPlan, consent: { image: string } | undefined): Promise<void> {
  const store = useEmulatorsStore;
  const { action, architectures } = plan;
  store.setState({
    operation: { action, architectures, command: plan.command, state: 'running', phase: 'Starting', lines: [], pull: {} },
    tests: {},
  });
  const input = { architectures, ...(consent ? { consent } : {}) };
  const onChunk = (chunk: ChangeChunk) => {
    const op = store.getState().operation;
    if (op) store.setState({ operation: applyChunk(op, chunk) });
  };
  const call =
    action === 'install'
      ? api.emulators.install(input, { onChunk })
      : action === 'uninstall'
        ? api.emulators.uninstall(input, { onChunk })
        : api.emulators.restore(consent ? { consent } : {}, { onChunk });
  store.setState({ cancel: call.cancel });
  try {
    const result = await call.result;
    const op = store.getState().operation;
    store.setState({
      operation: op ? { ...op, state: 'done', result } : undefined,
      status: result.status,
      selected: [],
      ...(result.restartBuildersAdvised ? { buildersNotice: true } : {}),
    });
  } catch (error) {
    const op = store.getState().operation;
    store.setState({ operation: op ? { ...op, state: 'failed', problem: toProblem(error) } : failedOperation(action, architectures, error) });
  } finally {
    store.setState({ cancel: undefined });
  }
}
