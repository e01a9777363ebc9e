import { useState } from 'react';
import type { FileExistsData, SaveExportInput } from '../../../../shared/contract/ci-export';
import { endpointError } from '../../../../shared/contract/endpoint-errors';
import { api } from '../../api';
import { ProblemBox } from '../../components/ProblemBox';
import { toProblem, type Problem } from '../../stores/problem';
import { DiffView } from './DiffView';

type State =
  | { kind: 'idle' }
  | { kind: 'saving' }
  | { kind: 'saved'; path: string; outcome: string }
  | { kind: 'confirm'; existing: FileExistsData }
  | { kind: 'failed'; problem: Problem };

/**
 * "Save into the build context": main writes the file under its fixed name, and when a different
 * one is there, shows the difference and replaces it only after the user says so.
 */
export function SaveToContext({ input, label, testId }: { input: Omit<SaveExportInput, 'replaceSha256'>; label: string; testId: string }) {
  const [state, setState] = useState<State>({ kind: 'idle' });
  const save = async (replaceSha256?: string) => {
    setState({ kind: 'saving' });
    try {
      const result = await api().ciExport.save({ ...input, ...(replaceSha256 ? { replaceSha256 } : {}) });
      setState({ kind: 'saved', path: result.path, outcome: result.outcome });
    } catch (error) {
      const existing = endpointError('ciExport.save', error, 'FILE_EXISTS')?.data;
      if (existing && 'sha256' in existing && existing.sha256) setState({ kind: 'confirm', existing });
      else setState({ kind: 'failed', problem: toProblem(error) });
    }
  };
  return (
    <div className="save-to-context" data-testid={testId} data-state={state.kind}>
      <button type="button" onClick={() => void save()} disabled={state.kind === 'saving' || state.kind === 'confirm'}>
        {label}
      </button>
      {state.kind === 'saved' && (
        <span className="ok" data-testid={`${testId}-path`}>
          {state.outcome === 'unchanged' ? 'Already there, unchanged: ' : state.outcome === 'replaced' ? 'Replaced ' : 'Saved as '}
          <code>{state.path}</code>
        </span>
      )}
      {state.kind === 'failed' && <ProblemBox problem={state.problem} />}
      {state.kind === 'confirm' && (
        <div className="confirm-replace">
          <p className="warn">
            <code>{state.existing.path}</code> already exists and differs. Replacing it changes:
          </p>
          <DiffView before={state.existing.existing} after={input.content} />
          <div className="actions">
            <button type="button" className="danger" data-testid={`${testId}-replace`} onClick={() => void save(state.existing.sha256)}>
              Replace the file
            </button>
            <button type="button" onClick={() => setState({ kind: 'idle' })}>
              Keep it
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
