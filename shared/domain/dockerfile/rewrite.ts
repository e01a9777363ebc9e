/**
 * Rewrites as edits of whole instructions, and applying them to a text. An edit replaces the
 * instruction's source lines (heredoc bodies included) so "Apply" changes exactly what the
 * finding shows, and the file's line endings and byte-order mark are kept.
 */
import { caseMappingLines, type ArchFamily } from './arch';
import { isDeclaredBefore, type RuleContext } from './context';
import type { DockerfileModel, ModelInstruction } from './model';
import type { StageFacts } from './stages';
import type { DockerfileEdit } from './types';

export interface Replacement {
  /** 0-based source line and column. */
  line: number;
  col: number;
  length: number;
  text: string;
}

/** The instruction's source lines with the replacements made (each line rebuilt once: linear). */
export function replacedLines(model: DockerfileModel, instr: ModelInstruction, replacements: Replacement[]): string[] {
  const byLine = new Map<number, Replacement[]>();
  for (const r of replacements) {
    const list = byLine.get(r.line);
    if (list) list.push(r);
    else byLine.set(r.line, [r]);
  }
  const out: string[] = [];
  for (let l = instr.line; l <= instr.endLine; l++) {
    const text = model.lines[l] ?? '';
    const list = byLine.get(l)?.sort((a, b) => a.col - b.col);
    if (!list) {
      out.push(text);
      continue;
    }
    let built = '';
    let at = 0;
    for (const r of list) {
      if (r.col < at) continue; // overlapping: keep the first
      built += text.slice(at, r.col) + r.text;
      at = r.col + r.length;
    }
    out.push(built + text.slice(at));
  }
  return out;
}

export function editOf(instr: ModelInstruction, lines: string[]): DockerfileEdit {
  // `before` is filled in once for all findings (analyze.ts), from the analysed lines.
  return { line: instr.line + 1, endLine: instr.endLine + 1, text: lines.join('\n'), before: '' };
}

/** Rewrites larger than this are left as text to read: a page cannot show them as a change. */
export const MAX_EDIT_CHARS = 16 * 1024;

/** Fills each edit's `before`, and drops the edits of a finding whose rewrite is too large to show. */
export function finishEdits(model: DockerfileModel, findings: Array<{ edits?: DockerfileEdit[] | undefined }>): void {
  for (const f of findings) {
    if (!f.edits) continue;
    for (const e of f.edits) e.before = model.lines.slice(e.line - 1, e.endLine).join('\n');
    if (f.edits.reduce((n, e) => n + e.text.length + e.before.length, 0) > MAX_EDIT_CHARS) delete f.edits;
  }
}

/** `ARG NAME` lines for the names not yet declared where the instruction is. */
export function argLines(stage: StageFacts, instr: ModelInstruction, names: string[]): string[] {
  const missing = names.filter((n) => !isDeclaredBefore(stage, n, instr.line));
  return missing.length > 0 ? [`ARG ${missing.join(' ')}`] : [];
}

/** The escape character as a line continuation, for the lines a rewrite adds. */
export function continuation(ctx: RuleContext): string {
  return ctx.model.escapeChar;
}

export interface CaseMapping {
  /** Shell lines of the `case` (no continuations). */
  lines: string[];
  /** Requested architectures the family has no spelling for: the mapping stops their build with an error. */
  unmapped: string[];
}

const BRANCH_RE = /^(\s*)([^\s)]+)\)(\s*)(.*) ;;$/;

/**
 * A `case` on TARGETARCH (or BUILDARCH) that sets `variable` to the family's spelling, for every
 * requested architecture the family spells, plus per-architecture values of `extra` variables
 * (checksums): `known` gives the value for an architecture, others get a visible placeholder.
 */
export function caseMapping(
  family: ArchFamily,
  arches: string[],
  variable: string | undefined,
  archArg: 'TARGETARCH' | 'BUILDARCH',
  extra: Array<{ name: string; known: Map<string, string>; what: string }> = [],
): CaseMapping {
  const base = caseMappingLines(family, arches, variable ?? 'ARCH').map((l) => l.replaceAll('TARGETARCH', archArg));
  const mapped = new Set<string>();
  const lines = base.map((line) => {
    const m = BRANCH_RE.exec(line);
    if (!m || m[2] === '*') return line;
    const arch = m[2] ?? '';
    mapped.add(arch);
    const assignments = variable === undefined ? [] : [m[4] ?? ''];
    for (const e of extra) assignments.push(`${e.name}=${e.known.get(arch) ?? `'<${e.what} for ${arch}>'`}`);
    return `${m[1]}${arch})${m[3]}${assignments.join(' ') || ':'} ;;`;
  });
  const unmapped = [...new Set(arches.map((a) => a.split('/')[0] ?? a))].filter((a) => !mapped.has(a));
  return { lines, unmapped };
}

/**
 * A shell-form RUN's lines with `case … esac &&` in front of its command, keeping its flags and
 * continuation lines; undefined when the first line is not a plain `RUN`.
 */
export function prefixRunWithCase(lines: string[], mapping: string[], esc: string): string[] | undefined {
  const head = /^(\s*RUN\s+(?:--\S+\s+)*)(.*)$/i.exec(lines[0] ?? '');
  if (!head || mapping.length < 2) return undefined;
  const command = (head[2] ?? '').trim();
  if ((command === esc || command === '') && lines.length === 1) return undefined;
  return [
    `${head[1] ?? 'RUN '}${mapping[0]} ${esc}`,
    ...mapping.slice(1, -1).map((l) => `      ${l} ${esc}`),
    `    ${mapping[mapping.length - 1]} && ${esc}`,
    ...(command === esc || command === '' ? [] : [`    ${head[2] ?? ''}`]),
    ...lines.slice(1),
  ];
}

/**
 * The text with the edits made (bottom-up). Overlapping edits are refused, and so is an edit whose
 * `before` is not what the text has there (the file changed since it was analysed).
 */
export function applyEdits(text: string, edits: Array<Pick<DockerfileEdit, 'line' | 'endLine' | 'text'> & { before?: string }>): string {
  const bom = text.startsWith('\uFEFF') ? '\uFEFF' : '';
  const body = bom ? text.slice(1) : text;
  const eol = /\r\n/.test(body) ? '\r\n' : '\n';
  const lines = body.split(/\r\n|\r|\n/);
  const sorted = [...edits].sort((a, b) => b.line - a.line);
  let floor = Infinity;
  for (const e of sorted) {
    if (e.endLine < e.line || e.endLine > lines.length || e.endLine >= floor) {
      throw new Error(`edit of lines ${e.line}-${e.endLine} does not fit the file or overlaps another edit`);
    }
    if (e.before !== undefined && e.before !== '' && lines.slice(e.line - 1, e.endLine).join('\n') !== e.before) {
      throw new Error(`lines ${e.line}-${e.endLine} are no longer what the rewrite was made for`);
    }
    lines.splice(e.line - 1, e.endLine - e.line + 1, ...e.text.split('\n'));
    floor = e.line;
  }
  return bom + lines.join(eol);
}
