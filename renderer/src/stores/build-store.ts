import { create } from 'zustand';
import type { Api } from '../../../shared/contract';
import type { BuilderList } from '../../../shared/contract/builders';
import type { BuildChunk, BuildFactsData, BuildRecord, BuildStatusValue, ContextInfo } from '../../../shared/contract/builds';
import type { DistributedState, Placement } from '../../../shared/domain/distributed/model';
import type { RecordDetail } from '../../../shared/contract/records';
import type { BuildProgressSnapshot } from '../../../shared/domain/build-progress/model';
import { defaultPlatforms } from '../../../shared/domain/build-request/checks';
import { endpointError } from '../../../shared/contract/endpoint-errors';
import type { ErrorData } from '../../../shared/contract/errors';
import { TerminalFeed } from '../terminal/terminal-feed';
import { chosenLanes, draftToInput, emptyDraft, parseDraft, recordToDraft, type BuildDraft } from './build-draft';
import { notifyEnded } from './build-notifications';
import { toProblem, type Problem } from './problem';

/** The build shown under the form: one being run, or one opened from History. */
export interface BuildView {
  id?: string;
  mode: 'live' | 'replay';
  status: BuildStatusValue | 'starting';
  platforms: string[];
  progress?: BuildProgressSnapshot;
  record?: BuildRecord;
  /** A record the builder kept (or one imported from a file), opened from History. */
  builderRecord?: RecordDetail;
  problem?: Problem;
  /** The impossible combinations the core refused the build for (BUILD_IMPOSSIBLE's data). */
  problems?: NonNullable<ErrorData<'BUILD_IMPOSSIBLE'>>['problems'];
  /** The node of each platform. */
  placements?: Placement[];
  /** A distributed build's sub-builds and merge. */
  distributed?: DistributedState;
}

/**
 * Terminal text never enters this store: chunks go from the stream straight into the feed,
 * which keeps a bounded scrollback per platform and writes to xterm.
 */
export const buildFeed = new TerminalFeed();

let following: { cancel(): void } | undefined;
/** The calls the Build view follows. */
type FollowedEndpoint = 'builds.run' | 'builds.distribute' | 'builds.watch' | 'records.open';

/** A destination the core would not replace without the user's word (DESTINATION_EXISTS). */
export interface OverwriteQuestion {
  path: string;
  message: string;
}

/** A builder record's status in the words of the app's own builds. */
const RECORD_STATUS: Record<RecordDetail['status'], BuildStatusValue> = { completed: 'succeeded', failed: 'failed', canceled: 'cancelled', running: 'running' };

interface BuildStore {
  draft: BuildDraft;
  /** Asked before building again: may this existing file or folder be replaced? */
  overwriteQuestion?: OverwriteQuestion;
  facts?: BuildFactsData;
  factsProblem?: Problem;
  loadingFacts: boolean;
  context?: ContextInfo;
  contextProblem?: Problem;
  view?: BuildView;
  /** Terminal filter: undefined = every platform. */
  filter?: string;
  /** The builders with their nodes, for a build over several nodes. */
  builders?: BuilderList;
  buildersProblem?: Problem;
  loadBuilders(api: Api): Promise<void>;
  /** Builds one failed platform of the shown distributed build again, and follows it. */
  retryPlatform(api: Api, platform: string): Promise<void>;
  /** Merges the shown distributed build without the platforms that have no image (the user's explicit choice). */
  mergeWithout(api: Api, leaveOut: string[]): Promise<void>;
  setDraft(patch: Partial<BuildDraft>): void;
  togglePlatform(platform: string, on: boolean): void;
  loadFacts(api: Api): Promise<void>;
  inspectContext(api: Api): Promise<void>;
  start(api: Api): Promise<BuildRecord | undefined>;
  /** The answer to `overwriteQuestion`: replace (and build), or leave it. */
  answerOverwrite(api: Api, replace: boolean): Promise<BuildRecord | undefined>;
  cancel(api: Api): Promise<void>;
  /** Opens a build (running or past) in the terminal, replaying its log. */
  open(api: Api, id: string): Promise<BuildRecord | undefined>;
  /** Opens one of the builder's records (or an imported one) in the same lanes and terminal. */
  openRecord(api: Api, key: string): Promise<RecordDetail | undefined>;
  rerun(api: Api, record: BuildRecord): Promise<BuildRecord | undefined>;
  setFilter(platform: string | undefined): void;
}

export const useBuildStore = create<BuildStore>((set, get) => {
  /** Resolves once the terminal has parsed the chunk's text: the stream is paced by it. */
  const applyChunk = (chunk: BuildChunk): Promise<void> => {
    const parsed = buildFeed.append(chunk.terminal);
    if (!chunk.progress && !chunk.status && !chunk.placements && !chunk.distributed && get().view?.id === chunk.id) return parsed;
    set((s) => {
      if (!s.view) return {};
      const view: BuildView = { ...s.view, id: chunk.id };
      if (chunk.progress) view.progress = chunk.progress;
      if (chunk.status) view.status = chunk.status;
      if (chunk.placements) view.placements = chunk.placements;
      if (chunk.distributed) view.distributed = chunk.distributed;
      return { view };
    });
    return parsed;
  };

  /** Asks the core to go on with the shown distributed build (retry, merge), then follows it; a refusal is shown. */
  const actOnShown = async (api: Api, act: (id: string) => Promise<unknown>): Promise<void> => {
    const id = get().view?.id;
    if (!id) return;
    try {
      await act(id);
    } catch (error) {
      set((s) => ({ view: s.view && { ...s.view, problem: toProblem(error) } }));
      return;
    }
    await get().open(api, id);
  };

  /** The view of an own build once it ended; a distributed one keeps its nodes and sub-builds. */
  const ownRecord = (v: BuildView, record: BuildRecord): BuildView => ({
    ...v,
    id: record.id,
    status: record.status,
    record,
    ...(record.placements ? { placements: record.placements } : {}),
    ...(record.distributed ? { distributed: record.distributed } : {}),
  });

  /** Shows a call's progress in the view until it ends; `endpoint` names what the call is, for the errors it can end with. */
  const follow = async <T>(endpoint: FollowedEndpoint, call: { result: Promise<T>; cancel(): void }, view: BuildView, ended: (v: BuildView, result: T) => BuildView): Promise<T | undefined> => {
    following?.cancel();
    following = call;
    buildFeed.clear();
    buildFeed.setPlatforms(view.platforms);
    set({ view, filter: undefined });
    try {
      const result = await call.result;
      if (following === call) {
        set((s) => ({ view: ended(s.view ?? view, result) }));
        following = undefined;
      }
      return result;
    } catch (error) {
      if (following !== call) return undefined;
      following = undefined;
      const exists = endpointError(endpoint, error, 'DESTINATION_EXISTS');
      if (exists?.data) {
        // Nothing ran: ask, instead of showing a failed build.
        set({ view: undefined, overwriteQuestion: { path: exists.data.path, message: exists.message } });
        return undefined;
      }
      const problems = endpointError(endpoint, error, 'BUILD_IMPOSSIBLE')?.data?.problems;
      set((s) => ({
        view: {
          ...(s.view ?? view),
          status: s.view?.status === 'starting' ? 'failed' : (s.view?.status ?? 'failed'),
          problem: toProblem(error),
          ...(problems ? { problems } : {}),
        },
      }));
      return undefined;
    }
  };

  return {
    draft: emptyDraft(),
    loadingFacts: false,

    setDraft(patch) {
      set((s) => {
        const draft = { ...s.draft, ...patch };
        // A confirmation to replace stands only for the destinations it was given for.
        if (draft.output !== s.draft.output || draft.dest !== s.draft.dest || draft.cacheTo !== s.draft.cacheTo) draft.overwrite = patch.overwrite ?? [];
        return { draft };
      });
    },

    togglePlatform(platform, on) {
      set((s) => {
        const has = s.draft.platforms.includes(platform);
        if (on === has) return {};
        const platforms = on ? [...s.draft.platforms, platform] : s.draft.platforms.filter((p) => p !== platform);
        return { draft: { ...s.draft, platforms } };
      });
    },

    async loadFacts(api) {
      set({ loadingFacts: true });
      try {
        const facts = await api.builds.facts({});
        set((s) => {
          // The native platform is ticked for a fresh form.
          const draft = s.draft.platforms.length === 0 ? { ...s.draft, platforms: defaultPlatforms(facts, s.draft.builder || undefined) } : s.draft;
          return { facts, factsProblem: undefined, draft };
        });
      } catch (error) {
        set({ factsProblem: toProblem(error) });
      } finally {
        set({ loadingFacts: false });
      }
    },

    async inspectContext(api) {
      const { context, dockerfile } = get().draft;
      if (!context.trim()) {
        set({ context: undefined, contextProblem: undefined });
        return;
      }
      try {
        const info = await api.builds.inspectContext({ context: context.trim(), ...(dockerfile.trim() ? { dockerfile: dockerfile.trim() } : {}) });
        // A slow answer for an older path must not overwrite the current one.
        if (get().draft.context === context && get().draft.dockerfile === dockerfile) set({ context: info, contextProblem: undefined });
      } catch (error) {
        if (get().draft.context === context) set({ context: undefined, contextProblem: toProblem(error) });
      }
    },

    async loadBuilders(api) {
      try {
        set({ builders: await api.builders.list({}), buildersProblem: undefined });
      } catch (error) {
        set({ buildersProblem: toProblem(error) });
      }
    },

    async start(api) {
      const { draft, builders, facts } = get();
      const parsed = parseDraft(draft);
      if (!parsed.success) return undefined;
      const input = draftToInput(draft);
      const lanes = draft.distribute ? chosenLanes(draft, builders?.builders ?? [], draft.builder || facts?.currentBuilder) : [];
      const call = draft.distribute
        ? api.builds.distribute(
            { request: input, registryCache: draft.registryCache, lanes: lanes.map((l) => ({ platform: l.platform, builder: l.option?.builder ?? '', ...(l.option?.node ? { node: l.option.node } : {}) })) },
            { onChunk: applyChunk },
          )
        : api.builds.run(input, { onChunk: applyChunk });
      const record = await follow(draft.distribute ? 'builds.distribute' : 'builds.run', call, { mode: 'live', status: 'starting', platforms: parsed.data.platforms }, ownRecord);
      if (record) void notifyEnded(record);
      return record;
    },

    async answerOverwrite(api, replace) {
      const question = get().overwriteQuestion;
      set({ overwriteQuestion: undefined });
      if (!question || !replace) return undefined;
      set((s) => ({ draft: { ...s.draft, overwrite: [...s.draft.overwrite.filter((p) => p !== question.path), question.path] } }));
      return get().start(api);
    },

    async cancel(api) {
      const id = get().view?.id;
      if (id && get().view?.mode === 'live') await api.builds.cancel({ id });
    },

    async open(api, id) {
      const current = get().view;
      if (current?.id === id && current.mode === 'live' && current.status === 'running') return undefined;
      let record: BuildRecord | undefined;
      try {
        record = await api.builds.get({ id });
      } catch {
        // the watch call reports it
      }
      const call = api.builds.watch({ id }, { onChunk: applyChunk });
      // A build still running is followed live (and can be cancelled); an ended one is replayed.
      return follow('builds.watch', call, { id, mode: record?.status === 'running' ? 'live' : 'replay', status: record?.status ?? 'running', platforms: record?.platforms ?? [] }, ownRecord);
    },

    async openRecord(api, key) {
      const call = api.records.open({ key }, { onChunk: applyChunk });
      return follow('records.open', call, { id: key, mode: 'replay', status: 'running', platforms: [] }, (v, detail) => ({ ...v, status: RECORD_STATUS[detail.status], platforms: detail.platforms, builderRecord: detail }));
    },

    retryPlatform: (api, platform) => actOnShown(api, (id) => api.builds.retryPlatform({ id, platform })),

    mergeWithout: (api, leaveOut) => actOnShown(api, (id) => api.builds.merge({ id, leaveOut })),

    async rerun(api, record) {
      set({ draft: recordToDraft(record) });
      return get().start(api);
    },

    setFilter(platform) {
      buildFeed.setFilter(platform);
      set({ filter: platform });
    },
  };
});
