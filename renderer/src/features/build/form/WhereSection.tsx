import { DistributePanel } from '../DistributePanel';
import type { BuildForm } from '../use-build-form';

/** One build on one builder, or each platform on its own node and one merged index. */
export function WhereSection({ form }: { form: BuildForm }) {
  const { draft, set, facts, request, distributeBlocked } = form;
  return (
    <>
      <h2>Where to build</h2>
      <label className="check">
        <input type="checkbox" checked={draft.distribute} onChange={(e) => set({ distribute: e.target.checked })} data-testid="build-distribute" />
        Distribute over nodes: build each platform on its own node in parallel, then merge one index
      </label>
      {draft.distribute ? (
        <>
          {distributeBlocked && <p className="field-problem err" data-testid="distribute-blocked">{distributeBlocked}</p>}
          <DistributePanel request={request} preferredBuilder={draft.builder || facts?.currentBuilder} />
        </>
      ) : (
        <p className="muted">One build on the builder chosen above: buildx sends each platform to a node of that builder (the Builders page shows which).</p>
      )}
    </>
  );
}
