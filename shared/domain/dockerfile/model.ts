/**
 * Parsing: `dockerfile-ast` (the parser behind the Dockerfile language server) turns the text into
 * instructions with exact ranges. It already handles what a home-made lexer would have to get
 * right: `\` and `# escape=` continuations, comment lines inside continuations, heredocs
 * (`<<EOF`, `<<-EOF`, quoted delimiters, several per line), exec vs shell form, flags, ARG/ENV
 * properties and `$VAR`/`${VAR:-x}` references. It is plain JavaScript whose only dependencies are
 * the editor protocol's type and text-document packages (no Node built-ins, no install scripts),
 * so it runs unchanged in the renderer bundle and in Node. It reports no errors of its own; the
 * structural checks Docker would fail on are done here.
 *
 * This module wraps its objects into a small model: 1-based lines, stage membership, and each
 * instruction's arguments as a "segment" (text with a per-character source position) so rules can
 * scan the text a shell sees and still point at the right line and column.
 */
import { DockerfileParser, type Dockerfile, type Instruction } from 'dockerfile-ast';
import type { ArgDeclaration, ParseError } from './types';

export interface Segment {
  text: string;
  /** 0-based source line and column of each character of `text`. */
  lines: number[];
  cols: number[];
}

export interface HeredocBody {
  name: string;
  /** 0-based line of the instruction that opens it. */
  openLine: number;
  terminated: boolean;
  body: Segment;
}

export interface ModelFlag {
  name: string;
  value: string | null;
  /** 0-based. */
  line: number;
  col: number;
}

export interface ModelInstruction {
  node: Instruction;
  keyword: string;
  /** The keyword as written (for messages about unknown instructions). */
  written: string;
  /** 0-based first and last line. */
  line: number;
  endLine: number;
  col: number;
  /** -1 before the first FROM. */
  stageIndex: number;
  flags: ModelFlag[];
  /** Arguments after the flags, continuations joined, comment lines and heredoc bodies left out. */
  args: Segment;
  execForm: boolean;
  heredocs: HeredocBody[];
}

export interface ModelStage {
  index: number;
  name?: string;
  from: ModelInstruction;
  instructions: ModelInstruction[];
  /** 0-based last line. */
  endLine: number;
}

export interface DockerfileModel {
  ast: Dockerfile;
  lines: string[];
  escapeChar: string;
  instructions: ModelInstruction[];
  globalArgs: ArgDeclaration[];
  stages: ModelStage[];
  parseErrors: ParseError[];
}

export const KNOWN_INSTRUCTIONS = new Set([
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
]);

/** Levenshtein distance, for "did you mean" hints on short words. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/** A known instruction one or two edits away (`RUNN`, `COPPY`), for the unknown-instruction hint. */
function closestInstruction(keyword: string): string | undefined {
  if (keyword.length > 20) return undefined;
  let best: string | undefined;
  let bestDistance = keyword.length <= 4 ? 2 : 3;
  for (const known of KNOWN_INSTRUCTIONS) {
    const d = editDistance(keyword, known);
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return best;
}

/** Flags BuildKit parses as booleans (`COPY --link`); all others take `=value`. */
const BOOLEAN_FLAGS = new Set(['link', 'parents', 'keep-git-dir', 'unpack']);

const STAGE_NAME_RE = /^[a-z][a-z0-9-_.]*$/;

function emptySegment(): Segment {
  return { text: '', lines: [], cols: [] };
}

function append(seg: Segment, text: string, line: number, col: number): void {
  seg.text += text;
  for (let i = 0; i < text.length; i++) {
    seg.lines.push(line);
    seg.cols.push(col + i);
  }
}

/** Heredoc lines (bodies and closing delimiters) of an instruction, 0-based. */
function heredocsOf(node: Instruction, lines: string[]): { bodies: HeredocBody[]; skip: Set<number> } {
  const skip = new Set<number>();
  const bodies: HeredocBody[] = [];
  const withHeredocs = node as Instruction & { getHeredocs?: () => import('dockerfile-ast').Heredoc[] };
  if (typeof withHeredocs.getHeredocs !== 'function') return { bodies, skip };
  const openLine = node.getRange().start.line;
  for (const h of withHeredocs.getHeredocs()) {
    const content = h.getContentRange();
    const delimiter = h.getDelimiterRange();
    const body = emptySegment();
    if (content) {
      let last = content.end.line;
      // An unterminated body runs to the end of the document, which can end on an empty position.
      if (last > content.start.line && content.end.character === 0) last--;
      for (let l = content.start.line; l <= last && l < lines.length; l++) {
        skip.add(l);
        if (l > content.start.line) append(body, '\n', l - 1, (lines[l - 1] ?? '').length);
        append(body, lines[l] ?? '', l, 0);
      }
    }
    if (delimiter) skip.add(delimiter.start.line);
    bodies.push({ name: h.getName(), openLine, terminated: delimiter !== null, body });
  }
  return { bodies, skip };
}

/**
 * The text between two positions as Docker joins it: an escape character at the end of a line
 * joins the next line, comment lines and empty lines inside the continuation are dropped.
 */
export function segmentBetween(
  lines: string[],
  start: { line: number; character: number },
  end: { line: number; character: number },
  escapeChar: string,
  skip: ReadonlySet<number> = new Set(),
): Segment {
  const seg = emptySegment();
  const continuation = new RegExp(`${escapeChar === '`' ? '`' : '\\\\'}[ \\t]*$`);
  let pendingNewline = false;
  for (let l = start.line; l <= end.line && l < lines.length; l++) {
    if (skip.has(l)) continue;
    const full = lines[l] ?? '';
    const from = l === start.line ? start.character : 0;
    const to = l === end.line ? Math.min(end.character, full.length) : full.length;
    let chunk = full.slice(from, to);
    if (l !== start.line && (chunk.trim() === '' || chunk.trimStart().startsWith('#'))) continue;
    if (pendingNewline) append(seg, '\n', l - 1, 0);
    const m = continuation.exec(chunk);
    if (m && l < end.line) {
      chunk = chunk.slice(0, m.index);
      pendingNewline = false;
    } else {
      pendingNewline = true;
    }
    append(seg, chunk, l, from);
  }
  return seg;
}

function flagsOf(node: Instruction): ModelFlag[] {
  const withFlags = node as Instruction & { getFlags?: () => import('dockerfile-ast').Flag[] };
  if (typeof withFlags.getFlags !== 'function') return [];
  return withFlags.getFlags().map((f) => ({
    name: f.getName().toLowerCase(),
    value: f.getValue(),
    line: f.getRange().start.line,
    col: f.getRange().start.character,
  }));
}

/** Docker uses exec form only when the arguments are a valid JSON array of strings; else shell form. */
function isExecForm(args: string): boolean {
  if (!args.trimStart().startsWith('[')) return false;
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.every((w) => typeof w === 'string');
  } catch {
    return false;
  }
}

/** Splits on unquoted whitespace, keeping quotes and escapes as written (ARG words). */
export function splitWords(seg: Segment, escapeChar: string): Array<{ text: string; at: number }> {
  const out: Array<{ text: string; at: number }> = [];
  let start = -1;
  let quote = '';
  const text = seg.text;
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (c === undefined || (!quote && /\s/.test(c))) {
      if (start >= 0) out.push({ text: text.slice(start, i), at: start });
      start = -1;
      continue;
    }
    if (start < 0) start = i;
    if (c === escapeChar) i++;
    else if (quote && c === quote) quote = '';
    else if (!quote && (c === '"' || c === "'")) quote = c;
  }
  return out;
}

function unquote(value: string, escapeChar: string): string {
  let out = '';
  let quote = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i] ?? '';
    if (c === escapeChar && quote !== "'" && i + 1 < value.length) {
      // Keep escaped `$` escaped so later expansion leaves it alone.
      out += value[i + 1] === '$' ? c + '$' : value[i + 1];
      i++;
    } else if (quote && c === quote) quote = '';
    else if (!quote && (c === '"' || c === "'")) quote = c;
    else out += c;
  }
  return out;
}

/**
 * Names (and defaults) an ARG or ENV declares. ARG is split here: the parser reads
 * `ARG A B` like the legacy `ENV A B` form, but BuildKit declares two args.
 */
export function argDeclarations(instr: ModelInstruction, escapeChar = '\\'): ArgDeclaration[] {
  if (instr.keyword === 'ARG') {
    return splitWords(instr.args, escapeChar).map((w) => {
      const eq = w.text.indexOf('=');
      const decl: ArgDeclaration = {
        name: eq < 0 ? w.text : w.text.slice(0, eq),
        line: (instr.args.lines[w.at] ?? instr.line) + 1,
      };
      if (eq >= 0) decl.default = unquote(w.text.slice(eq + 1), escapeChar);
      return decl;
    });
  }
  const withProps = instr.node as Instruction & { getProperties?: () => import('dockerfile-ast').Property[] };
  if (instr.keyword !== 'ENV' || typeof withProps.getProperties !== 'function') return [];
  return withProps.getProperties().map((p) => {
    const value = p.getValue();
    const decl: ArgDeclaration = { name: p.getName(), line: p.getNameRange().start.line + 1 };
    if (value !== null) decl.default = value;
    return decl;
  });
}

/**
 * dockerfile-ast re-tokenises an instruction's arguments on every call that needs them (arguments,
 * ranges, flags, heredocs): several times per instruction, which dominates on long lines. The
 * document is immutable once parsed, so the first result is kept on the instruction; callers get
 * a copy of the list because some of them shift the flags off it.
 */
function memoizeArguments(node: Instruction): void {
  const target = node as unknown as { getRawArguments?: () => unknown[] };
  const original = target.getRawArguments;
  if (typeof original !== 'function') return;
  let cached: unknown[] | undefined;
  target.getRawArguments = () => [...(cached ??= original.call(node))];
}

export function buildModel(source: string): DockerfileModel {
  // Docker ignores a byte-order mark; the parser would read it as part of the first keyword.
  const text = source.replace(/^\uFEFF/, '');
  const ast = DockerfileParser.parse(text);
  const lines = text.split(/\r\n|\r|\n/);
  const parseErrors: ParseError[] = [];
  const err = (line0: number, message: string, col0?: number) => {
    const e: ParseError = { line: line0 + 1, message };
    if (col0 !== undefined) e.column = col0 + 1;
    parseErrors.push(e);
  };

  const escapeDirective = ast.getDirectives().find((d) => d.getName().toLowerCase() === 'escape');
  if (escapeDirective && !['\\', '`'].includes(escapeDirective.getValue())) {
    err(escapeDirective.getRange().start.line, `Invalid escape directive \`${escapeDirective.getValue()}\`: it must be \\ or \`.`);
  }
  const escapeChar = ast.getEscapeCharacter();

  const instructions: ModelInstruction[] = [];
  const stages: ModelStage[] = [];
  const globalArgs: ArgDeclaration[] = [];
  const stageNames = new Map<string, number>();

  for (const node of ast.getInstructions()) {
    memoizeArguments(node);
    const range = node.getRange();
    const keyword = node.getKeyword().toUpperCase();
    const { bodies, skip } = heredocsOf(node, lines);
    const argsRange = node.getArgumentsRange();
    const args = argsRange ? segmentBetween(lines, argsRange.start, range.end, escapeChar, skip) : emptySegment();
    const instr: ModelInstruction = {
      node,
      keyword,
      written: node.getInstruction(),
      line: range.start.line,
      endLine: range.end.line,
      col: node.getInstructionRange().start.character,
      stageIndex: stages.length - 1,
      flags: flagsOf(node),
      args,
      execForm: isExecForm(args.text),
      heredocs: bodies,
    };

    if (!KNOWN_INSTRUCTIONS.has(keyword)) {
      const prev = instructions[instructions.length - 1];
      const typo = closestInstruction(keyword);
      const hint = typo
        ? ` Did you mean ${typo}?`
        : prev && prev.endLine === instr.line - 1 && KNOWN_INSTRUCTIONS.has(prev.keyword)
          ? ` Did line ${prev.endLine + 1} miss a \`${escapeChar}\` at its end to continue ${prev.keyword}?`
          : '';
      err(instr.line, `Unknown instruction \`${instr.written}\`.${hint}`, instr.col);
      instructions.push(instr);
      continue;
    }
    for (const h of bodies) {
      if (!h.terminated) err(h.openLine, `Heredoc \`<<${h.name}\` is never closed: add a line with just \`${h.name}\`.`);
    }
    // BuildKit's flag parser: every flag but the boolean ones needs `--name=value`.
    for (const f of instr.flags) {
      if (f.value === null && !BOOLEAN_FLAGS.has(f.name)) {
        err(f.line, `Missing a value on flag \`--${f.name}\`: write \`--${f.name}=value\` (a space does not separate a flag from its value).`, f.col);
      }
    }
    const hasArgs = (node.getArgumentsContent() ?? '').trim() !== '' || bodies.length > 0;
    if (!hasArgs && keyword !== 'FROM') err(instr.line, `${keyword} needs arguments.`, instr.col);

    if (keyword === 'FROM') {
      const from = node as import('dockerfile-ast').From;
      const words = node.getArguments().map((a) => a.getValue());
      const index = stages.length;
      instr.stageIndex = index;
      const stage: ModelStage = { index, from: instr, instructions: [instr], endLine: instr.endLine };
      if (!from.getImage()) {
        err(instr.line, 'FROM needs an image: `FROM image[:tag] [AS name]`.', instr.col);
      } else if (words.length === 2 || (words.length === 3 && words[1]?.toLowerCase() !== 'as') || words.length > 3) {
        err(instr.line, 'FROM takes an image and an optional `AS name`.', instr.col);
      } else if (words.length === 3) {
        const name = words[2] ?? '';
        const lower = name.toLowerCase();
        const nameCol = from.getBuildStageRange()?.start.character;
        if (!STAGE_NAME_RE.test(lower)) {
          err(instr.line, `Invalid stage name \`${name}\`: use letters, digits, \`-\`, \`_\` and \`.\`, starting with a letter.`, nameCol);
        } else if (stageNames.has(lower)) {
          err(instr.line, `Stage name \`${name}\` is already used by stage ${stageNames.get(lower)}.`, nameCol);
        } else {
          stageNames.set(lower, index);
          stage.name = lower;
        }
      }
      stages.push(stage);
      instructions.push(instr);
      continue;
    }
    instructions.push(instr);
    const stage = stages[stages.length - 1];
    if (!stage) {
      if (keyword === 'ARG') globalArgs.push(...argDeclarations(instr, escapeChar));
      else err(instr.line, `${keyword} before the first FROM: only ARG may come before it.`, instr.col);
      continue;
    }
    stage.instructions.push(instr);
    stage.endLine = instr.endLine;
  }

  if (instructions.length === 0) {
    err(0, 'The Dockerfile is empty: it needs at least a FROM instruction.');
  } else if (stages.length === 0 && parseErrors.length === 0) {
    err(instructions[0]?.line ?? 0, 'No FROM instruction: a Dockerfile needs at least one stage.');
  }
  return { ast, lines, escapeChar, instructions, globalArgs, stages, parseErrors };
}

