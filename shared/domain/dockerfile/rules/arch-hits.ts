/**
 * Architecture words in a stage's instructions, with the deliberate ones left out: mappings and
 * branches on the architecture, cross toolchains in native stages, and sets of instructions that
 * differ only in the architecture (one COPY per architecture of a bundle). Shared by the
 * hard-coded-architecture and coverage rules, computed once per analysis.
 */
import { findArchWords, type ArchMatch } from '../arch';
import { posixRun, type RuleContext } from '../context';
import { segmentBetween, type ModelInstruction, type Segment } from '../model';
import { analyzeShell, insideSorted, mergeSorted, type ArchCase } from '../shell';
import type { StageFacts } from '../stages';

/** Instructions whose text ends up in the image or drives a download: where a pinned arch hurts. */
const ARCH_SCANNED = new Set(['RUN', 'ADD', 'COPY', 'ENV']);

export interface Hit {
  match: ArchMatch;
  /** 0-based source position. */
  line: number;
  col: number;
  heredoc: boolean;
}

export interface InstructionHits {
  instr: ModelInstruction;
  hits: Hit[];
}

export interface StageArch {
  stage: StageFacts;
  /** Instructions that pin one architecture. */
  pinned: InstructionHits[];
  /** Instructions that together handle several architectures, and the architectures. */
  groups: Array<{ members: InstructionHits[]; arches: Set<string> }>;
  /** `case` statements on the architecture, with the instruction they are in. */
  cases: Array<{ instr: ModelInstruction; archCase: ArchCase }>;
  /** RUN steps not checked: PowerShell or cmd. */
  skippedRuns: ModelInstruction[];
}

const TRIPLE_AFTER_RE = /^-(?:linux|unknown|apple|pc|w64|none|elf)\b/;
const CROSS_PACKAGE_BEFORE_RE = /(?:crossbuild-essential-|gcc-|g\+\+-|binutils-|cpp-|libc6?-dev-|libstdc\+\+-\d*-dev-|:)$/;
const ADD_ARCHITECTURE_RE = /--add-architecture[\s=]+$/;

function excusedByContext(text: string, m: ArchMatch, nativeStage: boolean): boolean {
  // A bounded window keeps each test constant-time on long lines.
  const before = text.slice(Math.max(0, m.index - 48), m.index);
  if (ADD_ARCHITECTURE_RE.test(before)) return true;
  // In a stage that runs on the build machine, cross toolchains name every target: that is the point.
  if (nativeStage) {
    const after = text.slice(m.index + m.text.length, m.index + m.text.length + 16);
    if (TRIPLE_AFTER_RE.test(after) || CROSS_PACKAGE_BEFORE_RE.test(before)) return true;
  }
  return false;
}

function hitsIn(seg: Segment, matches: ArchMatch[], heredoc: boolean): Hit[] {
  return matches.map((match) => ({ match, line: seg.lines[match.index] ?? 0, col: seg.cols[match.index] ?? 0, heredoc }));
}

/** A text handled as one unit (ADD/COPY arguments, an ENV value, exec form). */
function unitHits(ctx: RuleContext, seg: Segment, heredoc: boolean, nativeStage: boolean): Hit[] {
  const text = seg.text;
  const matches = findArchWords(text);
  if (matches.length === 0 || ctx.arch.isArchSource(text) || new Set(matches.map((m) => m.canonical)).size >= 2) return [];
  return hitsIn(seg, matches.filter((m) => !excusedByContext(text, m, nativeStage)), heredoc);
}

/** File content from a COPY/ADD heredoc: line by line, `#` lines skipped. */
function contentHits(ctx: RuleContext, seg: Segment, nativeStage: boolean): Hit[] {
  const out: Hit[] = [];
  let offset = 0;
  for (const line of seg.text.split('\n')) {
    if (!line.trimStart().startsWith('#')) {
      const sub: Segment = { text: line, lines: seg.lines.slice(offset, offset + line.length), cols: seg.cols.slice(offset, offset + line.length) };
      out.push(...unitHits(ctx, sub, true, nativeStage));
    }
    offset += line.length + 1;
  }
  return out;
}

function shellHits(ctx: RuleContext, seg: Segment, heredoc: boolean, nativeStage: boolean, cases: ArchCase[]): Hit[] {
  const matches = findArchWords(seg.text);
  const facts = analyzeShell(seg.text, ctx.derived, ctx.arch);
  cases.push(...facts.archCases);
  if (matches.length === 0) return [];
  const excused = mergeSorted(facts.excused);
  const comments = mergeSorted(facts.comments);
  return hitsIn(
    seg,
    matches.filter((m) => !insideSorted(m.index, excused) && !insideSorted(m.index, comments) && !excusedByContext(seg.text, m, nativeStage)),
    heredoc,
  );
}

function envValueSegments(ctx: RuleContext, instr: ModelInstruction): Segment[] {
  const props = (instr.node as import('dockerfile-ast').Env).getProperties();
  const out: Segment[] = [];
  for (const p of props) {
    const r = p.getValueRange();
    if (r) out.push(segmentBetween(ctx.model.lines, r.start, r.end, ctx.model.escapeChar));
  }
  return out;
}

function instructionHits(ctx: RuleContext, stage: StageFacts, instr: ModelInstruction, cases: ArchCase[]): Hit[] {
  const native = stage.native;
  const hits: Hit[] = [];
  if (instr.keyword === 'RUN') {
    if (instr.execForm) hits.push(...unitHits(ctx, instr.args, false, native));
    else hits.push(...shellHits(ctx, instr.args, false, native, cases));
    for (const h of instr.heredocs) hits.push(...shellHits(ctx, h.body, true, native, cases));
  } else if (instr.keyword === 'ENV') {
    for (const seg of envValueSegments(ctx, instr)) hits.push(...unitHits(ctx, seg, false, native));
  } else {
    hits.push(...unitHits(ctx, instr.args, false, native));
    for (const h of instr.heredocs) hits.push(...contentHits(ctx, h.body, native));
  }
  return hits.sort((a, b) => a.line - b.line || a.col - b.col);
}

/** The instruction's text with its architecture words blanked: equal templates differ only in the architecture. */
function template(ctx: RuleContext, ih: InstructionHits): string {
  const lines = ctx.model.lines.slice(ih.instr.line, ih.instr.endLine + 1);
  const byLine = new Map<number, Hit[]>();
  for (const h of ih.hits) {
    const list = byLine.get(h.line);
    if (list) list.push(h);
    else byLine.set(h.line, [h]);
  }
  return lines
    .map((text, i) => {
      const hits = byLine.get(ih.instr.line + i);
      if (!hits) return text;
      let out = '';
      let at = 0;
      for (const h of hits) {
        out += text.slice(at, h.col) + '\u0000';
        at = h.col + h.match.text.length;
      }
      return out + text.slice(at);
    })
    .join('\n');
}

function stageArch(ctx: RuleContext, stage: StageFacts): StageArch {
  const found: InstructionHits[] = [];
  const cases: StageArch['cases'] = [];
  const skippedRuns: ModelInstruction[] = [];
  for (const instr of stage.model.instructions) {
    if (!ARCH_SCANNED.has(instr.keyword)) continue;
    if (instr.keyword === 'RUN' && !instr.execForm && !posixRun(stage, instr)) {
      skippedRuns.push(instr);
      continue;
    }
    const archCases: ArchCase[] = [];
    const hits = instructionHits(ctx, stage, instr, archCases);
    for (const archCase of archCases) cases.push({ instr, archCase });
    if (hits.length > 0) found.push({ instr, hits });
  }
  // Instructions that differ only in the architecture they name handle those architectures together.
  const byTemplate = new Map<string, InstructionHits[]>();
  for (const ih of found) {
    const key = `${ih.instr.keyword}\u0001${template(ctx, ih)}`;
    const list = byTemplate.get(key);
    if (list) list.push(ih);
    else byTemplate.set(key, [ih]);
  }
  const pinned: InstructionHits[] = [];
  const groups: StageArch['groups'] = [];
  for (const members of byTemplate.values()) {
    const arches = new Set(members.flatMap((m) => m.hits.map((h) => h.match.canonical)));
    if (members.length >= 2 && arches.size >= 2) groups.push({ members, arches });
    else pinned.push(...members);
  }
  pinned.sort((a, b) => a.instr.line - b.instr.line);
  return { stage, pinned, groups, cases, skippedRuns };
}

const memo = new WeakMap<RuleContext, StageArch[]>();

export function archFacts(ctx: RuleContext): StageArch[] {
  let facts = memo.get(ctx);
  if (!facts) {
    facts = ctx.stages.filter((s) => !s.info.windows).map((s) => stageArch(ctx, s));
    memo.set(ctx, facts);
  }
  return facts;
}
