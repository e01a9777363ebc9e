import type { CheckProgress, CheckReport, PlatformCheck } from '../../../../shared/contract/integrity';
import { api } from '../../api';
import { formatBytes, formatDuration } from '../../components/format';
import { ProblemBox } from '../../components/ProblemBox';
import { useIntegrityStore } from '../../stores/integrity-store';

const shortDigest = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

const STATUS: Record<PlatformCheck['status'], { badge: string; label: string }> = {
  clean: { badge: 'ok', label: 'clean' },
  mismatch: { badge: 'err', label: 'foreign binaries' },
  error: { badge: 'err', label: 'not checked' },
  unchecked: { badge: 'warn', label: 'no reference machine' },
};

export function ProgressLine({ progress, onCancel, testId }: { progress: CheckProgress | undefined; onCancel: () => void; testId: string }) {
  const reading = progress?.phase === 'layers';
  const share = reading && progress.bytesTotal > 0 ? Math.min(1, progress.bytesDone / progress.bytesTotal) : undefined;
  return (
    <div className="row integrity-progress" data-testid={testId}>
      <progress max={1} value={share} />
      <span className="muted">
        {!reading
          ? 'Reading the manifests…'
          : `Layers ${progress.layersDone} of ${progress.layersTotal} · ${formatBytes(progress.bytesDone)}${progress.bytesTotal > 0 ? ` of ${formatBytes(progress.bytesTotal)}` : ''}`}
      </span>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}

function Summary({ report }: { report: CheckReport }) {
  const elf = report.platforms.reduce((n, p) => n + p.elfFiles, 0);
  return (
    <p className="muted" data-testid="check-summary">
      {report.status === 'clean' && `No foreign binaries: ${elf} ELF files checked on ${report.platforms.length} platform${report.platforms.length === 1 ? '' : 's'}.`}
      {report.status === 'mismatch' && `Binaries of another architecture on ${report.platforms.filter((p) => p.status === 'mismatch').map((p) => p.platform).join(', ')}.`}
      {report.status === 'error' && 'Some platforms could not be checked (see below).'}
      {` Read ${formatBytes(report.bytesRead)} in ${report.layersRead} layer${report.layersRead === 1 ? '' : 's'}, ${report.layersReused} reused from earlier checks, in ${formatDuration(report.durationMs)}.`}
    </p>
  );
}

function PlatformResult({ p }: { p: PlatformCheck }) {
  const status = STATUS[p.status];
  return (
    <div className="integrity-platform" data-testid={`check-${p.platform}`} data-state={p.status}>
      <div className="row">
        <code className="platform-name">{p.platform}</code>
        <span className={`badge ${status.badge}`}>{status.label}</span>
        {p.status !== 'error' && (
          <span className="muted" data-testid="check-elf-count">
            {p.elfFiles} ELF file{p.elfFiles === 1 ? '' : 's'} of {p.regularFiles} files{p.expected ? `; expected ${p.expected}` : ''}
          </span>
        )}
      </div>
      {p.error && <ProblemBox problem={p.error} />}
      {p.mismatches.length > 0 && (
        <table className="integrity-table">
          <thead>
            <tr>
              <th>File</th>
              <th>Found</th>
              <th>Made by</th>
              <th>Layer</th>
            </tr>
          </thead>
          <tbody>
            {p.mismatches.map((m) => (
              <tr key={m.path} data-testid="mismatch-row" data-path={m.path}>
                <td>
                  <code>{m.path}</code>
                </td>
                <td className="err" data-testid="mismatch-found">
                  {m.found}
                  {m.foundPlatforms.length > 0 && <span className="muted"> ({m.foundPlatforms.join(', ')})</span>}
                </td>
                <td data-testid="mismatch-step">{m.layer.step ? <code>{m.layer.step}</code> : <span className="muted">unknown (no build history for this layer)</span>}</td>
                <td>
                  <code title={m.layer.digest}>
                    #{m.layer.index + 1} {shortDigest(m.layer.digest)}
                  </code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {p.mismatchCount > p.mismatches.length && <p className="muted">…and {p.mismatchCount - p.mismatches.length} more.</p>}
      {p.missingInterpreters.length > 0 && (
        <div data-testid="missing-interpreters">
          <p className="warn">Scripts whose interpreter is not in the image:</p>
          <ul className="integrity-list">
            {p.missingInterpreters.map((m) => (
              <li key={m.path} data-testid="missing-interpreter" data-path={m.path}>
                <code>{m.path}</code> needs <code>{m.envProgram ? `${m.envProgram} (through ${m.interpreter})` : m.interpreter}</code>
                {m.layer.step && <span className="muted"> · {m.layer.step}</span>}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

/** Results → "Check binaries": every platform's ELF files against its architecture, with the step that brought a foreign one. */
export function BinaryCheck() {
  const task = useIntegrityStore((s) => s.check);
  const run = useIntegrityStore((s) => s.runCheck);
  const cancel = useIntegrityStore((s) => s.cancel);
  return (
    <div className="integrity-section" data-testid="binary-check" data-state={task.state}>
      <div className="row">
        <button type="button" className="primary" data-testid="check-binaries" disabled={task.state === 'running'} onClick={() => void run(api())}>
          {task.state === 'done' || task.state === 'failed' ? 'Check again' : 'Check binaries'}
        </button>
        <span className="muted">Reads every layer and compares each executable's ELF header with its platform; nothing is unpacked to disk.</span>
      </div>
      {task.state === 'running' && <ProgressLine progress={task.progress} onCancel={() => cancel('check')} testId="check-progress" />}
      {task.problem && <ProblemBox problem={task.problem} />}
      {task.result && (
        <>
          <Summary report={task.result} />
          {task.result.platforms.map((p) => (
            <PlatformResult key={p.platform} p={p} />
          ))}
        </>
      )}
    </div>
  );
}
