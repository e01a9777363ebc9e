import { Modal } from '../../components/Modal';
import type { OverwriteQuestion } from '../../stores/build-store';

/**
 * The core refused to replace an existing file or folder: ask for that exact path. The answer
 * travels in the request (`overwrite`) and the core checks it again; the old content stays until
 * the build has succeeded.
 */
export function OverwriteDialog({ question, onAnswer }: { question: OverwriteQuestion; onAnswer(replace: boolean): void }) {
  return (
    <Modal title="Replace what is there?" testId="build-overwrite-dialog" onClose={() => onAnswer(false)} closeOnBackdrop={false}>
      <p>{question.message}</p>
      <p>
        <code data-testid="build-overwrite-path">{question.path}</code>
      </p>
      <p className="muted">It is replaced only when the build succeeds; until then it stays as it is. A failed or cancelled build leaves it untouched.</p>
      <div className="actions">
        <button type="button" className="danger" data-testid="build-overwrite-confirm" onClick={() => onAnswer(true)}>
          Replace it and build
        </button>
        <button type="button" data-autofocus onClick={() => onAnswer(false)}>
          Cancel
        </button>
      </div>
    </Modal>
  );
}
