import { useEffect } from 'react';
import type { BuildRequest } from '../../../../shared/domain/build-request/request';
import { noTargetReason, targetOptions } from '../../../../shared/domain/distributed/assign';
import { digestPlaceholder, digestRepository, displayArgv, laneCommands, mergeArgv, nodeBuilderName, nodeEndpoint } from '../../../../shared/domain/distributed/plan';
import { api } from '../../api';
import { CopyButton } from '../../components/CopyButton';
import { ProblemBox } from '../../components/ProblemBox';
import { chosenLanes } from '../../stores/build-draft';
import { useBuildStore } from '../../stores/build-store';

/** Stands for the build's id (its last 8 characters name a node's own builder) in the preview. */
const PREVIEW_ID = 'preview0';

/**
 * Build → Distribute over nodes: where each ticked platform is built (a node of a builder, or a
 * whole builder), the per-platform cache, and the equivalent commands: one `buildx build` per
 * platform pushing by digest, then the `imagetools create` that merges them.
 */
export function DistributePanel({ request, preferredBuilder }: { request: BuildRequest | undefined; preferredBuilder: string | undefined }) {
  const { draft, builders, buildersProblem, setDraft, loadBuilders } = useBuildStore();
  useEffect(() => {
    if (!useBuildStore.getState().builders) void loadBuilders(api());
  }, [loadBuilders]);
  const list = builders?.builders ?? [];
  const lanes = chosenLanes(draft, list, preferredBuilder);
  const hasCaches = draft.cacheFrom.trim() !== '' || draft.cacheTo.trim() !== '';

  const commands =
    request && lanes.every((l) => l.option)
      ? [
          ...lanes.flatMap((l) => {
            const b = list.find((x) => x.name === l.option!.builder)!;
            const node = b.nodes.find((n) => n.name === l.option!.node);
            const endpoint = node && b.nodes.length > 1 ? nodeEndpoint(node, b.driver) : undefined;
            const runner = endpoint ? nodeBuilderName(PREVIEW_ID, l.platform) : b.name;
            return laneCommands(request, l.platform, runner, draft.registryCache, endpoint ? { endpoint, driverOpts: node!.driverOpts } : undefined).map(displayArgv);
          }),
          displayArgv(mergeArgv(request.tags, lanes.map((l) => `${digestRepository(request)}@${digestPlaceholder(l.platform)}`))),
        ]
      : [];

  return (
    <div className="distribute-panel" data-testid="distribute-panel">
      {buildersProblem && <ProblemBox problem={buildersProblem} />}
      <table className="distribute-lanes">
        <thead>
          <tr>
            <th>Platform</th>
            <th>Built on</th>
          </tr>
        </thead>
        <tbody>
          {lanes.map((l) => {
            const options = targetOptions(list, l.platform);
            return (
              <tr key={l.platform} data-testid={`distribute-lane-${l.platform}`} data-target={l.option?.key ?? ''} data-support={l.option?.support ?? 'unavailable'}>
                <td>
                  <code>{l.platform}</code>
                </td>
                <td>
                  {options.length === 0 ? (
                    <span className="err" data-testid={`distribute-none-${l.platform}`}>{noTargetReason(list, l.platform)}</span>
                  ) : (
                    <select
                      aria-label={`Where ${l.platform} is built`}
                      value={l.option?.key ?? ''}
                      onChange={(e) => setDraft({ lanes: { ...draft.lanes, [l.platform]: e.target.value } })}
                      data-testid={`distribute-target-${l.platform}`}
                    >
                      {options.map((o) => (
                        <option key={o.key} value={o.key}>
                          {o.label}
                        </option>
                      ))}
                    </select>
                  )}
                  {l.option?.support === 'emulated' && <span className="muted"> no node runs it natively: built under QEMU</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="row">
        <button type="button" onClick={() => void loadBuilders(api())}>
          Refresh nodes
        </button>
        <label className="check" title={hasCaches ? 'The cache settings below are made each platform’s own instead.' : undefined}>
          <input type="checkbox" checked={draft.registryCache && !hasCaches} disabled={hasCaches} onChange={(e) => setDraft({ registryCache: e.target.checked })} data-testid="distribute-registry-cache" />
          A registry cache per platform{request?.tags[0] ? ` (${digestRepository(request)}:buildcache-…)` : ''}
        </label>
      </div>
      <p className="muted">
        Each platform is built in parallel on its node and pushed by digest, with a cache of its own{hasCaches ? ' (the form’s caches, one per platform)' : ''}; then the digests are
        merged into one index under the tags and read back to check it. One platform failing does not stop the others: retry it, or merge without it by
        choice. A node of a builder of several nodes is reached through a builder of that node alone, removed afterwards.
      </p>
      {commands.length > 0 && (
        <div className="builder-preview">
          <span className="muted">Equivalent commands</span>
          <div className="row nowrap">
            <pre className="grow build-command" data-testid="distribute-commands">
              {commands.join('\n')}
            </pre>
            <CopyButton value={commands.join('\n')} label="Copy the commands" />
          </div>
        </div>
      )}
    </div>
  );
}
