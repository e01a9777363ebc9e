import type { BuildProblem } from '../../../../../shared/domain/build-request/checks';

/** The form's checks that belong to one field, under it. */
export function FieldProblems({ problems, field }: { problems: BuildProblem[]; field: string }) {
  const mine = problems.filter((p) => p.field === field);
  if (mine.length === 0) return null;
  return (
    <>
      {mine.map((p, i) => (
        <p key={i} className={p.severity === 'error' ? 'field-problem err' : 'field-problem warn'} data-testid="build-problem" data-code={p.code}>
          {p.message} <span className="muted">{p.fix}</span>
        </p>
      ))}
    </>
  );
}
