import type { ArchOutcome, EmulatorRowData } from '../../../../shared/contract/emulators';
import type { EmulatorArchitecture } from '../../../../shared/domain/binfmt/architectures';
import { FLAG_MEANINGS } from '../../../../shared/domain/binfmt/entries';
import type { TestState } from '../../stores/emulators-store';
import { archId } from './ids';

const STATE_LABEL = { native: 'native', emulated: 'emulated', unavailable: 'unavailable' } as const;
const STATE_TONE = { native: 'ok', emulated: 'info', unavailable: 'err' } as const;

export const OUTCOME_LABEL: Record<ArchOutcome['outcome'], string> = {
  ok: 'OK',
  'already-registered': 'already registered',
  'not-registered': 'not registered',
  eperm: 'EPERM: not permitted',
  'not-supported': 'not supported',
  failed: 'failed',
  skipped: 'skipped',
};
export const OUTCOME_TONE: Record<ArchOutcome['outcome'], 'ok' | 'warn' | 'err' | 'info'> = {
  ok: 'ok',
  'already-registered': 'info',
  'not-registered': 'info',
  eperm: 'err',
  'not-supported': 'err',
  failed: 'err',
  skipped: 'info',
};

interface Props {
  rows: EmulatorRowData[];
  selected: EmulatorArchitecture[];
  busy: boolean;
  outcomes: ArchOutcome[];
  tests: Partial<Record<EmulatorArchitecture, TestState>>;
  onToggle(arch: EmulatorArchitecture): void;
  onTest(arch: EmulatorArchitecture): void;
}

export function EmulatorTable({ rows, selected, busy, outcomes, tests, onToggle, onTest }: Props) {
  return (
    <table className="emulators-table" data-testid="emulators-table">
      <thead>
        <tr>
          <th aria-label="Select" />
          <th>Platform</th>
          <th>Docker host runs it</th>
          <th>binfmt_misc entry</th>
          <th>Flags</th>
          <th className="emulators-test-col">Test</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => {
          const id = archId(row.architecture);
          const outcome = outcomes.find((o) => o.architecture === row.architecture);
          const test = tests[row.architecture];
          return (
            <tr
              key={row.architecture}
              data-testid={`emulator-row-${id}`}
              data-state={row.state}
              data-flags={row.entry?.flags ?? ''}
              className={selected.includes(row.architecture) ? 'selected' : undefined}
            >
              <td>
                <input
                  type="checkbox"
                  aria-label={`Select ${row.platform}`}
                  data-testid={`emulator-select-${id}`}
                  checked={selected.includes(row.architecture)}
                  disabled={busy}
                  onChange={() => onToggle(row.architecture)}
                />
              </td>
              <td>
                <code>{row.platform}</code>
                {row.sharedWith.length > 0 && (
                  <div className="muted small" title="Both run through the same emulator">
                    shares {row.entryName} with {row.sharedWith.join(', ')}
                  </div>
                )}
              </td>
              <td>
                <span className={`badge ${STATE_TONE[row.state]}`} data-testid={`emulator-state-${id}`}>
                  {STATE_LABEL[row.state]}
                </span>
                {outcome && (
                  <div className="emulators-outcome" data-testid={`emulators-outcome-${id}`} data-outcome={outcome.outcome} title={outcome.message}>
                    <span className={`badge ${OUTCOME_TONE[outcome.outcome]}`}>{OUTCOME_LABEL[outcome.outcome]}</span>{' '}
                    <span className="muted small">{outcome.message}</span>
                  </div>
                )}
              </td>
              <td>
                {row.entry ? (
                  <>
                    <code data-testid={`emulator-entry-${id}`}>{row.entry.name}</code>
                    {!row.entry.enabled && <span className="badge warn">disabled</span>}
                    <div className="muted small emulators-interpreter" title="Interpreter">
                      {row.entry.interpreter}
                    </div>
                  </>
                ) : (
                  <span className="muted">none</span>
                )}
              </td>
              <td>
                {row.entry && (
                  <code title={row.entry.flags.split('').map((f) => `${f}: ${FLAG_MEANINGS[f] ?? f}`).join(', ') || 'no flags'}>{row.entry.flags || '—'}</code>
                )}
                {row.issues.map((issue) => (
                  <div key={issue.code} className="emulators-issue" data-testid={`emulator-issue-${id}-${issue.code}`}>
                    <span className={`badge ${issue.severity === 'error' ? 'err' : issue.severity === 'warning' ? 'warn' : 'info'}`}>{ISSUE_LABEL[issue.code]}</span>
                    <span className="muted small">{issue.message}</span>
                  </div>
                ))}
              </td>
              <td>
                <button type="button" onClick={() => onTest(row.architecture)} disabled={test?.state === 'running'} data-testid={`emulator-test-${id}`}>
                  Test
                </button>
                <TestCell id={id} test={test} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

const ISSUE_LABEL = {
  NO_FIX_BINARY: 'no F flag: fails in containers',
  NO_PRESERVE_ARGV0: 'no P flag',
  DISABLED: 'disabled',
  BINFMT_DISABLED: 'binfmt_misc off',
  NATIVE_SHADOWED: 'emulator for the host itself',
  NATIVE_UNCERTAIN: 'CPU-dependent',
} as const;

function TestCell({ id, test }: { id: string; test: TestState | undefined }) {
  if (!test) return null;
  const result = test.result;
  return (
    <div className="emulators-test" data-testid={`emulator-test-result-${id}`} data-state={test.state}>
      {test.state === 'running' && <span className="muted">running uname -m…</span>}
      {result?.ok && (
        <span>
          <code className="ok" data-testid={`emulator-test-machine-${id}`}>
            {result.machine}
          </code>{' '}
          <span className="muted small">expected {result.expected.join(' or ')}</span>
        </span>
      )}
      {result && !result.ok && result.failure && (
        <div>
          {result.machine && (
            <code className="warn" data-testid={`emulator-test-machine-${id}`}>
              {result.machine}
            </code>
          )}
          <code className="err" data-testid={`emulator-test-failure-${id}`} data-kind={result.failure.kind}>
            {result.failure.message}
          </code>
          <div className="small">{result.failure.hint}</div>
        </div>
      )}
      {result && (
        <div className="muted small" title="Equivalent command">
          {result.command}
        </div>
      )}
      {test.problem && (
        <div className="err small" data-testid={`emulator-test-failure-${id}`} data-kind="error">
          {test.problem.message} {test.problem.hint}
        </div>
      )}
    </div>
  );
}
