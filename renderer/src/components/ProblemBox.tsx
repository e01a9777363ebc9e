import type { ReactNode } from 'react';
import { problemActions } from '../errors/actions';
import type { Problem } from '../stores/problem';
import { useNav } from '../stores/nav-store';
import { CommandRuns } from './CommandRuns';

/**
 * What failed, why, and what to do: the one way errors are shown. The actions (open the page that
 * fixes it, try again, the commands that ran) come from the one code → action map.
 */
export function ProblemBox({ problem, children, tone = 'error', onRetry }: { problem: Problem; children?: ReactNode; tone?: 'error' | 'warning'; onRetry?: () => void }) {
  const here = useNav((s) => s.page);
  const go = useNav((s) => s.go);
  const actions = problemActions(problem, { here, canRetry: onRetry !== undefined });
  const buttons = actions.filter((a) => a.kind !== 'show-commands');
  return (
    <div className={`problem ${tone}`} role="alert" data-code={problem.code}>
      <p className="problem-message">{problem.message}</p>
      {problem.hint && <p className="problem-hint">{problem.hint}</p>}
      {children}
      {actions.map((a) => a.kind === 'show-commands' && <CommandRuns key="commands" commands={a.commands} />)}
      {buttons.length > 0 && (
        <div className="row problem-actions">
          {buttons.map((a) =>
            a.kind === 'open-page' ? (
              <button key={a.page} type="button" className="link" data-testid="problem-action" data-action={`open-${a.page}`} onClick={() => go(a.page)}>
                {a.label}
              </button>
            ) : (
              <button key="retry" type="button" data-testid="problem-action" data-action="retry" onClick={onRetry}>
                {a.label}
              </button>
            ),
          )}
        </div>
      )}
    </div>
  );
}
