/**
 * ARG defaults that pin an architecture (`ARG ARCH=amd64`, `ARG GOARCH=amd64`, and a default on a
 * platform arg, `ARG TARGETARCH=amd64`, which replaces the value BuildKit sets), traced into the
 * FROM names, COPY paths, RUN steps and ENV values that use them. Reported once, at the ARG.
 */
import { findArchWords, isArchSource, referencedVariables } from '../arch';
import { canonicalArch, isDeclaredBefore, posixRun, type Rule, type RuleContext } from '../context';
import { splitWords, type DockerfileModel, type ModelInstruction } from '../model';
import { isPredefinedArg } from '../predefined-args';
import { caseMapping, editOf, prefixRunWithCase } from '../rewrite';
import { buildMachineOnly, stageLabel, type StageFacts } from '../stages';
import type { DockerfileEdit } from '../types';

const ARCH_PLATFORM_ARGS = new Set(['TARGETARCH', 'TARGETPLATFORM', 'TARGETVARIANT', 'BUILDARCH', 'BUILDPLATFORM', 'BUILDVARIANT']);
const NOT_BUILD_TIME = new Set(['CMD', 'ENTRYPOINT', 'HEALTHCHECK', 'FROM']);

interface Pin {
  name: string;
  value: string;
  /** The ARG word as written (`ARCH="amd64"`). */
  word: string;
  instr: ModelInstruction;
  /** undefined: the global scope. */
  stage: StageFacts | undefined;
}

interface Use {
  instr: ModelInstruction;
  stage: StageFacts | undefined;
}

function unquote(v: string): string {
  return v.replace(/^(['"])(.*)\1$/s, '$2');
}

/** The pins an ARG instruction declares. */
function pinsOf(ctx: RuleContext, instr: ModelInstruction, stage: StageFacts | undefined, plain: ReadonlySet<string>): Pin[] {
  const out: Pin[] = [];
  for (const w of splitWords(instr.args, ctx.model.escapeChar)) {
    const eq = w.text.indexOf('=');
    if (eq <= 0) continue;
    const name = w.text.slice(0, eq);
    const value = unquote(w.text.slice(eq + 1));
    const refs = referencedVariables(value);
    if (ARCH_PLATFORM_ARGS.has(name)) {
      // `ARG TARGETARCH=${TARGETARCH:-amd64}` keeps the real value where it is already set.
      const selfSet = refs.includes(name) && (stage === undefined || isDeclaredBefore(stage, name, instr.line));
      if (!selfSet) out.push({ name, value, word: w.text, instr, stage });
      continue;
    }
    const arches = new Set(findArchWords(value).map((m) => m.canonical));
    if (arches.size === 1 && !isArchSource(value, plain)) out.push({ name, value, word: w.text, instr, stage });
  }
  return out;
}

function uses(instr: ModelInstruction, name: string, model: DockerfileModel): boolean {
  if (NOT_BUILD_TIME.has(instr.keyword)) return false;
  const text = model.lines.slice(instr.line, instr.endLine + 1).filter((l) => !l.trimStart().startsWith('#')).join('\n');
  return text.includes(name) && referencedVariables(text).includes(name);
}

function redeclaresWithDefault(instr: ModelInstruction, name: string, model: DockerfileModel): boolean {
  return instr.keyword === 'ARG' && splitWords(instr.args, model.escapeChar).some((w) => w.text.startsWith(`${name}=`));
}

/** Every instruction (and FROM image) that reads the pinned value. */
function usesOf(ctx: RuleContext, pin: Pin): Array<Use & { from?: boolean }> {
  const out: Array<Use & { from?: boolean }> = [];
  const walk = (stage: StageFacts, after: number, seen: Set<number>) => {
    if (seen.has(stage.info.index)) return;
    seen.add(stage.info.index);
    for (const instr of stage.model.instructions) {
      if (instr.line <= after || instr.keyword === 'FROM') continue;
      if (redeclaresWithDefault(instr, pin.name, ctx.model)) return;
      if (uses(instr, pin.name, ctx.model)) out.push({ instr, stage });
    }
    for (const c of stage.consumers) {
      const child = ctx.stages[c];
      if (child && [...child.parentFor.values()].includes(stage.info.index)) walk(child, -1, seen);
    }
  };
  if (pin.stage) {
    walk(pin.stage, pin.instr.line, new Set());
    return out;
  }
  for (const stage of ctx.stages) {
    const from = stage.model.from;
    const image = stage.info.image;
    if (referencedVariables(image).includes(pin.name)) out.push({ instr: from, stage, from: true });
    // A stage inherits the global value by declaring `ARG NAME` without one.
    const redeclared = stage.model.instructions.find(
      (i) => i.keyword === 'ARG' && splitWords(i.args, ctx.model.escapeChar).some((w) => w.text === pin.name),
    );
    if (redeclared) walk(stage, redeclared.line, new Set());
  }
  return out;
}

interface Fix {
  word: string;
  /** Lines to add before the ARG instruction. */
  before: string[];
  edits: DockerfileEdit[];
}

function fixFor(ctx: RuleContext, pin: Pin, found: Array<Use & { from?: boolean }>): Fix | undefined {
  const archArg = pin.stage && buildMachineOnly(ctx.stages, pin.stage.info.index, ctx.chain) ? 'BUILDARCH' : 'TARGETARCH';
  if (ARCH_PLATFORM_ARGS.has(pin.name)) return { word: pin.name, before: [], edits: [] };
  const words = findArchWords(pin.value);
  const needArg = pin.stage !== undefined && !isDeclaredBefore(pin.stage, archArg, pin.instr.line) ? [`ARG ${archArg}`] : [];
  if (words.every((w) => w.family === 'docker' && !w.canonical.includes('/'))) {
    // A docker-library namespace (`${ARCH}/alpine`) is spelled differently (arm64v8): no mechanical rewrite.
    if (found.some((u) => u.from && new RegExp(`^\\$\\{?${pin.name}\\}?/`).test(u.stage?.info.image ?? ''))) return undefined;
    const platformLike = /^[a-z]+\/[a-z0-9]+$/.test(pin.value) && !pin.stage;
    let value = pin.value;
    for (const w of [...words].reverse()) value = value.slice(0, w.index) + `\${${archArg}}` + value.slice(w.index + w.text.length);
    if (platformLike) value = archArg === 'TARGETARCH' ? '${TARGETPLATFORM}' : '${BUILDPLATFORM}';
    return { word: `${pin.name}=${value}`, before: needArg, edits: [] };
  }
  // Another spelling (x86_64, aarch64, x64): only shell steps can map it, each from TARGETARCH.
  const family = words[0]?.family;
  if (!family || found.some((u) => u.from || !u.stage || u.instr.keyword !== 'RUN' || u.instr.execForm || u.instr.heredocs.length > 0 || !posixRun(u.stage, u.instr))) return undefined;
  const arches = [...new Set([words[0]?.canonical ?? 'amd64', ...ctx.platforms.map(canonicalArch)])];
  const mapping = caseMapping(family, arches, pin.name, archArg);
  const edits: DockerfileEdit[] = [];
  for (const u of found) {
    if (!u.stage) return undefined;
    const lines = prefixRunWithCase(ctx.model.lines.slice(u.instr.line, u.instr.endLine + 1), mapping.lines, ctx.model.escapeChar);
    if (!lines) return undefined;
    const args = isDeclaredBefore(u.stage, archArg, u.instr.line) || (u.stage === pin.stage && needArg.length > 0) ? [] : [`ARG ${archArg}`];
    edits.push(editOf(u.instr, [...args, ...lines]));
  }
  return { word: pin.name, before: needArg, edits };
}

const KIND: Record<string, string> = { FROM: 'FROM image', COPY: 'COPY', ADD: 'ADD', RUN: 'RUN', ENV: 'ENV', ARG: 'ARG default' };

function check(ctx: RuleContext): void {
  const plain = new Set([...ctx.derived].filter((n) => !ctx.pinned.has(n)));
  const argInstructions: Array<{ instr: ModelInstruction; stage: StageFacts | undefined }> = [
    ...ctx.model.instructions.filter((i) => i.keyword === 'ARG' && i.stageIndex < 0).map((instr) => ({ instr, stage: undefined })),
    ...ctx.stages.flatMap((stage) => stage.model.instructions.filter((i) => i.keyword === 'ARG').map((instr) => ({ instr, stage }))),
  ];
  for (const { instr, stage } of argInstructions) {
    const pins = pinsOf(ctx, instr, stage, plain).map((pin) => ({ pin, found: usesOf(ctx, pin) })).filter((p) => p.found.length > 0);
    if (pins.length === 0) continue;
    const fixes = pins.map((p) => fixFor(ctx, p.pin, p.found));
    const edits: DockerfileEdit[] = [];
    if (fixes.every((f) => f !== undefined)) {
      const byWord = new Map(pins.map((p, i) => [p.pin.word, fixes[i]?.word ?? p.pin.word]));
      const words = splitWords(instr.args, ctx.model.escapeChar).map((w) => byWord.get(w.text) ?? w.text);
      const before = [...new Set(fixes.flatMap((f) => f?.before ?? []))];
      edits.push(editOf(instr, [...before, `${instr.written} ${words.join(' ')}`]));
      for (const f of fixes) edits.push(...(f?.edits ?? []));
    }
    const lines = new Set(edits.map((e) => e.line));
    const overlapping = edits.length !== lines.size;
    const first = pins[0]?.pin;
    if (!first) continue;
    const where = [...new Map(pins.flatMap((p) => p.found).map((u) => [u.instr.line, u])).values()]
      .sort((a, b) => a.instr.line - b.instr.line)
      .map((u) => `${KIND[u.instr.keyword] ?? u.instr.keyword} line ${u.instr.line + 1}`);
    const predefined = pins.some((p) => isPredefinedArg(p.pin.name));
    const arch = findArchWords(first.value)[0]?.canonical ?? first.value;
    ctx.findings.push({
      rule: 'pinned-arch-arg',
      severity: 'warning',
      line: instr.line + 1,
      ...(stage ? { stageIndex: stage.info.index } : {}),
      subject: pins.map((p) => p.pin.word).join(' '),
      message: `\`ARG ${pins.map((p) => p.pin.word).join(' ')}\`${stage ? ` in stage ${stageLabel(stage.info)}` : ' (global)'} pins ${predefined ? `${first.name} to \`${first.value}\`` : arch} for every platform: used by ${where.join(', ')}.`,
      why: predefined
        ? `BuildKit sets ${first.name} for each platform being built, but a default on the ARG replaces that value, so every platform builds with \`${first.value}\`. Declare it without a value.`
        : `The default is used whatever platform is being built, so every platform gets the ${arch} ${where.some((w) => w.startsWith('FROM')) ? 'base image and ' : ''}files unless each build passes --build-arg. Derive it from TARGETARCH instead.`,
      suggestion: edits.length > 0 && !overlapping ? edits.map((e) => e.text).join('\n…\n') : `ARG TARGETARCH\n# derive ${first.name} from TARGETARCH where it is used (a case in RUN for other spellings)`,
      ...(edits.length > 0 && !overlapping ? { edits } : {}),
    });
  }
}

/** Names of args whose default pins an architecture: a `case` on one is a mapping, reported at the ARG. */
export function pinnedArgNames(model: DockerfileModel, derived: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const instr of model.instructions) {
    if (instr.keyword !== 'ARG') continue;
    for (const w of splitWords(instr.args, model.escapeChar)) {
      const eq = w.text.indexOf('=');
      if (eq <= 0) continue;
      const name = w.text.slice(0, eq);
      const value = unquote(w.text.slice(eq + 1));
      if (new Set(findArchWords(value).map((m) => m.canonical)).size === 1 && !isArchSource(value, derived)) out.add(name);
    }
  }
  return out;
}

export const pinnedArchArgRule: Rule = { reports: ['pinned-arch-arg'], run: check };
