import type { EmulatorPlan } from '../../../../shared/contract/emulators';
import { CopyButton } from '../../components/CopyButton';
import { Modal } from '../../components/Modal';

const VERB = { install: 'Install', uninstall: 'Uninstall', restore: 'Restore' } as const;

/** Asks once per installer image, saying exactly what will run and why it must be privileged. */
export function ConsentDialog({ plan, onConfirm, onCancel }: { plan: EmulatorPlan; onConfirm(): void; onCancel(): void }) {
  return (
    <Modal title="Run a privileged container on the Docker host?" testId="emulators-consent" onClose={onCancel} closeOnBackdrop={false}>
      <p>
        {VERB[plan.action]} {plan.architectures.join(', ')} runs the installer image <code data-testid="emulators-consent-image">{plan.image}</code> once,
        through the engine, exactly as:
      </p>
      <div className="row emulators-command">
        <pre data-testid="emulators-consent-command">{plan.command}</pre>
        <CopyButton value={plan.command} label="Copy command" />
      </div>
      <p className="muted">
        Arguments: <code>{plan.args.join(' ')}</code>
      </p>
      <h3 className="emulators-why-title">Why --privileged</h3>
      <p data-testid="emulators-consent-why">{plan.why}</p>
      {plan.skipped.length > 0 && (
        <ul className="muted">
          {plan.skipped.map((s) => (
            <li key={s.architecture}>{s.reason}</li>
          ))}
        </ul>
      )}
      <p className="muted">
        The app asks once for this image. If you change the installer image (a pinned tag or a mirror), it asks again.
      </p>
      <div className="actions emulators-dialog-actions">
        <button type="button" data-autofocus onClick={onCancel} data-testid="emulators-consent-cancel">
          Cancel
        </button>
        <button type="button" className="primary" onClick={onConfirm} data-testid="emulators-consent-confirm">
          Run the privileged installer
        </button>
      </div>
    </Modal>
  );
}
