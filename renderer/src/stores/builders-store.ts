import { create } from 'zustand';
import type { Api } from '../../../shared/contract';
import {
  builderFailureData,
  type ActionResult,
  type AppendNodeInput,
  type BuilderList,
  type BuilderLogs,
  type BuilderSummary,
  type CommandRun,
  type CreateBuilderInput,
  type InspectResult,
  type MultiPlatformCheck,
} from '../../../shared/contract/builders';
import { toProblem, type Problem } from './problem';

/** An error as the Builders page shows it: what failed, what to do, and the commands that ran. */
export interface ActionProblem extends Problem {
  commands: CommandRun[];
}

export function toActionProblem(error: unknown): ActionProblem {
  const problem = toProblem(error);
  const data = builderFailureData.safeParse((error as { data?: unknown } | undefined)?.data);
  return { ...problem, commands: data.success ? data.data.commands : [] };
}

/** The last thing the user did, and how it went. */
export interface Outcome {
  title: string;
  ok: boolean;
  message: string;
  notes: string[];
  commands: CommandRun[];
  problem?: ActionProblem;
}

/** The emulators as they bear on builders: a change of any row's state means the list's classification is stale. */
const emulatorsKey = (rows: ReadonlyArray<{ platform: string; state: string }>): string => rows.map((r) => `${r.platform}=${r.state}`).join(',');

interface BuildersStore {
  /** As the core listed it, each node classified there against the engine host's emulators. */
  list: BuilderList | undefined;
  /** The emulators' states the list was last refreshed for. */
  emulatorsSeen: string | undefined;
  loading: boolean;
  problem: ActionProblem | undefined;
  selected: string | undefined;
  check: MultiPlatformCheck | undefined;
  checkProblem: Problem | undefined;
  /** Builder name → what is running on it now. */
  busy: Record<string, string>;
  outcome: Outcome | undefined;
  inspected: InspectResult | undefined;
  logs: BuilderLogs | undefined;
  /** Default BuildKit image (settings). */
  buildkitImage: string | undefined;
  /** The node × platform maps' rows; undefined: the Build page's ticked platforms. */
  mapPlatforms: string[] | undefined;

  follow(api: Api): () => void;
  refresh(api: Api): Promise<void>;
  select(api: Api, name: string): void;
  create(api: Api, input: CreateBuilderInput): Promise<boolean>;
  appendNode(api: Api, input: AppendNodeInput): Promise<boolean>;
  removeNode(api: Api, builder: string, node: string): Promise<void>;
  pin(api: Api, builder: string, pins: Array<{ node: string; platforms: string[] }>): Promise<void>;
  setMapPlatforms(platforms: string[]): void;
  use(api: Api, name: string): Promise<void>;
  stop(api: Api, name: string): Promise<void>;
  restart(api: Api, name: string): Promise<void>;
  restartRunning(api: Api): Promise<void>;
  remove(api: Api, name: string, keepState: boolean): Promise<void>;
  inspect(api: Api, name: string, bootstrap: boolean): Promise<void>;
  openLogs(api: Api, name: string, node?: string): Promise<void>;
  closeDetails(): void;
  dismissOutcome(): void;
}

const nameOf = (b: BuilderSummary | undefined) => b?.name;

export const useBuildersStore = create<BuildersStore>((set, get) => {
  const markBusy = (key: string, label: string) => set((s) => ({ busy: { ...s.busy, [key]: label } }));
  const clearBusy = (key: string) =>
    set((s) => {
      const busy = { ...s.busy };
      delete busy[key];
      return { busy };
    });
  const recordFailure = (title: string, error: unknown) => {
    const problem = toActionProblem(error);
    set({ outcome: { title, ok: false, message: problem.message, notes: [], commands: problem.commands, problem } });
  };

  /** Runs one action on a builder: marks it busy, records the outcome, refreshes the list. */
  async function act(api: Api, title: string, name: string, busyLabel: string, call: () => Promise<ActionResult>): Promise<boolean> {
    markBusy(name, busyLabel);
    try {
      const result = await call();
      set({ outcome: { title, ok: true, message: result.message, notes: result.notes, commands: result.commands } });
      return true;
    } catch (error) {
      recordFailure(title, error);
      return false;
    } finally {
      clearBusy(name);
      await get().refresh(api);
    }
  }

  return {
    list: undefined,
    emulatorsSeen: undefined,
    loading: false,
    problem: undefined,
    selected: undefined,
    check: undefined,
    checkProblem: undefined,
    busy: {},
    outcome: undefined,
    inspected: undefined,
    logs: undefined,
    buildkitImage: undefined,
    mapPlatforms: undefined,

    follow(api) {
      const offs = [
        // Another window, a build or the command line changed the builders: read them again.
        api.builders.onChanged(() => void get().refresh(api)),
        api.engine.onStateChanged((state) => {
          if (state.status === 'connected') void get().refresh(api);
        }),
        api.emulators.onStatusChanged((status) => {
          // The core classifies against the emulators; ask again only when they changed.
          const key = emulatorsKey(status.rows);
          if (key === get().emulatorsSeen) return;
          set({ emulatorsSeen: key });
          void get().refresh(api);
        }),
      ];
      void api.app.settings({}).then(
        (settings) => set({ buildkitImage: settings.builders.buildkitImage }),
        () => undefined,
      );
      void get().refresh(api);
      return () => offs.forEach((off) => off());
    },

    async refresh(api) {
      set({ loading: true });
      try {
        const list = await api.builders.list({});
        const selected = list.builders.some((b) => b.name === get().selected) ? get().selected : (nameOf(list.builders.find((b) => b.current)) ?? list.current);
        set({ list, problem: undefined, selected });
        try {
          const check = selected ? await api.builders.multiPlatform({ name: selected }) : undefined;
          set({ check, checkProblem: undefined });
        } catch (error) {
          set({ check: undefined, checkProblem: toProblem(error) });
        }
      } catch (error) {
        set({ problem: toActionProblem(error) });
      } finally {
        set({ loading: false });
      }
    },

    select(api, name) {
      set({ selected: name, check: undefined, checkProblem: undefined });
      void api.builders.multiPlatform({ name }).then(
        (check) => {
          if (get().selected === name) set({ check });
        },
        (error: unknown) => set({ checkProblem: toProblem(error) }),
      );
    },

    create: (api, input) =>
      act(api, `Create builder "${input.name}"`, input.name, 'creating', () => api.builders.create(input)).then((ok) => {
        if (ok) set({ selected: input.name });
        return ok;
      }),
    appendNode: (api, input) => act(api, `Append a node to "${input.builder}"`, input.builder, 'appending', () => api.builders.appendNode(input)),
    removeNode: async (api, builder, node) => {
      await act(api, `Remove node "${node}"`, builder, 'removing node', () => api.builders.removeNode({ builder, node }));
    },
    pin: async (api, builder, pins) => {
      await act(api, `Pin platforms on "${builder}"`, builder, 'pinning', () => api.builders.pin({ builder, pins }));
    },
    setMapPlatforms: (platforms) => set({ mapPlatforms: platforms }),
    use: async (api, name) => {
      await act(api, `Use "${name}"`, name, 'switching', () => api.builders.use({ name }));
    },
    stop: async (api, name) => {
      await act(api, `Stop "${name}"`, name, 'stopping', () => api.builders.stop({ name }));
    },
    restart: async (api, name) => {
      await act(api, `Restart "${name}"`, name, 'restarting', () => api.builders.restart({ name }));
    },
    remove: async (api, name, keepState) => {
      await act(api, `Remove "${name}"`, name, 'removing', () => api.builders.remove({ name, keepState }));
    },

    async restartRunning(api) {
      markBusy('*', 'restarting');
      try {
        const { results } = await api.builders.restartRunning({});
        const failed = results.filter((r) => !r.ok);
        set({
          outcome: {
            title: 'Restart running builders',
            ok: failed.length === 0,
            message:
              results.length === 0
                ? 'No running builder needed a restart (the docker driver picks up emulators by itself).'
                : `${results.length - failed.length} of ${results.length} restarted.${failed.length ? ` Failed: ${failed.map((f) => `${f.name} (${f.message})`).join('; ')}` : ''}`,
            notes: results.filter((r) => r.ok).map((r) => r.message),
            commands: results.flatMap((r) => r.commands),
          },
        });
      } catch (error) {
        recordFailure('Restart running builders', error);
      } finally {
        clearBusy('*');
        await get().refresh(api);
      }
    },

    async inspect(api, name, bootstrap) {
      markBusy(name, bootstrap ? 'starting' : 'inspecting');
      try {
        const inspected = await api.builders.inspect({ name, bootstrap });
        set({
          inspected,
          outcome: {
            title: bootstrap ? `Start "${name}"` : `Inspect "${name}"`,
            ok: true,
            message: `"${name}" is ${inspected.builder.status}; it lists ${inspected.builder.platforms.length} platform${inspected.builder.platforms.length === 1 ? '' : 's'}.`,
            notes: [],
            commands: inspected.commands,
          },
        });
      } catch (error) {
        recordFailure(bootstrap ? `Start "${name}"` : `Inspect "${name}"`, error);
      } finally {
        clearBusy(name);
        await get().refresh(api);
      }
    },

    async openLogs(api, name, node) {
      try {
        set({ logs: await api.builders.logs({ name, ...(node ? { node } : {}), tail: 500 }) });
      } catch (error) {
        recordFailure(`Logs of "${name}"`, error);
      }
    },

    closeDetails: () => set({ inspected: undefined, logs: undefined }),
    dismissOutcome: () => set({ outcome: undefined }),
  };
});
