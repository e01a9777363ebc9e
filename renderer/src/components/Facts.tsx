import type { ReactNode } from 'react';
import { CopyButton } from './CopyButton';

export interface Fact {
  label: string;
  value: string;
  /** Shown instead of the raw value; the copy button still copies `value`. */
  display?: ReactNode;
  testId?: string;
  hint?: string;
}

/** Label / value rows, each with a copy button. */
export function Facts({ facts }: { facts: Fact[] }) {
  return (
    <dl className="facts">
      {facts.map((f) => (
        <div className="fact" key={f.label} data-testid={f.testId}>
          <dt title={f.hint}>{f.label}</dt>
          <dd>
            <span className="fact-value">{f.display ?? f.value}</span>
            <CopyButton value={f.value} label={`Copy ${f.label}`} />
          </dd>
        </div>
      ))}
    </dl>
  );
}
