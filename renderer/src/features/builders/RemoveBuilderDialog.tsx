import { useState } from 'react';
import type { BuilderSummary } from '../../../../shared/contract/builders';
import { previewCommand, removeArgs } from '../../../../shared/domain/buildx/commands';
import { Modal } from '../../components/Modal';

export function RemoveBuilderDialog({ builder, onRemove, onClose }: { builder: BuilderSummary; onRemove(keepState: boolean): void; onClose(): void }) {
  const [keepState, setKeepState] = useState(false);
  const canKeep = builder.driver === 'docker-container';
  return (
    <Modal title={`Remove “${builder.name}”?`} testId="builder-remove-dialog" onClose={onClose}>
      <p>
        buildx forgets the builder{builder.driver === 'docker-container' ? ' and removes its BuildKit container' : ''}.
        {builder.current && ' It is the current builder: builds fall back to "default".'}
      </p>
      {canKeep && (
        <label className="check">
          <input type="checkbox" checked={keepState} onChange={(e) => setKeepState(e.target.checked)} data-testid="builder-remove-keep-state" />
          Keep its build cache (the state volume) for a builder of the same name later
        </label>
      )}
      <code className="muted">{previewCommand(removeArgs(builder.name, keepState && canKeep))}</code>
      <div className="actions">
        <button type="button" className="danger" onClick={() => onRemove(keepState && canKeep)} data-testid="builder-remove-confirm">
          Remove
        </button>
        <button type="button" onClick={onClose} data-autofocus>
          Cancel
        </button>
      </div>
    </Modal>
  );
}
