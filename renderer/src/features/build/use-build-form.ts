import { useEffect, useMemo } from 'react';
import { displayCommand } from '../../../../shared/domain/build-request/argv';
import { blockingProblems, checkBuild, platformChoices } from '../../../../shared/domain/build-request/checks';
import { withoutBuilderChecks } from '../../../../shared/domain/distributed/assign';
import { api } from '../../api';
import { useDebounced } from '../../hooks/use-debounced';
import { chosenLanes, parseDraft, type BuildDraft } from '../../stores/build-draft';
import { useBuildStore } from '../../stores/build-store';

/**
 * The Build form's state and what follows from it: the draft parsed against the contract, the
 * checks against the builder and emulator facts, the command, the distributed lanes and whether
 * the build can start. It also keeps the facts and the context's inspection up to date, and
 * follows a build that was still running in the core when the page was reloaded.
 */
export function useBuildForm() {
  const store = useBuildStore();
  const { draft, facts, context, view, setDraft, loadFacts, inspectContext, open } = store;
  const builders = useBuildStore((s) => s.builders);

  useEffect(() => {
    if (!useBuildStore.getState().facts) void loadFacts(api());
  }, [loadFacts]);

  // After a reload the build may still be running in the core: follow it again.
  useEffect(() => {
    if (useBuildStore.getState().view) return;
    let stale = false;
    api()
      .builds.list({})
      .then(
        (list) => {
          const running = list.builds.find((b) => b.status === 'running');
          if (running && !stale && !useBuildStore.getState().view) void open(api(), running.id);
        },
        () => undefined,
      );
    return () => {
      stale = true;
    };
  }, [open]);

  const contextKey = useDebounced(`${draft.context}\u0000${draft.dockerfile}`, 250);
  useEffect(() => {
    void inspectContext(api());
  }, [contextKey, inspectContext]);

  const parsed = useMemo(() => parseDraft(draft), [draft]);
  const issues = parsed.success ? [] : parsed.error.issues;
  const request = parsed.success ? parsed.data : undefined;
  const choices = useMemo(() => (facts ? platformChoices(facts, draft.builder || undefined, draft.platforms) : []), [facts, draft.builder, draft.platforms]);
  const problems = useMemo(() => {
    if (!parsed.success || !facts) return [];
    const all = checkBuild(parsed.data, facts, context && context.stagesSource !== 'none' ? { stages: context.stages.map((s) => s.name) } : {});
    return draft.distribute ? withoutBuilderChecks(all) : all;
  }, [parsed, facts, context, draft.distribute]);
  const lanes = draft.distribute ? chosenLanes(draft, builders?.builders ?? [], draft.builder || facts?.currentBuilder) : [];
  const distributeBlocked = !draft.distribute
    ? undefined
    : draft.output !== 'push'
      ? 'Choose "Push to registry": each platform is pushed by digest and merged in the registry.'
      : request && request.tags.length === 0
        ? 'Give a tag: the platforms are merged under it.'
        : !builders
          ? 'Reading the builders’ nodes…'
          : lanes.some((l) => !l.option)
            ? `No node can build ${lanes.filter((l) => !l.option).map((l) => l.platform).join(', ')}.`
            : undefined;
  const running = view?.mode === 'live' && (view.status === 'running' || view.status === 'starting');
  const contextOk = context?.ok === true && context.context.length > 0;

  return {
    ...store,
    request,
    issues,
    /** The first contract issue at a field path (`context`, `buildArgs.0.key`). */
    issueOf: (path: string) => issues.find((i) => i.path.join('.') === path)?.message,
    command: request ? displayCommand(request) : undefined,
    choices,
    problems,
    distributeBlocked,
    nodeCount: new Set(lanes.map((l) => l.option?.key)).size,
    running,
    contextOk,
    canBuild: request !== undefined && contextOk && blockingProblems(problems).length === 0 && !running && !distributeBlocked,
    set: (patch: Partial<BuildDraft>) => setDraft(patch),
  };
}

export type BuildForm = ReturnType<typeof useBuildForm>;
