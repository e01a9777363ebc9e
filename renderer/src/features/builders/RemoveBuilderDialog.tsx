import { useState } from 'react';
import type { BuilderSummary } from '../../../../shared/contract/builders';
import { previewCommand, removeArgs } from '../../../../shared/domain/buildx/commands';
import { useEscape } from '../../hooks/use-escape';

export function RemoveBuilderDialog({ builder, onRemove, onClose }: { builder: BuilderSummary; onRemove(keepState: boolean): void; onClose(): void }) {
  const [keepState, setKeepState] = useState(false);
  const canKeep = builder.driver === 'docker-container';
  useEscape(onClose);
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal" role="dialog" aria-label={`Remove ${builder.name}`} data-testid="builder-remove-dialog" onClick={(e) => e.stopPropagation()}>
        <h2>Remove “{builder.name}”?</h2>
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
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </div>
    </div>
  );
}
