import type { Outcome } from '../../stores/builders-store';
import { CommandRuns } from '../../components/CommandRuns';

/** What the last action did: its message, the equivalent commands, and their output on failure. */
export function OutcomePanel({ outcome, onDismiss }: { outcome: Outcome; onDismiss?: () => void }) {
  return (
    <section
      className={outcome.ok ? 'card builder-outcome ok' : 'problem builder-outcome'}
      role={outcome.ok ? 'status' : 'alert'}
      data-testid="builders-outcome"
      data-state={outcome.ok ? 'ok' : 'failed'}
      data-code={outcome.problem?.code}
    >
      <div className="row builder-outcome-head">
        <strong>{outcome.title}</strong>
        {onDismiss && (
          <button type="button" className="link-button" onClick={onDismiss}>
            dismiss
          </button>
        )}
      </div>
      <p className={outcome.ok ? '' : 'problem-message'} data-testid="builders-outcome-message">
        {outcome.message}
      </p>
      {outcome.problem?.hint && <p className="problem-hint">{outcome.problem.hint}</p>}
      {outcome.notes.map((n) => (
        <p key={n} className="muted">
          {n}
        </p>
      ))}
      <CommandRuns commands={outcome.commands} testId="builders-outcome-commands" />
    </section>
  );
}
