/**
 * Platform args (and global ARGs) used in a stage where they are empty: not declared with `ARG`
 * before the use, in this stage or in the stage it is built FROM (BuildKit copies the base stage's
 * build args and environment into the stage built on it).
 */
import { isDeclaredBefore, scriptsOf, type Rule, type RuleContext } from '../context';
import type { ModelInstruction, Segment } from '../model';
import { isPredefinedArg } from '../predefined-args';
import { editOf } from '../rewrite';
import { shellAssignments } from '../shell';
import { stageLabel, type StageFacts } from '../stages';

/** Build-time instructions that expand args (CMD/ENTRYPOINT/HEALTHCHECK run later, without them). */
const ARG_EXPANDING = new Set(['RUN', 'ENV', 'ADD', 'COPY', 'WORKDIR', 'LABEL', 'USER', 'EXPOSE', 'VOLUME', 'STOPSIGNAL', 'ARG']);

interface Use {
  name: string;
  line: number;
  col: number;
}

const NAME_RE = /[A-Za-z_][A-Za-z0-9_]*/y;

/**
 * `$NAME` and `${NAME…}` in a text, outside single quotes and not escaped, with their source
 * positions: one pass over the text.
 */
function variablesIn(seg: Segment, escapeChar: string, out: Use[]): void {
  const text = seg.text;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === escapeChar) {
      i++;
      continue;
    }
    if (quote === "'") {
      if (c === "'") quote = '';
      continue;
    }
    if (c === '"') quote = quote === '"' ? '' : '"';
    else if (c === "'" && quote === '') quote = "'";
    else if (c === '$') {
      const start = text[i + 1] === '{' ? i + 2 : i + 1;
      NAME_RE.lastIndex = start;
      const m = NAME_RE.exec(text);
      if (m) out.push({ name: m[0], line: seg.lines[start] ?? 0, col: seg.cols[start] ?? 0 });
    }
  }
}

/** Variables an instruction expands: in its flags (`--mount=…id=$X`) and its arguments. */
function usesIn(ctx: RuleContext, instr: ModelInstruction): Use[] {
  const out: Use[] = [];
  for (const f of instr.flags) {
    if (f.value === null) continue;
    const text = f.value;
    const col = f.col + 2 + f.name.length + 1;
    variablesIn({ text, lines: new Array<number>(text.length).fill(f.line), cols: Array.from({ length: text.length }, (_, i) => col + i) }, ctx.model.escapeChar, out);
  }
  variablesIn(instr.args, ctx.model.escapeChar, out);
  // Heredoc bodies, line by line; `#` lines of a script are comments.
  for (const h of instr.heredocs) {
    let offset = 0;
    for (const line of h.body.text.split('\n')) {
      if (!line.trimStart().startsWith('#')) {
        const end = offset + line.length;
        variablesIn({ text: line, lines: h.body.lines.slice(offset, end), cols: h.body.cols.slice(offset, end) }, ctx.model.escapeChar, out);
      }
      offset += line.length + 1;
    }
  }
  return out;
}

function check(ctx: RuleContext, stage: StageFacts): void {
  const globalNames = new Set(ctx.model.globalArgs.map((a) => a.name));
  const shellAssigned = new Set<string>();
  for (const instr of stage.model.instructions) {
    if (instr.keyword !== 'RUN') continue;
    for (const { seg } of scriptsOf(instr)) for (const a of shellAssignments(seg.text)) shellAssigned.add(a.name);
  }
  for (const instr of stage.model.instructions) {
    if (!ARG_EXPANDING.has(instr.keyword)) continue;
    const byRule = new Map<'undeclared-platform-arg' | 'undeclared-global-arg', Use[]>();
    const seen = new Set<string>();
    for (const use of usesIn(ctx, instr)) {
      const predefined = isPredefinedArg(use.name);
      if ((!predefined && !globalNames.has(use.name)) || seen.has(use.name)) continue;
      if (isDeclaredBefore(stage, use.name, instr.line) || shellAssigned.has(use.name)) continue;
      seen.add(use.name);
      const rule = predefined ? 'undeclared-platform-arg' : 'undeclared-global-arg';
      byRule.set(rule, [...(byRule.get(rule) ?? []), use]);
    }
    for (const [rule, uses] of byRule) {
      const first = uses[0];
      if (!first) continue;
      const names = uses.map((u) => u.name);
      const declaredLater = names.map((n) => stage.declared.get(n)).find((l) => l !== undefined && l > instr.line);
      const where = declaredLater !== undefined ? ` (declared only later, on line ${declaredLater + 1})` : '';
      const list = names.map((n) => `\`$${n}\``).join(', ');
      const lines = [`ARG ${names.join(' ')}`, ...ctx.model.lines.slice(instr.line, instr.endLine + 1)];
      const edits = [editOf(instr, lines)];
      const base = {
        line: first.line + 1,
        column: first.col + 1,
        endColumn: first.col + first.name.length + 1,
        stageIndex: stage.info.index,
        subject: names.join(', '),
        suggestion: `ARG ${names.join(' ')}`,
        edits,
        // BuildKit checks variables in every instruction but shell-form RUN (the shell expands those).
        ...(instr.keyword === 'RUN' ? {} : { buildkitCheck: 'UndefinedVar' }),
      };
      if (rule === 'undeclared-platform-arg') {
        ctx.findings.push({
          ...base,
          rule,
          severity: 'warning',
          message: `${list} ${names.length === 1 ? 'is' : 'are'} empty here: stage ${stageLabel(stage.info)} does not declare \`ARG ${names.join(' ')}\`${where}.`,
          why: `Platform args are predefined in the global scope only. Inside a stage each exists after \`ARG NAME\` (no value), in that stage or the stage it is built FROM; before that it expands to an empty string, so this ${instr.keyword} silently uses the wrong value on every platform.`,
        });
      } else {
        ctx.findings.push({
          ...base,
          rule,
          severity: 'info',
          message: `${list}: global ARG${names.length === 1 ? '' : 's'} that stage ${stageLabel(stage.info)} does not redeclare${where}: empty here unless the base image sets an environment variable of that name.`,
          why: 'ARGs declared before the first FROM are visible only to FROM lines. A stage that uses one must repeat `ARG NAME` (no value) to inherit the global default.',
        });
      }
    }
  }
}

export const undeclaredArgsRule: Rule = {
  reports: ['undeclared-platform-arg', 'undeclared-global-arg'],
  run(ctx) {
    for (const stage of ctx.stages) check(ctx, stage);
  },
};
