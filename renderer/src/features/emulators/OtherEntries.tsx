import type { BinfmtEntryData } from '../../../../shared/contract/emulators';

/** binfmt_misc entries that are not table architectures: never shown as emulation. */
export function OtherEntries({ title, what, entries, testId }: { title: string; what: string; entries: BinfmtEntryData[]; testId: string }) {
  if (entries.length === 0) return null;
  return (
    <details className="card" data-testid={testId}>
      <summary>
        <h2 className="emulators-inline-h2">
          {title} ({entries.length})
        </h2>{' '}
        <span className="muted">{what}</span>
      </summary>
      <table>
        <thead>
          <tr>
            <th>Entry</th>
            <th>Interpreter</th>
            <th>Flags</th>
            <th>Matches</th>
            <th>Enabled</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.name} data-testid={`${testId}-${e.name}`}>
              <td>
                <code>{e.name}</code>
              </td>
              <td className="small">{e.interpreter}</td>
              <td>
                <code>{e.flags || '—'}</code>
              </td>
              <td className="small">{e.extension ? `extension ${e.extension}` : e.magic ? `magic ${e.magic.slice(0, 16)}${e.magic.length > 16 ? '…' : ''}` : ''}</td>
              <td>{e.enabled ? 'yes' : <span className="warn">no</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
