import type { ReactNode } from 'react';
import type { Problem } from '../stores/problem';

/** What failed, why, and what to do: the one way errors are shown. */
export function ProblemBox({ problem, children, tone = 'error' }: { problem: Problem; children?: ReactNode; tone?: 'error' | 'warning' }) {
  return (
    <div className={`problem ${tone}`} role="alert" data-code={problem.code}>
      <p className="problem-message">{problem.message}</p>
      {problem.hint && <p className="problem-hint">{problem.hint}</p>}
      {children}
    </div>
  );
}
