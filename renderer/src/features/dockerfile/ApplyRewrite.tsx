import type { DockerfileEdit, DockerfileFinding } from '../../../../shared/domain/dockerfile';
import { Modal } from '../../components/Modal';

type DiffLine = { kind: ' ' | '-' | '+'; old?: number; new?: number; text: string };

/** A line diff of one edit: the unchanged lines around the change kept as context. */
export function diffLines(edit: Pick<DockerfileEdit, 'line' | 'before' | 'text'>): DiffLine[] {
  const a = edit.before.split('\n');
  const b = edit.text.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const out: DiffLine[] = [];
  for (let i = 0; i < head; i++) out.push({ kind: ' ', old: edit.line + i, new: edit.line + i, text: a[i] ?? '' });
  for (let i = head; i < a.length - tail; i++) out.push({ kind: '-', old: edit.line + i, text: a[i] ?? '' });
  for (let i = head; i < b.length - tail; i++) out.push({ kind: '+', new: edit.line + i, text: b[i] ?? '' });
  for (let i = 0; i < tail; i++) {
    const ai = a.length - tail + i;
    out.push({ kind: ' ', old: edit.line + ai, new: edit.line + b.length - tail + i, text: a[ai] ?? '' });
  }
  return out;
}

/** Shows exactly what "Apply" will write, and writes it only when confirmed. */
export function ApplyDialog({
  finding,
  dockerfile,
  busy,
  onApply,
  onClose,
}: {
  finding: DockerfileFinding;
  dockerfile: string;
  busy: boolean;
  onApply(): void;
  onClose(): void;
}) {
  const edits = finding.edits ?? [];
  return (
    <Modal title="Write this rewrite into the Dockerfile?" testId="dockerfile-apply-dialog" className="advice-apply" onClose={onClose}>
      <p className="muted">
        {dockerfile} — {edits.length === 1 ? 'this change' : `these ${edits.length} changes`} for <code>{finding.rule}</code> on line {finding.line}. A copy of the file as it is now is kept in the app’s data folder first.
      </p>
      {edits.map((edit) => (
        <pre key={edit.line} className="advice-diff" data-testid="dockerfile-apply-diff" data-line={edit.line}>
          {diffLines(edit).map((l, i) => (
            <span key={i} className={`advice-diff-line ${l.kind === '+' ? 'added' : l.kind === '-' ? 'removed' : ''}`} data-kind={l.kind}>
              <span className="advice-gutter">{l.kind === '+' ? '' : l.old}</span>
              <span className="advice-gutter">{l.kind === '-' ? '' : l.new}</span>
              {l.kind} {l.text}
              {'\n'}
            </span>
          ))}
        </pre>
      ))}
      <div className="row">
        <span className="grow" />
        <button type="button" onClick={onClose} disabled={busy}>
          Cancel
        </button>
        <button type="button" className="primary" data-autofocus onClick={onApply} disabled={busy} data-testid="dockerfile-apply-confirm">
          {busy ? 'Writing…' : 'Write to the Dockerfile'}
        </button>
      </div>
    </Modal>
  );
}
