/**
 * Architecture advice for a Dockerfile: where it pins an architecture, where platform args expand
 * to nothing, and which stages compile under emulation versus cross-compile natively.
 * Pure and total: any input gives an analysis; malformed files give `parse-error` findings.
 */
import {
  caseMappingLines,
  distinctArches,
  findArchWords,
  isArchSource,
  referencedVariables,
  type ArchMatch,
} from './arch';
import { expandDockerfileWord } from './expand';
import {
  argDeclarations,
  buildModel,
  type DockerfileModel,
  type ModelInstruction,
  type ModelStage,
  segmentBetween,
  type Segment,
} from './model';
import { isPredefinedArg, PREDEFINED_ARG_NAMES } from './predefined-args';
import { analyzeShell, findToolchains, shellAssignments, type ArchContext, type ToolchainUse } from './shell';
import type {
  ArgReference,
  DockerfileAnalysis,
  DockerfileFinding,
  DockerfileStage,
  PlatformKind,
  StageReference,
  Toolchain,
} from './types';

/** Instructions whose text ends up in the image or drives a download: where a pinned arch hurts. */
const ARCH_SCANNED = new Set(['RUN', 'ADD', 'COPY', 'ENV']);
/** Build-time instructions that expand args (CMD/ENTRYPOINT/HEALTHCHECK run later, without them). */
const ARG_EXPANDING = new Set(['RUN', 'ENV', 'ADD', 'COPY', 'WORKDIR', 'LABEL', 'USER', 'EXPOSE', 'VOLUME', 'STOPSIGNAL', 'ARG']);
// Signs that `npm ci` builds native modules (otherwise its output is the same on every platform).
const NATIVE_NODE_RE = /(?<![\w+-])(?:node-gyp|build-essential|build-base|g\+\+|gcc|prebuild-install)(?![\w+-])|\bnpm\s+rebuild\b/;

interface Context {
  model: DockerfileModel;
  findings: DockerfileFinding[];
  /** Variables known to carry a build-derived architecture. */
  derived: Set<string>;
  arch: ArchContext;
  stages: DockerfileStage[];
}

function stageLabel(stage: { index: number; name?: string | undefined }): string {
  return stage.name ? `\`${stage.name}\`` : `${stage.index}`;
}

function globalLookup(model: DockerfileModel, keepPredefined: boolean): (name: string) => string | undefined {
  const values = new Map<string, string>();
  const lookup = (name: string) => (keepPredefined && isPredefinedArg(name) ? `\${${name}}` : values.get(name));
  for (const a of model.globalArgs) {
    if (a.default === undefined || isPredefinedArg(a.name)) continue;
    values.set(a.name, expandDockerfileWord(a.default, lookup, model.escapeChar).value);
  }
  return lookup;
}

function classifyPlatform(flag: string | undefined, model: DockerfileModel): PlatformKind {
  if (flag === undefined) return 'none';
  const kindOf = (text: string): PlatformKind | undefined => {
    const vars = referencedVariables(text);
    if (vars.length === 0) return text.trim() === '' ? undefined : 'constant';
    if (vars.some((v) => isPredefinedArg(v) && v.startsWith('BUILD'))) return 'build';
    if (vars.some((v) => isPredefinedArg(v) && v.startsWith('TARGET'))) return 'target';
    return undefined;
  };
  const direct = kindOf(flag);
  if (direct) return direct;
  const resolved = expandDockerfileWord(flag, globalLookup(model, true), model.escapeChar).value;
  return kindOf(resolved) ?? 'variable';
}

function mountFrom(value: string): string | undefined {
  for (const part of value.split(',')) {
    const [k, v] = part.split('=', 2);
    if (k?.trim().toLowerCase() === 'from' && v) return v.trim();
  }
  return undefined;
}

function scriptsOf(instr: ModelInstruction): Array<{ seg: Segment; heredoc: boolean }> {
  const out = [{ seg: instr.args, heredoc: false }];
  for (const h of instr.heredocs) out.push({ seg: h.body, heredoc: true });
  return out;
}

/** The script text of a RUN; exec form `["sh", "-c", "..."]` becomes its words joined by spaces. */
function execFormText(seg: Segment): Segment {
  try {
    const parsed: unknown = JSON.parse(seg.text);
    if (Array.isArray(parsed) && parsed.every((w) => typeof w === 'string')) {
      const text = parsed.join(' ');
      // Positions are approximate (the first character of the instruction) for exec form.
      return { text, lines: text.split('').map(() => seg.lines[0] ?? 0), cols: text.split('').map(() => seg.cols[0] ?? 0) };
    }
  } catch {
    // Not valid JSON: Docker runs it as shell form.
  }
  return seg;
}

function toolchainUses(instr: ModelInstruction): Array<ToolchainUse & { line: number }> {
  if (instr.keyword !== 'RUN') return [];
  const out: Array<ToolchainUse & { line: number }> = [];
  for (const { seg } of scriptsOf(instr)) {
    const script = instr.execForm && seg === instr.args ? execFormText(seg) : seg;
    for (const use of findToolchains(script.text)) out.push({ ...use, line: script.lines[use.index] ?? instr.line });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Stages

function buildStages(model: DockerfileModel): DockerfileStage[] {
  const lookup = globalLookup(model, false);
  const out: DockerfileStage[] = [];
  for (const stage of model.stages) {
    const from = stage.from.node as import('dockerfile-ast').From;
    const image = from.getImage() ?? '';
    const platformFlag = from.getPlatformFlag()?.getValue() ?? undefined;
    const platformKind = classifyPlatform(platformFlag ?? undefined, model);
    const resolved = expandDockerfileWord(image, lookup, model.escapeChar).value.toLowerCase();
    const parent = out.find((s) => (s.name !== undefined && s.name === resolved) || String(s.index) === resolved);
    const references: StageReference[] = [];
    if (image) references.push({ source: 'from', ref: image, line: stage.from.line + 1 });
    const toolchains = new Set<Toolchain>();
    const runText: string[] = [];
    for (const instr of stage.instructions) {
      for (const f of instr.flags) {
        if (instr.keyword === 'COPY' && f.name === 'from' && f.value) {
          references.push({ source: 'copy-from', ref: f.value, line: instr.line + 1 });
        }
        const mounted = instr.keyword === 'RUN' && f.name === 'mount' && f.value ? mountFrom(f.value) : undefined;
        if (mounted) references.push({ source: 'mount-from', ref: mounted, line: instr.line + 1 });
      }
      for (const use of toolchainUses(instr)) toolchains.add(use.toolchain);
      if (instr.keyword === 'RUN') runText.push(...scriptsOf(instr).map((s) => s.seg.text));
    }
    if (toolchains.has('node') && !NATIVE_NODE_RE.test(runText.join('\n'))) toolchains.delete('node');
    const s: DockerfileStage = {
      index: stage.index,
      line: stage.from.line + 1,
      endLine: stage.endLine + 1,
      image,
      platformKind,
      effectivePlatformKind: platformKind === 'none' && parent ? parent.effectivePlatformKind : platformKind,
      args: stage.instructions.filter((i) => i.keyword === 'ARG').flatMap((i) => argDeclarations(i, model.escapeChar)),
      references,
      toolchains: [...toolchains],
    };
    if (stage.name) s.name = stage.name;
    if (platformFlag !== undefined) s.platformFlag = platformFlag;
    if (parent) s.parentStage = parent.index;
    out.push(s);
  }
  return out;
}

/** The last stage and the stages it is built FROM: what ends up in the default image. */
function finalChain(stages: DockerfileStage[]): Set<number> {
  const chain = new Set<number>();
  let s = stages[stages.length - 1];
  while (s && !chain.has(s.index)) {
    chain.add(s.index);
    s = s.parentStage === undefined ? undefined : stages[s.parentStage];
  }
  return chain;
}

// ---------------------------------------------------------------------------------------------
// Rule: hard-coded architecture

interface Hit {
  match: ArchMatch;
  line: number;
  col: number;
  heredoc: boolean;
}

const TRIPLE_AFTER_RE = /^-(?:linux|unknown|apple|pc|w64|none|elf)\b/;
const CROSS_PACKAGE_BEFORE_RE = /(?:crossbuild-essential-|gcc-|g\+\+-|binutils-|cpp-|libc6?-dev-|libstdc\+\+-\d*-dev-|:)$/;

function excusedByContext(text: string, m: ArchMatch, nativeStage: boolean): boolean {
  const before = text.slice(0, m.index);
  if (/--add-architecture[\s=]+$/.test(before)) return true;
  // In a stage that runs on the build machine, cross toolchains name every target: that is the point.
  if (nativeStage) {
    const after = text.slice(m.index + m.text.length);
    if (TRIPLE_AFTER_RE.test(after) || CROSS_PACKAGE_BEFORE_RE.test(before)) return true;
  }
  return false;
}

function inRanges(pos: number, ranges: Array<[number, number]>): boolean {
  return ranges.some(([a, b]) => pos >= a && pos < b);
}

function hitsIn(seg: Segment, matches: ArchMatch[], heredoc: boolean): Hit[] {
  return matches.map((match) => ({
    match,
    line: seg.lines[match.index] ?? 0,
    col: seg.cols[match.index] ?? 0,
    heredoc,
  }));
}

/** A text handled as one unit (ADD/COPY arguments, an ENV value, exec form). */
function unitHits(ctx: Context, seg: Segment, heredoc: boolean, nativeStage: boolean): Hit[] {
  const text = seg.text;
  if (ctx.arch.isArchSource(text) || ctx.arch.archCount(text) >= 2) return [];
  return hitsIn(seg, findArchWords(text).filter((m) => !excusedByContext(text, m, nativeStage)), heredoc);
}

/** File content from a COPY/ADD heredoc: line by line, `#` lines skipped. */
function contentHits(ctx: Context, seg: Segment, nativeStage: boolean): Hit[] {
  const out: Hit[] = [];
  let offset = 0;
  for (const line of seg.text.split('\n')) {
    if (!line.trimStart().startsWith('#')) {
      const sub: Segment = {
        text: line,
        lines: seg.lines.slice(offset, offset + line.length),
        cols: seg.cols.slice(offset, offset + line.length),
      };
      out.push(...unitHits(ctx, sub, true, nativeStage));
    }
    offset += line.length + 1;
  }
  return out;
}

function shellHits(ctx: Context, seg: Segment, heredoc: boolean, nativeStage: boolean): Hit[] {
  const facts = analyzeShell(seg.text, ctx.derived, ctx.arch);
  const matches = findArchWords(seg.text).filter(
    (m) =>
      !inRanges(m.index, facts.excused) &&
      !inRanges(m.index, facts.comments) &&
      !excusedByContext(seg.text, m, nativeStage),
  );
  return hitsIn(seg, matches, heredoc);
}

function envValueSegments(model: DockerfileModel, instr: ModelInstruction): Segment[] {
  const props = (instr.node as import('dockerfile-ast').Env).getProperties();
  const out: Segment[] = [];
  for (const p of props) {
    const r = p.getValueRange();
    if (r) out.push(segmentBetween(model.lines, r.start, r.end, model.escapeChar));
  }
  return out;
}

function declaredBefore(stage: ModelStage, name: string, line: number, escapeChar: string): boolean {
  return stage.instructions.some(
    (i) =>
      i.line < line &&
      (i.keyword === 'ARG' || i.keyword === 'ENV') &&
      argDeclarations(i, escapeChar).some((d) => d.name === name),
  );
}

function replaceAtColumns(text: string, hits: Hit[], replacement: string): string {
  let out = text;
  for (const h of [...hits].sort((a, b) => b.col - a.col)) {
    out = out.slice(0, h.col) + replacement + out.slice(h.col + h.match.text.length);
  }
  return out;
}

/** Longest instruction a suggestion rewrites whole; longer ones get the offending line only. */
const MAX_REWRITE_LINES = 20;

/** The instruction's source lines with this finding's words replaced (heredoc bodies excluded). */
function rewrittenInstruction(ctx: Context, instr: ModelInstruction, hits: Hit[], replacement: string): string[] | undefined {
  if (instr.heredocs.length > 0 || instr.endLine - instr.line >= MAX_REWRITE_LINES) return undefined;
  const out: string[] = [];
  for (let l = instr.line; l <= instr.endLine; l++) {
    const text = ctx.model.lines[l] ?? '';
    const onLine = hits.filter((h) => h.line === l);
    out.push(onLine.length > 0 ? replaceAtColumns(text, onLine, replacement) : text);
  }
  while (out.length > 1 && (out[out.length - 1] ?? '').trim() === '') out.pop();
  return out;
}

function archSuggestion(ctx: Context, stage: ModelStage, instr: ModelInstruction, hits: Hit[], nativeStage: boolean): string {
  const esc = ctx.model.escapeChar;
  const physical = ctx.model.lines[hits[0]?.line ?? instr.line] ?? '';
  const argLine = declaredBefore(stage, 'TARGETARCH', instr.line, ctx.model.escapeChar) ? [] : ['ARG TARGETARCH'];
  const note = nativeStage
    ? ['# This stage runs on the build machine: BUILDARCH for tools it runs, TARGETARCH for files for the image.']
    : [];
  const inHeredoc = hits.some((h) => h.heredoc);
  const direct = hits.every((h) => h.match.family === 'docker' && !h.match.canonical.includes('/'));
  if (direct) {
    const whole = inHeredoc ? undefined : rewrittenInstruction(ctx, instr, hits, '${TARGETARCH}');
    const expandNote =
      inHeredoc && instr.keyword !== 'RUN' ? ['# the heredoc delimiter must be unquoted for ${TARGETARCH} to be expanded'] : [];
    return [...note, ...argLine, ...expandNote, ...(whole ?? [replaceAtColumns(physical, hits, '${TARGETARCH}').trim()])].join(
      '\n',
    );
  }
  const first = hits.find((h) => h.match.family !== 'docker') ?? hits[0];
  const family = first?.match.family ?? 'gnu';
  const mapping = caseMappingLines(family, hits.map((h) => h.match.canonical));
  const replaced = replaceAtColumns(physical, hits, '${ARCH}');
  const command = replaced
    .replace(new RegExp(`^\\s*${instr.keyword}\\s+(?:--\\S+\\s+)*`, 'i'), '')
    .replace(new RegExp(`\\s*${esc === '`' ? '`' : '\\\\'}\\s*$`), '')
    .replace(/^\s*(?:&&|;)\s*/, '')
    .trim();
  const runBlock = (prefix: string, rest: string[]) => [
    `${prefix}${mapping[0]} ${esc}`,
    ...mapping.slice(1, -1).map((l) => `      ${l} ${esc}`),
    `    ${mapping[mapping.length - 1]} && ${esc}`,
    ...rest,
  ];
  if (instr.keyword === 'RUN' && inHeredoc) {
    return [...note, ...argLine, '# at the top of the heredoc script:', ...mapping, replaced.trim()].join('\n');
  }
  if (instr.keyword === 'RUN') {
    const whole = instr.execForm ? undefined : rewrittenInstruction(ctx, instr, hits, '${ARCH}');
    const head = whole?.[0] !== undefined ? /^(\s*RUN\s+(?:--\S+\s+)*)(.*)$/i.exec(whole[0]) : null;
    if (whole && head) {
      return [...note, ...argLine, ...runBlock(head[1] ?? 'RUN ', [`    ${head[2] ?? ''}`, ...whole.slice(1)])].join('\n');
    }
    return [...note, ...argLine, ...runBlock('RUN ', [`    ${command}`])].join('\n');
  }
  if (instr.keyword === 'ENV') {
    return [
      ...argLine,
      '# ENV cannot map names: derive the value in the RUN step that uses it',
      ...runBlock('RUN ', ['    your-command --arch "${ARCH}"']),
    ].join('\n');
  }
  if (instr.keyword === 'ADD' && !inHeredoc) {
    const words = command.split(/\s+/);
    const url = words.find((w) => /^https?:\/\//.test(w));
    const dest = words[words.length - 1] ?? '/tmp/';
    if (url && url !== dest) {
      const target = dest.endsWith('/') ? dest + (url.split('/').pop() ?? 'download') : dest;
      return [...argLine, '# ADD cannot map names: download in RUN', ...runBlock('RUN ', [`    curl -fsSL -o "${target}" "${url}"`])].join(
        '\n',
      );
    }
  }
  return [
    ...argLine,
    inHeredoc
      ? '# the content is expanded per platform only in a RUN; or ship one file per architecture'
      : '# name the per-architecture files by Docker architecture (amd64, arm64, arm) so TARGETARCH picks one',
    replaceAtColumns(physical, hits, '${TARGETARCH}').trim(),
  ].join('\n');
}

function hardcodedArch(ctx: Context, stage: ModelStage, info: DockerfileStage): void {
  const nativeStage = info.effectivePlatformKind === 'build';
  for (const instr of stage.instructions) {
    if (!ARCH_SCANNED.has(instr.keyword)) continue;
    let hits: Hit[] = [];
    if (instr.keyword === 'RUN') {
      if (instr.execForm) hits.push(...unitHits(ctx, instr.args, false, nativeStage));
      else hits.push(...shellHits(ctx, instr.args, false, nativeStage));
      for (const h of instr.heredocs) hits.push(...shellHits(ctx, h.body, true, nativeStage));
    } else if (instr.keyword === 'ENV') {
      for (const seg of envValueSegments(ctx.model, instr)) hits.push(...unitHits(ctx, seg, false, nativeStage));
    } else {
      hits.push(...unitHits(ctx, instr.args, false, nativeStage));
      for (const h of instr.heredocs) hits.push(...contentHits(ctx, h.body, nativeStage));
    }
    hits = hits.sort((a, b) => a.line - b.line || a.col - b.col);
    const byLine = new Map<number, Hit[]>();
    for (const h of hits) byLine.set(h.line, [...(byLine.get(h.line) ?? []), h]);
    for (const [line, lineHits] of byLine) {
      const words = [...new Set(lineHits.map((h) => h.match.text))];
      const arches = [...new Set(lineHits.map((h) => h.match.canonical))];
      const physical = ctx.model.lines[line] ?? '';
      const what =
        instr.keyword === 'ENV'
          ? 'value'
          : lineHits.some((h) => h.heredoc) && instr.keyword !== 'RUN'
            ? 'content'
            : /https?:\/\//.test(physical)
              ? 'download'
              : 'files';
      const firstHit = lineHits[0];
      const lastHit = lineHits[lineHits.length - 1];
      ctx.findings.push({
        rule: 'hardcoded-arch',
        severity: 'warning',
        line: line + 1,
        column: (firstHit?.col ?? 0) + 1,
        endColumn: (lastHit?.col ?? 0) + (lastHit?.match.text.length ?? 0) + 1,
        stageIndex: stage.index,
        subject: words.join(', '),
        message: `Hard-coded architecture ${words.map((w) => `\`${w}\``).join(', ')} in ${instr.keyword}: every target platform gets the ${arches.join('/')} ${what}.`,
        why: nativeStage
          ? `This stage runs natively on the build machine, whatever platforms are ticked. A fixed ${words[0]} breaks on a builder of another architecture if it is a tool this stage runs (use BUILDARCH), and gives every image the same ${arches[0]} files if it is meant for the image (use TARGETARCH).`
          : what === 'value'
            ? `ENV gives every platform's image the same ${arches[0]} value, so whatever reads it picks ${arches[0]} files on every platform. TARGETARCH holds the architecture being built (amd64, arm64, arm, ...): derive \`${words[0]}\` from it instead.`
            : `This step runs once for each ticked platform with the same text, so each platform's image gets the ${arches[0]} ${what}: on the other platforms its binaries fail with "exec format error", or the step itself fails. TARGETARCH holds the architecture being built (amd64, arm64, arm, ...): derive \`${words[0]}\` from it instead.`,
        suggestion: archSuggestion(ctx, stage, instr, lineHits, nativeStage),
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Rules: platform args used where they are empty, global args not redeclared

function undeclaredArgs(ctx: Context, stage: ModelStage): void {
  const globalNames = new Set(ctx.model.globalArgs.map((a) => a.name));
  const shellAssigned = new Set<string>();
  for (const instr of stage.instructions) {
    if (instr.keyword !== 'RUN') continue;
    for (const { seg } of scriptsOf(instr)) {
      for (const a of shellAssignments(seg.text)) shellAssigned.add(a.name);
    }
  }
  // ENV persists into stages built FROM this one (ARG does not).
  const inheritedEnv = new Set<string>();
  const seen = new Set<number>();
  for (let p = ctx.stages[stage.index]?.parentStage; p !== undefined && !seen.has(p); p = ctx.stages[p]?.parentStage) {
    seen.add(p);
    for (const i of ctx.model.stages[p]?.instructions ?? []) {
      if (i.keyword === 'ENV') for (const d of argDeclarations(i, ctx.model.escapeChar)) inheritedEnv.add(d.name);
    }
  }
  const fromLine = (ctx.model.lines[stage.from.line] ?? '').trim();
  const reported = new Set<string>();
  for (const instr of stage.instructions) {
    if (!ARG_EXPANDING.has(instr.keyword)) continue;
    for (const v of instr.node.getVariables()) {
      const name = v.getName();
      const pos = v.getNameRange().start;
      if ((ctx.model.lines[pos.line] ?? '').trimStart().startsWith('#')) continue;
      const predefined = isPredefinedArg(name);
      if (!predefined && !globalNames.has(name)) continue;
      if (declaredBefore(stage, name, instr.line, ctx.model.escapeChar) || shellAssigned.has(name) || inheritedEnv.has(name)) {
        continue;
      }
      const key = `${name}@${pos.line}`;
      if (reported.has(key)) continue;
      reported.add(key);
      const later = stage.instructions.find(
        (i) => i.line > instr.line && (i.keyword === 'ARG' || i.keyword === 'ENV') && argDeclarations(i, ctx.model.escapeChar).some((d) => d.name === name),
      );
      const where = later ? ` (it is declared only later, on line ${later.line + 1})` : '';
      const base = {
        line: pos.line + 1,
        column: pos.character + 1,
        endColumn: pos.character + name.length + 1,
        stageIndex: stage.index,
        subject: name,
        suggestion: `${fromLine}\nARG ${name}`,
      };
      if (predefined) {
        ctx.findings.push({
          ...base,
          rule: 'undeclared-platform-arg',
          severity: 'warning',
          message: `\`$${name}\` is empty here: stage ${stageLabel(stage)} does not declare \`ARG ${name}\`${where}.`,
          why: `${name} is predefined in the global scope only. Inside a stage it exists after \`ARG ${name}\` (no value); before that it expands to an empty string, so this ${instr.keyword} silently uses the wrong value on every platform.`,
        });
      } else {
        ctx.findings.push({
          ...base,
          rule: 'undeclared-global-arg',
          severity: 'info',
          message: `\`$${name}\` is a global ARG that stage ${stageLabel(stage)} does not redeclare${where}: it is empty here unless the base image sets an environment variable of that name.`,
          why: 'ARGs declared before the first FROM are visible only to FROM lines. A stage that uses one must repeat `ARG NAME` (no value) to inherit the global default.',
        });
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Rules: FROM --platform and compilation

function platformFlagColumn(ctx: Context, stage: ModelStage): number {
  const flag = stage.from.flags.find((f) => f.name === 'platform');
  return (flag?.col ?? stage.from.col) + 1;
}

function constantPlatform(ctx: Context, stage: ModelStage, info: DockerfileStage, inFinal: boolean): void {
  const name = info.name ? ` AS ${info.name}` : '';
  if (info.platformKind === 'constant' && info.platformFlag !== undefined) {
    const resolved = expandDockerfileWord(info.platformFlag, globalLookup(ctx.model, true), ctx.model.escapeChar).value;
    const viaArg = resolved !== info.platformFlag ? ` (through the ARG default \`${info.platformFlag}\`)` : '';
    ctx.findings.push({
      rule: 'constant-from-platform',
      severity: 'warning',
      line: info.line,
      column: platformFlagColumn(ctx, stage),
      stageIndex: info.index,
      subject: resolved,
      message: `Stage ${stageLabel(info)} is pinned to ${resolved}${viaArg} for every target platform.`,
      why: inFinal
        ? `This stage becomes the image, so every platform in the manifest list would contain ${resolved} binaries: they fail with "exec format error" (or run emulated) elsewhere. Let the stage follow the target platform.`
        : `On a builder of another architecture this stage runs under QEMU emulation, for no benefit. If it only prepares architecture-independent files or cross-compiles, run it natively with $BUILDPLATFORM; if it builds for the image, let it follow the target platform.`,
      suggestion: inFinal ? `FROM ${info.image}${name}` : `FROM --platform=$BUILDPLATFORM ${info.image}${name}`,
    });
  } else if (info.platformKind === 'build' && inFinal && info.image.toLowerCase() !== 'scratch') {
    ctx.findings.push({
      rule: 'constant-from-platform',
      severity: 'warning',
      line: info.line,
      column: platformFlagColumn(ctx, stage),
      stageIndex: info.index,
      subject: info.platformFlag ?? '$BUILDPLATFORM',
      message: `The final stage ${stageLabel(info)} runs on the build platform: every target platform gets the builder's ${info.image}.`,
      why: '`--platform=$BUILDPLATFORM` is for stages that produce files for a later stage. In the stage that becomes the image it makes every platform in the manifest list contain the build machine\'s architecture.',
      suggestion: `FROM ${info.image}${name}`,
    });
  }
}

const FAST_CROSS: Toolchain[] = ['go', 'rust', 'java', 'dotnet'];

function advice(toolchains: Toolchain[]): string {
  const parts: string[] = [];
  const fast = toolchains.filter((t) => FAST_CROSS.includes(t));
  if (fast.length > 0) {
    parts.push(
      `${fast.map((t) => TOOL_LABEL[t]).join(', ')} can cross-compile: run the stage natively on the build platform and give the compiler the target from TARGETOS/TARGETARCH${fast.includes('java') ? ' (Java bytecode needs no target at all)' : ''}.`,
    );
  }
  if (toolchains.includes('c')) {
    parts.push('C/C++ can cross-compile with a cross compiler for the target: more setup, but no emulation.');
  }
  if (toolchains.includes('node')) {
    parts.push(
      'Native Node.js modules must be built for each target: keep only the production install per platform, move bundling and `npm run build` to a $BUILDPLATFORM stage, and prefer packages that ship prebuilt binaries.',
    );
  }
  return parts.join(' ');
}
const TOOL_LABEL: Record<Toolchain, string> = {
  go: 'Go',
  rust: 'Rust',
  c: 'C/C++',
  node: 'Node.js native modules',
  java: 'Java',
  dotnet: '.NET',
};

function crossTemplate(info: DockerfileStage, toolchains: Toolchain[]): string {
  const name = info.name ? ` AS ${info.name}` : ' AS build';
  const lines = [`FROM --platform=$BUILDPLATFORM ${info.image}${name}`];
  if (toolchains.includes('go')) {
    lines.push('ARG TARGETOS TARGETARCH', 'RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .');
  }
  if (toolchains.includes('rust')) {
    lines.push(
      'ARG TARGETARCH',
      'RUN case "$TARGETARCH" in \\',
      '      amd64) T=x86_64-unknown-linux-musl ;; \\',
      '      arm64) T=aarch64-unknown-linux-musl ;; \\',
      '      *) echo "unsupported architecture: $TARGETARCH" >&2; exit 1 ;; \\',
      '    esac && \\',
      '    rustup target add "$T" && \\',
      '    cargo build --release --target "$T" && cp "target/$T/release/app" /out/app',
      '# a linker for the target is needed too (a musl cross linker, zig via cargo-zigbuild, or clang)',
    );
  }
  if (toolchains.includes('java')) lines.push('# bytecode is the same on every platform: build it once, natively');
  if (toolchains.includes('dotnet')) lines.push('ARG TARGETARCH', 'RUN dotnet publish -a $TARGETARCH -o /out');
  if (toolchains.includes('c')) {
    lines.push(
      'ARG TARGETARCH',
      '# install a cross compiler for the target and point the build at it, e.g.',
      '# gcc-aarch64-linux-gnu with CC=aarch64-linux-gnu-gcc, or clang --target=<triple>',
    );
  }
  if (toolchains.length === 1 && toolchains[0] === 'node') {
    return [
      '# architecture-independent work once, natively:',
      `FROM --platform=$BUILDPLATFORM ${info.image} AS assets`,
      'COPY . .',
      'RUN npm ci && npm run build',
      '',
      '# only the native production dependencies per platform:',
      `FROM ${info.image}${name}`,
      'COPY package.json package-lock.json ./',
      'RUN npm ci --omit=dev',
      'COPY --from=assets /app/dist ./dist',
    ].join('\n');
  }
  lines.push('', 'FROM <runtime image>', `COPY --from=${info.name ?? info.index} /out/ /usr/local/bin/`);
  return lines.join('\n');
}

function compileRules(ctx: Context, stage: ModelStage, info: DockerfileStage): void {
  if (info.toolchains.length === 0) return;
  const uses = stage.instructions.flatMap((i) => toolchainUses(i).map((u) => ({ ...u, instr: i })));
  const relevant = uses.filter((u) => info.toolchains.includes(u.toolchain));
  const first = relevant[0];
  if (!first) return;
  const commands = [...new Set(relevant.map((u) => u.command.split(/\s+/).slice(0, 2).join(' ')))].join(', ');

  if (info.effectivePlatformKind === 'none' || info.effectivePlatformKind === 'target') {
    const fast = info.toolchains.some((t) => FAST_CROSS.includes(t));
    ctx.findings.push({
      rule: 'compile-under-emulation',
      severity: fast ? 'warning' : 'info',
      line: first.instr.line + 1,
      endLine: first.instr.endLine + 1,
      stageIndex: info.index,
      subject: commands,
      message: `Stage ${stageLabel(info)} compiles (${commands}) under QEMU for every foreign platform.`,
      why: `Without \`FROM --platform=$BUILDPLATFORM\` this stage runs once per target platform on that platform's image, so on this builder every non-native platform compiles through QEMU emulation, often 5 to 20 times slower, and some toolchains crash under it. ${advice(
        info.toolchains,
      )}`,
      suggestion: crossTemplate(info, info.toolchains),
    });
    return;
  }
  if (info.effectivePlatformKind !== 'build') return;

  const envAndAssignments = (name: string): string[] => {
    const values: string[] = [];
    let s: DockerfileStage | undefined = info;
    const seen = new Set<number>();
    while (s && !seen.has(s.index)) {
      seen.add(s.index);
      const model = ctx.model.stages[s.index];
      for (const instr of model?.instructions ?? []) {
        if (instr.keyword === 'ENV' || instr.keyword === 'ARG') {
          for (const d of argDeclarations(instr, ctx.model.escapeChar)) if (d.name === name && d.default !== undefined) values.push(d.default);
        }
        if (instr.keyword === 'RUN' && s === info) {
          for (const { seg } of scriptsOf(instr)) {
            for (const a of shellAssignments(seg.text)) {
              if (a.name === name) values.push(a.value);
            }
          }
        }
      }
      s = s.parentStage === undefined ? undefined : ctx.stages[s.parentStage];
    }
    return values;
  };
  const missing: Toolchain[] = [];
  const goUses = relevant.filter((u) => u.toolchain === 'go');
  if (goUses.length > 0) {
    const targeted =
      goUses.some((u) => u.command.startsWith('xx-go')) ||
      envAndAssignments('GOARCH').some((v) => ctx.arch.isArchSource(v));
    if (!targeted) missing.push('go');
  }
  const rustUses = relevant.filter((u) => u.toolchain === 'rust');
  if (rustUses.length > 0) {
    const targeted =
      rustUses.some((u) => /--target\b|^xx-cargo|^cross\b/.test(u.command)) || envAndAssignments('CARGO_BUILD_TARGET').length > 0;
    if (!targeted) missing.push('rust');
  }
  for (const t of missing) {
    const use = relevant.find((u) => u.toolchain === t);
    if (!use) continue;
    const physical = (ctx.model.lines[use.line] ?? '').trim();
    const fix =
      t === 'go'
        ? ['ARG TARGETOS TARGETARCH', physical.replace(/\b(xx-)?go\s+(build|install)/, 'GOOS=$TARGETOS GOARCH=$TARGETARCH go $2')]
        : [
            'ARG TARGETARCH',
            'RUN case "$TARGETARCH" in amd64) T=x86_64-unknown-linux-gnu ;; arm64) T=aarch64-unknown-linux-gnu ;; esac && \\',
            '    rustup target add "$T" && cargo build --release --target "$T"',
          ];
    ctx.findings.push({
      rule: 'cross-compile-missing-target',
      severity: 'warning',
      line: use.line + 1,
      endLine: use.instr.endLine + 1,
      stageIndex: info.index,
      subject: use.command.split(/\s+/).slice(0, 2).join(' '),
      message: `Stage ${stageLabel(info)} runs on the build platform but ${t === 'go' ? '`go build` has no GOARCH' : '`cargo build` has no --target'}: every platform gets a binary for the build machine.`,
      why: `A \`$BUILDPLATFORM\` stage compiles natively, so the compiler's default output is the builder's architecture. ${
        t === 'go' ? 'Set GOOS/GOARCH from TARGETOS/TARGETARCH' : 'Pass --target with the triple for TARGETARCH'
      } so each platform gets its own binary.`,
      suggestion: fix.join('\n'),
    });
  }
  const ok = info.toolchains.filter((t) => !missing.includes(t));
  if (ok.length === 0) return;
  const caveats: string[] = [];
  if (ok.includes('c')) caveats.push('C/C++ needs a cross compiler for the target (CC pointing at it, or clang --target).');
  if (ok.includes('node')) caveats.push('native Node.js modules built here are for the build machine, not the target.');
  ctx.findings.push({
    rule: 'cross-compile-ok',
    severity: 'info',
    line: info.line,
    column: platformFlagColumn(ctx, stage),
    stageIndex: info.index,
    subject: ok.map((t) => TOOL_LABEL[t]).join(', '),
    message: `Stage ${stageLabel(info)} cross-compiles on the build platform (${commands}): the fast multi-platform pattern.`,
    why: `\`FROM --platform=$BUILDPLATFORM\` runs this stage once, natively, with no QEMU; the target args tell the compiler what to produce for each platform.${
      caveats.length ? ` Note: ${caveats.join(' ')}` : ''
    }`,
  });
}

// ---------------------------------------------------------------------------------------------

function platformArgRefs(model: DockerfileModel): ArgReference[] {
  const re = new RegExp(`(?<![A-Za-z0-9_])(${PREDEFINED_ARG_NAMES.join('|')})(?![A-Za-z0-9_])`, 'g');
  const out: ArgReference[] = [];
  model.lines.forEach((line, l) => {
    for (const m of line.matchAll(re)) {
      const name = m[1] ?? '';
      out.push({ name, line: l + 1, column: m.index + 1, endColumn: m.index + name.length + 1 });
    }
  });
  return out;
}

function collectDerived(model: DockerfileModel): Set<string> {
  const derived = new Set<string>();
  for (const instr of model.instructions) {
    if (instr.keyword !== 'ARG' && instr.keyword !== 'ENV') continue;
    for (const d of argDeclarations(instr, model.escapeChar)) {
      if (d.default !== undefined && isArchSource(d.default, derived)) derived.add(d.name);
    }
  }
  return derived;
}

function analyzeUnsafe(text: string): DockerfileAnalysis {
  const model = buildModel(text);
  const derived = collectDerived(model);
  const stages = buildStages(model);
  const ctx: Context = {
    model,
    findings: [],
    derived,
    stages,
    arch: {
      isArchSource: (t) => isArchSource(t, derived),
      archCount: (t) => distinctArches(t).size,
    },
  };
  for (const e of model.parseErrors) {
    const f: DockerfileFinding = {
      rule: 'parse-error',
      severity: 'error',
      line: e.line,
      message: e.message,
      why: 'BuildKit rejects the Dockerfile here, so no platform builds. Other findings are best-effort until this is fixed.',
    };
    if (e.column !== undefined) f.column = e.column;
    ctx.findings.push(f);
  }
  const chain = finalChain(stages);
  for (const stage of model.stages) {
    const info = stages[stage.index];
    if (!info) continue;
    constantPlatform(ctx, stage, info, chain.has(info.index));
    hardcodedArch(ctx, stage, info);
    undeclaredArgs(ctx, stage);
    compileRules(ctx, stage, info);
  }
  const findings = ctx.findings.sort(
    (a, b) => a.line - b.line || (a.column ?? 0) - (b.column ?? 0) || a.rule.localeCompare(b.rule),
  );
  return {
    stages,
    globalArgs: model.globalArgs,
    findings,
    parseErrors: model.parseErrors,
    platformArgRefs: platformArgRefs(model),
    escapeChar: model.escapeChar,
  };
}

export function analyzeDockerfile(text: string): DockerfileAnalysis {
  try {
    return analyzeUnsafe(text);
  } catch (e) {
    // The rules are heuristics over arbitrary text: a bug there must not take the page down.
    const message = `The Dockerfile could not be analysed: ${e instanceof Error ? e.message : String(e)}`;
    return {
      stages: [],
      globalArgs: [],
      findings: [{ rule: 'parse-error', severity: 'error', line: 1, message, why: 'Internal analysis error.' }],
      parseErrors: [{ line: 1, message }],
      platformArgRefs: [],
      escapeChar: '\\',
    };
  }
}

/** Named stages, in order: the Build page's `--target` choices. */
export function targetStages(analysis: DockerfileAnalysis): Array<{ name: string; index: number; line: number }> {
  return analysis.stages.flatMap((s) => (s.name ? [{ name: s.name, index: s.index, line: s.line }] : []));
}
