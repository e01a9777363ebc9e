import type { OutputKind } from '../../../../../shared/domain/build-request/request';
import type { BuildForm } from '../use-build-form';
import { FieldProblems } from './FieldProblems';

const OUTPUTS: Array<{ kind: OutputKind; label: string; help: string }> = [
  { kind: 'push', label: 'Push to registry', help: 'One multi-platform image (an index) under each tag.' },
  { kind: 'load', label: 'Load into the engine', help: 'Into the local image store (several platforms need the containerd image store).' },
  { kind: 'oci', label: 'OCI tarball', help: 'An OCI image layout in one .tar file.' },
  { kind: 'local', label: 'Local folder', help: 'The image’s files, one sub-folder per platform.' },
  { kind: 'cacheonly', label: 'Build only', help: 'Keep nothing but the build cache (a dry run).' },
];

/** Where the result goes: a registry, the engine, a tarball, a folder, or only the cache. */
export function OutputSection({ form }: { form: BuildForm }) {
  const { draft, set, issueOf, problems } = form;
  return (
    <>
      <h2>Output</h2>
      <div className="row output-choices" role="radiogroup" aria-label="Output">
        {OUTPUTS.map((o) => (
          <label key={o.kind} className="check" title={o.help}>
            <input type="radio" name="output" data-testid={`output-${o.kind}`} checked={draft.output === o.kind} onChange={() => set({ output: o.kind })} />
            {o.label}
          </label>
        ))}
      </div>
      <p className="muted">{OUTPUTS.find((o) => o.kind === draft.output)?.help}</p>
      {(draft.output === 'oci' || draft.output === 'local') && (
        <label>
          {draft.output === 'oci' ? 'Tarball file (absolute path)' : 'Folder (absolute path)'}
          <input data-testid="build-dest" value={draft.dest} placeholder={draft.output === 'oci' ? '/tmp/image.tar' : '/tmp/image-files'} onChange={(e) => set({ dest: e.target.value })} />
          {issueOf('output.dest') && <span className="err">{issueOf('output.dest')}</span>}
        </label>
      )}
      <FieldProblems problems={problems} field="output" />
    </>
  );
}
