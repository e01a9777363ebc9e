import type { BuildCheck } from '../buildx/check-output';
import type { DockerfileFinding, FindingSeverity } from './types';

/**
 * One item of the advice list: the app's finding, BuildKit's check results, or both when they report the same
 * thing at the same place (the finding's `buildkitCheck` names the check: that mapping is the rules' own). One
 * finding may stand for several results: the app reports the undefined variables of an instruction once, BuildKit
 * once per variable.
 */
export interface AdviceItem {
  line: number;
  severity: FindingSeverity;
  finding?: DockerfileFinding;
  checks: BuildCheck[];
}

const overlaps = (f: DockerfileFinding, c: BuildCheck): boolean =>
  c.line !== undefined && c.line <= (f.endLine ?? f.line) && f.line <= (c.endLine ?? c.line);

/** The check's detail names one of the finding's subjects (`'$TARGETARCH'`, `"linux/amd64"`, an image) as a whole word. */
function namesSubject(c: BuildCheck, f: DockerfileFinding): boolean {
  return (f.subject?.split(', ') ?? []).some((subject) => {
    const escaped = subject.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`(^|[^\\w])${escaped}($|[^\\w])`).test(c.detail);
  });
}

/**
 * The app's findings and BuildKit's checks as one list without duplicates: a check joins a finding of the same
 * concern (its `buildkitCheck`) whose lines overlap the check's and whose subject the check's detail names. A check
 * naming none joins the one finding it could be, if that finding has no check yet (so a second undefined variable
 * the app did not report stays BuildKit's own). Everything left stands alone. Ordered by line, findings first.
 */
export function mergeBuildChecks(findings: readonly DockerfileFinding[], checks: readonly BuildCheck[]): AdviceItem[] {
  const joined = new Map<DockerfileFinding, BuildCheck[]>(findings.map((f) => [f, []]));
  const placed = new Set<BuildCheck>();
  const sameConcern = (c: BuildCheck) => findings.filter((f) => f.buildkitCheck === c.ruleName && overlaps(f, c));
  const join = (f: DockerfileFinding, c: BuildCheck) => {
    joined.get(f)!.push(c);
    placed.add(c);
  };

  for (const c of checks) {
    const named = sameConcern(c).find((f) => namesSubject(c, f));
    if (named) join(named, c);
  }
  for (const c of checks) {
    const only = placed.has(c) ? [] : sameConcern(c);
    if (only.length === 1 && joined.get(only[0]!)!.length === 0) join(only[0]!, c);
  }

  const items: AdviceItem[] = findings.map((f) => ({ line: f.line, severity: f.severity, finding: f, checks: joined.get(f)! }));
  for (const c of checks) if (!placed.has(c)) items.push({ line: c.line ?? 1, severity: 'warning', checks: [c] });
  return items.sort((a, b) => a.line - b.line || Number(!a.finding) - Number(!b.finding));
}
