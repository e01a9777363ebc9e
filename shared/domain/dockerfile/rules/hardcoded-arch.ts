/**
 * Hard-coded architectures in RUN, COPY, ADD and ENV: one finding per instruction, with one
 * rewrite of the whole instruction that is right for every requested platform. Docker spellings
 * become `${TARGETARCH}`; other spellings (x86_64, aarch64, x64, armhf) come from a `case` on it;
 * a checksum next to the download becomes per-architecture too. In a native stage whose output
 * only other native stages use (tools for the build machine), BUILDARCH is the architecture.
 */
import { referencedVariables } from '../arch';
import { canonicalArch, type Rule, type RuleContext } from '../context';
import type { ModelInstruction } from '../model';
import { argLines, caseMapping, editOf, prefixRunWithCase, replacedLines, type Replacement } from '../rewrite';
import { buildMachineOnly, stageLabel, type StageFacts } from '../stages';
import type { DockerfileEdit } from '../types';
import { archFacts, type InstructionHits } from './arch-hits';

const HEX_RE = /(?<![0-9A-Za-z])(?:[0-9a-fA-F]{128}|[0-9a-fA-F]{64})(?![0-9A-Za-z])/g;
const CHECKSUM_USE_RE = /sha(?:256|512)sum|shasum|--checksum|--hash|sha256|sha512|\bsum\s+-c/i;
const SCRIPT_HEREDOC_RE = /^<<-?\s*(["']?)[A-Za-z_][\w-]*\1$/;

interface Checksums {
  literals: Array<{ line: number; col: number; text: string; name: string }>;
  /** Variables (ARG/ENV) the instruction verifies with that hold a checksum. */
  variables: string[];
}

function hexDefault(stage: StageFacts, ctx: RuleContext, name: string, before: number): boolean {
  const values = [
    ...ctx.model.globalArgs.filter((a) => a.name === name).map((a) => a.default),
    ...stage.info.args.filter((a) => a.name === name && a.line - 1 < before).map((a) => a.default),
  ];
  for (const instr of stage.model.instructions) {
    if (instr.keyword !== 'ENV' || instr.line >= before) continue;
    for (const p of (instr.node as import('dockerfile-ast').Env).getProperties()) if (p.getName() === name) values.push(p.getValue() ?? undefined);
  }
  return values.some((v) => v !== undefined && /^["']?(?:[0-9a-fA-F]{64}|[0-9a-fA-F]{128})["']?$/.test(v));
}

function checksumsIn(ctx: RuleContext, stage: StageFacts, instr: ModelInstruction): Checksums {
  const lines = ctx.model.lines.slice(instr.line, instr.endLine + 1);
  const text = lines.join('\n');
  if (!CHECKSUM_USE_RE.test(text)) return { literals: [], variables: [] };
  const literals: Checksums['literals'] = [];
  const names = new Map<string, string>();
  lines.forEach((line, i) => {
    for (const m of line.matchAll(HEX_RE)) {
      const name = names.get(m[0]) ?? (names.size === 0 ? 'SHA' : `SHA_${names.size + 1}`);
      names.set(m[0], name);
      literals.push({ line: instr.line + i, col: m.index, text: m[0], name });
    }
  });
  const variables = [...new Set(referencedVariables(text))].filter((n) => hexDefault(stage, ctx, n, instr.line));
  return { literals, variables };
}

interface Rewrite {
  edits?: DockerfileEdit[];
  suggestion: string;
  notes: string[];
}

function freeName(text: string): string {
  const used = new Set(referencedVariables(text));
  return ['ARCH', 'ARCH_NAME', 'TARGET_ARCH_NAME'].find((n) => !used.has(n) && !new RegExp(`\\b${n}=`).test(text)) ?? 'MULTIARCH_NAME';
}

function rewrite(ctx: RuleContext, stage: StageFacts, ih: InstructionHits, archArg: 'TARGETARCH' | 'BUILDARCH'): Rewrite {
  const { instr, hits } = ih;
  const esc = ctx.model.escapeChar;
  const docker = hits.every((h) => h.match.family === 'docker' && !h.match.canonical.includes('/'));
  const inHeredoc = hits.some((h) => h.heredoc);
  const pinnedArch = hits[0]?.match.canonical ?? 'amd64';
  const sourceText = ctx.model.lines.slice(instr.line, instr.endLine + 1).join('\n');
  const checksums = instr.keyword === 'RUN' ? checksumsIn(ctx, stage, instr) : { literals: [], variables: [] };
  const hasChecksum = checksums.literals.length > 0 || checksums.variables.length > 0;
  const notes: string[] = [];
  const noEdit = (why: string, example: string): Rewrite => ({ suggestion: `# ${why}\n${example}`, notes });
  const addFlag = instr.flags.some((f) => f.name === 'checksum');

  if (docker && !hasChecksum && !(inHeredoc && instr.keyword !== 'RUN') && !addFlag) {
    const lines = replacedLines(ctx.model, instr, hits.map((h) => ({ line: h.line, col: h.col, length: h.match.text.length, text: `\${${archArg}}` })));
    const all = [...argLines(stage, instr, [archArg]), ...lines];
    if (instr.keyword === 'COPY' || instr.keyword === 'ADD') notes.push(`The files must exist for each architecture under its Docker name (${pinnedArch}, arm64, …).`);
    return { edits: [editOf(instr, all)], suggestion: all.join('\n'), notes };
  }
  if (instr.keyword !== 'RUN' || instr.execForm) {
    return noEdit(
      instr.keyword === 'ENV'
        ? 'ENV cannot map names: derive the value in the RUN step that uses it'
        : instr.keyword === 'RUN'
          ? 'exec form has no shell to map names: use shell form with a case on TARGETARCH'
          : 'COPY/ADD cannot map names: name the per-architecture files by Docker architecture (amd64, arm64, arm), or download in RUN',
      `ARG ${archArg}\nRUN case "\${${archArg}}" in amd64) ARCH=x86_64 ;; arm64) ARCH=aarch64 ;; *) exit 1 ;; esac && your-command "\${ARCH}"`,
    );
  }
  const families = new Set(hits.filter((h) => h.match.family !== 'docker').map((h) => h.match.family));
  if (families.size > 1) return noEdit('several spellings in one step: map each from TARGETARCH', `ARG ${archArg}`);
  const family = [...families][0] ?? 'docker';
  const variable = family === 'docker' ? undefined : freeName(sourceText);
  const arches = [...new Set([pinnedArch, ...ctx.platforms.map(canonicalArch)])];
  const known = pinnedArch.split('/')[0] ?? pinnedArch;
  const extra = [
    ...[...new Map(checksums.literals.map((l) => [l.name, l])).values()].map((l) => ({ name: l.name, known: new Map([[known, l.text]]), what: 'checksum' })),
    ...checksums.variables.map((n) => ({ name: n, known: new Map([[known, `"\${${n}}"`]]), what: 'checksum' })),
  ];
  const mapping = caseMapping(family, arches, variable, archArg, extra);
  if (mapping.unmapped.length > 0) notes.push(`There is no ${family} spelling for ${mapping.unmapped.join(', ')}: the rewrite stops those builds with "unsupported architecture".`);
  if (extra.length > 0) {
    const others = arches.map((a) => a.split('/')[0] ?? a).filter((a) => a !== known && !mapping.unmapped.includes(a));
    notes.push(`The checksum changes with the download: fill in the published checksum for ${others.join(', ')} where the rewrite says so.`);
  }
  const replacements: Replacement[] = hits.map((h) => ({
    line: h.line,
    col: h.col,
    length: h.match.text.length,
    text: variable ? `\${${variable}}` : `\${${archArg}}`,
  }));
  for (const l of checksums.literals) replacements.push({ line: l.line, col: l.col, length: l.text.length, text: `\${${l.name}}` });
  const lines = replacedLines(ctx.model, instr, replacements);
  const args = argLines(stage, instr, [archArg]);

  if (!inHeredoc) {
    const prefixed = prefixRunWithCase(lines, mapping.lines, esc);
    if (!prefixed) return noEdit('map the architecture from TARGETARCH', mapping.lines.join('\n'));
    const all = [...args, ...prefixed];
    return { edits: [editOf(instr, all)], suggestion: all.join('\n'), notes };
  }
  // A heredoc script: the mapping goes at its top (after a shebang).
  const heredoc = instr.heredocs[0];
  if (!heredoc || instr.heredocs.length > 1 || !SCRIPT_HEREDOC_RE.test(instr.args.text.trim()) || hits.some((h) => !h.heredoc)) {
    return noEdit('at the top of the heredoc script, map the architecture', mapping.lines.join('\n'));
  }
  const firstBody = (heredoc.body.lines[0] ?? instr.line + 1) - instr.line;
  const at = (lines[firstBody] ?? '').startsWith('#!') ? firstBody + 1 : firstBody;
  const all = [...args, ...lines.slice(0, at), ...mapping.lines, ...lines.slice(at)];
  return { edits: [editOf(instr, all)], suggestion: all.join('\n'), notes };
}

function check(ctx: RuleContext): void {
  for (const sa of archFacts(ctx)) {
    const stage = sa.stage;
    const toolsOnly = buildMachineOnly(ctx.stages, stage.info.index, ctx.chain);
    const archArg = toolsOnly ? 'BUILDARCH' : 'TARGETARCH';
    for (const ih of sa.pinned) {
      const { instr, hits } = ih;
      const first = hits[0];
      const last = hits[hits.length - 1];
      if (!first || !last) continue;
      const words = [...new Set(hits.map((h) => h.match.text))];
      const arches = [...new Set(hits.map((h) => h.match.canonical))];
      const text = ctx.model.lines.slice(instr.line, instr.endLine + 1).join('\n');
      const what =
        instr.keyword === 'ENV' ? 'value' : hits.some((h) => h.heredoc) && instr.keyword !== 'RUN' ? 'content' : /https?:\/\//.test(text) ? 'download' : 'files';
      const r = rewrite(ctx, stage, ih, archArg);
      const spelled = words.map((w) => `\`${w}\``).join(', ');
      ctx.findings.push({
        rule: 'hardcoded-arch',
        severity: 'warning',
        line: first.line + 1,
        column: first.col + 1,
        endLine: instr.endLine + 1,
        ...(first.line === last.line ? { endColumn: last.col + last.match.text.length + 1 } : {}),
        stageIndex: stage.info.index,
        subject: words.join(', '),
        message: `Hard-coded architecture ${spelled} in ${instr.keyword}: every target platform gets the ${arches.join('/')} ${what}.${r.notes.length ? ` ${r.notes.join(' ')}` : ''}`,
        why: toolsOnly
          ? `Stage ${stageLabel(stage.info)} runs on the build machine and only build-machine stages use what it makes, so this is a tool for the builder: on a builder of another architecture the fixed ${words[0]} breaks. BUILDARCH is the builder's architecture.`
          : stage.native
            ? `This stage runs natively on the build machine, but a stage for the image uses what it makes, so the ${arches[0]} files end up in every platform's image. TARGETARCH is the architecture each platform needs.`
            : what === 'value'
              ? `ENV gives every platform's image the same ${arches[0]} value, so whatever reads it picks ${arches[0]} files on every platform. TARGETARCH holds the architecture being built (amd64, arm64, arm, ...).`
              : `This step runs once for each ticked platform with the same text, so each platform's image gets the ${arches[0]} ${what}: on the other platforms its binaries fail with "exec format error", or the step itself fails. TARGETARCH holds the architecture being built (amd64, arm64, arm, ...).`,
        suggestion: r.suggestion,
        ...(r.edits ? { edits: r.edits } : {}),
      });
    }
  }
}

export const hardcodedArchRule: Rule = { reports: ['hardcoded-arch'], run: check };
