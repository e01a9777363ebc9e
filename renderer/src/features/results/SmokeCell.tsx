import { CopyButton } from '../../components/CopyButton';
import { formatDuration } from '../../components/format';
import { useNav } from '../../stores/nav-store';
import type { SmokeState } from '../../stores/results-store';

/** Run button, then what the platform printed next to what it should print: green when they match. */
export function SmokeCell({ platform, expected, state, onRun }: { platform: string; expected: string[]; state: SmokeState | undefined; onRun: () => void }) {
  const go = useNav((s) => s.go);
  const running = state?.state === 'running';
  const result = state?.result;
  const dataState = running ? 'running' : result ? result.status : state?.problem ? 'failed' : 'idle';
  return (
    <div className="smoke" data-testid={`smoke-${platform}`} data-state={dataState}>
      <div className="row smoke-head">
        <button type="button" className="smoke-run" disabled={running} onClick={onRun} data-testid={`smoke-run-${platform}`}>
          {running ? 'Running…' : result || state?.problem ? 'Run again' : 'Smoke run'}
        </button>
        {result && <CopyButton value={result.displayCommand} label="Copy docker run command" />}
      </div>
      {result && result.status !== 'error' && (
        <div className={`smoke-compare ${result.status === 'match' ? 'ok' : result.status === 'mismatch' ? 'err' : ''}`}>
          <code data-testid="smoke-machine">{result.machine ?? '(no output)'}</code>
          <span className="muted"> {result.status === 'match' ? '=' : result.status === 'mismatch' ? '≠' : ''} expected </span>
          <code data-testid="smoke-expected">{expected.length > 0 ? expected.join(' or ') : 'nothing to compare with'}</code>
          <span className="muted"> · {formatDuration(result.durationMs)}</span>
        </div>
      )}
      {result?.status === 'error' && (
        <div className="smoke-error err">
          <code className="smoke-error-message" data-testid="smoke-error">
            {result.error?.message}
          </code>
          {result.execFormatError && (
            <p>
              No emulator for {platform}?{' '}
              <button type="button" className="link" data-testid={`smoke-emulators-${platform}`} onClick={() => go('emulators')}>
                Open the Emulators page
              </button>
            </p>
          )}
          {!result.execFormatError && result.error?.hint && <p className="muted">{result.error.hint}</p>}
        </div>
      )}
      {state?.problem && (
        <div className="smoke-error err" data-testid="smoke-error">
          {state.problem.message}
          {state.problem.hint && <p className="muted">{state.problem.hint}</p>}
        </div>
      )}
    </div>
  );
}
