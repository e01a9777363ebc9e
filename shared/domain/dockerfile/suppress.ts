/**
 * Inline suppression: `# multiarch-ignore: rule-id[, rule-id…]` on the comment lines right before
 * an instruction silences those rules for that instruction. Silenced findings are kept apart (the
 * page lists them as such); an unknown rule id is itself reported, with the fix when it is a typo.
 */
import { editDistance, type DockerfileModel, type ModelInstruction } from './model';
import { findingRule, type DockerfileFinding, type FindingRule } from './types';

const IGNORE_RE = /^\s*#\s*multiarch-ignore\s*:?\s*(.*)$/i;
const RULES = new Set<string>(findingRule.options);

function closestRule(id: string): string | undefined {
  if (id.length > 40) return undefined;
  let best: string | undefined;
  let bestDistance = 3;
  for (const rule of RULES) {
    const d = editDistance(id, rule);
    if (d < bestDistance) [best, bestDistance] = [rule, d];
  }
  return best;
}

/** The instruction holding a 0-based line (instructions are in order and do not overlap). */
export function instructionAt(model: DockerfileModel, line: number): ModelInstruction | undefined {
  const list = model.instructions;
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const i = list[mid];
    if (!i) break;
    if (line < i.line) hi = mid - 1;
    else if (line > i.endLine) lo = mid + 1;
    else return i;
  }
  return undefined;
}

export interface Suppression {
  findings: DockerfileFinding[];
  suppressed: DockerfileFinding[];
}

export function applySuppressions(model: DockerfileModel, findings: DockerfileFinding[]): Suppression {
  const ignored = new Map<number, Set<string>>();
  const problems: DockerfileFinding[] = [];
  for (const instr of model.instructions) {
    const rules = new Set<string>();
    for (let l = instr.line - 1; l >= 0; l--) {
      const text = model.lines[l] ?? '';
      if (!text.trimStart().startsWith('#')) break;
      const m = IGNORE_RE.exec(text);
      if (!m) continue;
      const ids = (m[1] ?? '').split(/[\s,]+/).filter(Boolean);
      for (const id of ids) {
        if (RULES.has(id)) {
          rules.add(id);
          continue;
        }
        const fix = closestRule(id);
        const col = text.indexOf(id);
        problems.push({
          rule: 'unknown-suppression',
          severity: 'info',
          line: l + 1,
          column: col + 1,
          endColumn: col + id.length + 1,
          subject: id,
          message: `\`# multiarch-ignore\` names \`${id}\`, which is no rule${fix ? `: did you mean \`${fix}\`?` : ''}; nothing is silenced by it.`,
          why: `The rule ids are those shown on each finding (${[...RULES].filter((r) => r !== 'parse-error').slice(0, 4).join(', ')}, …).`,
          suggestion: fix ? text.replace(id, fix) : text,
          ...(fix ? { edits: [{ line: l + 1, endLine: l + 1, text: text.replace(id, fix), before: text }] } : {}),
        });
      }
    }
    if (rules.size > 0) ignored.set(instr.line, rules);
  }
  const kept: DockerfileFinding[] = [...problems];
  const suppressed: DockerfileFinding[] = [];
  for (const f of findings) {
    const instr = f.rule === 'parse-error' ? undefined : instructionAt(model, f.line - 1);
    const rules = instr ? ignored.get(instr.line) : undefined;
    if (rules?.has(f.rule as FindingRule)) suppressed.push(f);
    else kept.push(f);
  }
  return { findings: kept, suppressed };
}
