import type { BuildForm } from '../use-build-form';
import { FieldProblems } from './FieldProblems';

/** The folded part of the form: build arguments, attestations and the cache. */
export function MoreSection({ form }: { form: BuildForm }) {
  const { draft, set, issueOf, issues, problems } = form;
  return (
    <details className="build-more">
      <summary>Build arguments, attestations, cache</summary>
      <h3>Build arguments</h3>
      {draft.buildArgs.map((a, i) => (
        <div className="row nowrap" key={i}>
          <input placeholder="NAME" value={a.key} aria-label="Argument name" onChange={(e) => set({ buildArgs: draft.buildArgs.map((b, j) => (j === i ? { ...b, key: e.target.value } : b)) })} />
          <input className="grow" placeholder="value" value={a.value} aria-label="Argument value" onChange={(e) => set({ buildArgs: draft.buildArgs.map((b, j) => (j === i ? { ...b, value: e.target.value } : b)) })} />
          <button type="button" aria-label="Remove argument" onClick={() => set({ buildArgs: draft.buildArgs.filter((_, j) => j !== i) })}>
            −
          </button>
          {issueOf(`buildArgs.${i}.key`) && <span className="err">{issueOf(`buildArgs.${i}.key`)}</span>}
        </div>
      ))}
      <button type="button" onClick={() => set({ buildArgs: [...draft.buildArgs, { key: '', value: '' }] })}>
        Add a build argument
      </button>

      <h3>Attestations</h3>
      <label className="check">
        <input type="checkbox" checked={draft.provenance} onChange={(e) => set({ provenance: e.target.checked })} />
        Provenance (how and from what it was built)
      </label>
      <label className="check">
        <input type="checkbox" checked={draft.sbom} onChange={(e) => set({ sbom: e.target.checked })} />
        SBOM (the packages inside)
      </label>
      <p className="muted">
        Each attestation is stored in the image index as an extra entry per platform with the platform <code>unknown/unknown</code>. Tools that
        list platforms show them; registries and <code>docker pull</code> ignore them. Off, the index holds only the real platforms.
      </p>

      <h3>Cache</h3>
      <label className="check">
        <input type="checkbox" checked={draft.noCache} onChange={(e) => set({ noCache: e.target.checked })} />
        No cache (rebuild every step)
      </label>
      <label className="check">
        <input type="checkbox" checked={draft.pull} onChange={(e) => set({ pull: e.target.checked })} />
        Pull base images again
      </label>
      <div className="grid-form">
        <label>
          Cache from (one per line)
          <textarea rows={2} value={draft.cacheFrom} placeholder="type=registry,ref=host/app:cache" onChange={(e) => set({ cacheFrom: e.target.value })} />
        </label>
        <label>
          Cache to (one per line)
          <textarea rows={2} value={draft.cacheTo} placeholder="type=registry,ref=host/app:cache,mode=max" onChange={(e) => set({ cacheTo: e.target.value })} />
          <FieldProblems problems={problems} field="cacheTo" />
        </label>
      </div>
      {issues
        .filter((i) => i.path[0] === 'cacheFrom' || i.path[0] === 'cacheTo')
        .map((i, k) => (
          <p key={k} className="field-problem err">
            {i.message}
          </p>
        ))}
    </details>
  );
}
