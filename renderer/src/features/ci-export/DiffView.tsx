import { diffLines } from 'diff';

/** What saving would change in a file: removed lines red, added green, the rest as context. */
export function DiffView({ before, after }: { before: string; after: string }) {
  const parts = diffLines(before, after);
  return (
    <pre className="diff-view" data-testid="export-diff">
      {parts.map((p, i) => (
        <span key={i} className={p.added ? 'diff-add' : p.removed ? 'diff-del' : 'diff-same'}>
          {p.value
            .replace(/\n$/, '')
            .split('\n')
            .map((line) => `${p.added ? '+' : p.removed ? '-' : ' '} ${line}`)
            .join('\n')}
          {'\n'}
        </span>
      ))}
    </pre>
  );
}
