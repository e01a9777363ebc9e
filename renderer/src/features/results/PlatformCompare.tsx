import type { CompareReport } from '../../../../shared/contract/integrity';
import { api } from '../../api';
import { formatBytes } from '../../components/format';
import { ProblemBox } from '../../components/ProblemBox';
import { useIntegrityStore } from '../../stores/integrity-store';
import { ProgressLine } from './BinaryCheck';

function Files({ title, entries, testId }: { title: string; entries: CompareReport['onlyInA']; testId: string }) {
  return (
    <div data-testid={testId}>
      <h3>{title}</h3>
      {entries.length === 0 ? (
        <p className="muted">nothing</p>
      ) : (
        <ul className="integrity-list">
          {entries.map((e) => (
            <li key={e.path} data-testid="compare-file" data-path={e.path}>
              <code>{e.path}</code> <span className="muted">{e.kind === 'dir' ? `folder, ${e.entries ?? 0} entries` : e.kind === 'file' ? formatBytes(e.size) : e.kind}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function Report({ report }: { report: CompareReport }) {
  const { a, b, packages } = report;
  const pkgText = (p: { name: string; version: string }) => `${p.name} ${p.version}`;
  return (
    <div className="integrity-compare" data-testid="compare-report">
      <div className="compare-columns">
        <Files title={`Only in ${a.platform}`} entries={report.onlyInA} testId="compare-only-a" />
        <Files title={`Only in ${b.platform}`} entries={report.onlyInB} testId="compare-only-b" />
      </div>
      {report.truncated && <p className="muted">Long lists were cut; the first 200 entries of each are shown.</p>}
      <h3>Size differences</h3>
      {report.sizeDiffs.length === 0 ? (
        <p className="muted">none past the threshold</p>
      ) : (
        <table className="integrity-table" data-testid="compare-sizes">
          <thead>
            <tr>
              <th>File</th>
              <th className="num">{a.platform}</th>
              <th className="num">{b.platform}</th>
            </tr>
          </thead>
          <tbody>
            {report.sizeDiffs.map((d) => (
              <tr key={d.path}>
                <td>
                  <code>{d.path}</code>
                </td>
                <td className="num">{formatBytes(d.a)}</td>
                <td className="num">{formatBytes(d.b)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Installed packages</h3>
      {packages.source === 'none' ? (
        <p className="muted">No package database (dpkg, apk) and no SBOM in this image.</p>
      ) : packages.onlyInA.length + packages.onlyInB.length + packages.versionDiffs.length === 0 ? (
        <p className="muted">the same on both (from {packages.source})</p>
      ) : (
        <ul className="integrity-list" data-testid="compare-packages">
          {packages.onlyInA.map((p) => (
            <li key={`a-${p.name}`}>
              only in {a.platform}: <code>{pkgText(p)}</code>
            </li>
          ))}
          {packages.onlyInB.map((p) => (
            <li key={`b-${p.name}`}>
              only in {b.platform}: <code>{pkgText(p)}</code>
            </li>
          ))}
          {packages.versionDiffs.map((d) => (
            <li key={`v-${d.name}`}>
              <code>{d.name}</code>: {d.a} ({a.platform}) vs {d.b} ({b.platform})
            </li>
          ))}
          <li className="muted">from {packages.source}</li>
        </ul>
      )}
      <h3>Config</h3>
      {report.config.length === 0 ? (
        <p className="muted">the same on both</p>
      ) : (
        <table className="integrity-table" data-testid="compare-config">
          <tbody>
            {report.config.map((c) => (
              <tr key={c.field}>
                <td>{c.field}</td>
                <td>
                  <code>{c.a ?? '—'}</code>
                </td>
                <td>
                  <code>{c.b ?? '—'}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** Two platforms of one image side by side. */
export function PlatformCompare({ platforms }: { platforms: string[] }) {
  const { compare: task, compareA, compareB, setCompare, runCompare, cancel } = useIntegrityStore();
  const picker = (side: 'a' | 'b', value: string) => (
    <select data-testid={`compare-${side}`} value={value} onChange={(e) => setCompare(side, e.target.value)} aria-label={side === 'a' ? 'First platform' : 'Second platform'}>
      {platforms.map((p) => (
        <option key={p} value={p}>
          {p}
        </option>
      ))}
    </select>
  );
  return (
    <div className="integrity-section" data-testid="platform-compare" data-state={task.state}>
      <div className="row">
        {picker('a', compareA)}
        <span className="muted">vs</span>
        {picker('b', compareB)}
        <button type="button" data-testid="compare-run" disabled={task.state === 'running' || platforms.length < 2} onClick={() => void runCompare(api())}>
          Compare
        </button>
      </div>
      {task.state === 'running' && <ProgressLine progress={task.progress} onCancel={() => cancel('compare')} testId="compare-progress" />}
      {task.problem && <ProblemBox problem={task.problem} />}
      {task.result && <Report report={task.result} />}
    </div>
  );
}
