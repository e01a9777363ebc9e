import { useState } from 'react';
import type { ReadBakeResult } from '../../../../shared/contract/ci-export';
import { BAKE_FILE } from '../../../../shared/domain/ci-export/bake';
import { endpointError } from '../../../../shared/contract/endpoint-errors';
import { api } from '../../api';
import { ProblemBox } from '../../components/ProblemBox';
import { requestToDraft } from '../../stores/build-draft';
import { useBuildStore } from '../../stores/build-store';
import { toProblem, type Problem } from '../../stores/problem';

type State = { kind: 'idle' } | { kind: 'reading' } | { kind: 'pick'; targets: string[] } | { kind: 'done'; result: ReadBakeResult } | { kind: 'failed'; problem: Problem };

/**
 * Fills the form from the context's docker-bake.hcl, read by `docker buildx bake --print` (which
 * resolves variables, functions and inheritance), and lists what the form cannot hold.
 */
export function ImportBake({ context }: { context: string }) {
  const [state, setState] = useState<State>({ kind: 'idle' });
  const setDraft = useBuildStore((s) => s.setDraft);
  const read = async (target?: string) => {
    setState({ kind: 'reading' });
    try {
      const result = await api().ciExport.readBake({ context, ...(target ? { target } : {}) });
      const current = useBuildStore.getState().draft;
      const draft = requestToDraft({ ...result.request, output: result.request.output ?? { type: 'push' } });
      // The builder is not in a bake file; nor is an output the form lacks: those stay as they were.
      setDraft({ ...draft, builder: current.builder, ...(result.request.output ? {} : { output: current.output, dest: current.dest }) });
      setState({ kind: 'done', result });
    } catch (error) {
      const targets = endpointError('ciExport.readBake', error, 'BAKE_TARGET_AMBIGUOUS')?.data?.targets;
      setState(targets?.length ? { kind: 'pick', targets } : { kind: 'failed', problem: toProblem(error) });
    }
  };
  return (
    <div className="import-bake" data-testid="import-bake" data-state={state.kind}>
      <button type="button" data-testid="import-bake-button" disabled={!context.trim() || state.kind === 'reading'} onClick={() => void read()} title={`Fill the form from ${BAKE_FILE} in the build context`}>
        {state.kind === 'reading' ? 'Reading…' : `Import ${BAKE_FILE}`}
      </button>
      {state.kind === 'pick' && (
        <span className="row nowrap">
          The file defines several targets: import
          {state.targets.map((t) => (
            <button key={t} type="button" onClick={() => void read(t)}>
              {t}
            </button>
          ))}
        </span>
      )}
      {state.kind === 'failed' && <ProblemBox problem={state.problem} />}
      {state.kind === 'done' && (
        <div className="import-result" data-testid="import-result" data-refused={state.result.refused.length}>
          <p className="ok">
            Imported target “{state.result.target}” as <code>{state.result.command}</code> read it.
          </p>
          {state.result.refused.length > 0 && (
            <>
              <p className="err">Not imported (the form has no place for it):</p>
              <ul>
                {state.result.refused.map((r, i) => (
                  <li key={i}>{r}</li>
                ))}
              </ul>
            </>
          )}
          {state.result.notes.map((n, i) => (
            <p key={i} className="muted">
              {n}
            </p>
          ))}
        </div>
      )}
    </div>
  );
}
