/**
 * Architecture advice for a Dockerfile: where it pins an architecture, where platform args expand
 * to nothing, which stages compile under emulation versus cross-compile natively, and how each
 * finding is rewritten for every requested platform. Pure and total: any input gives an analysis;
 * malformed files give `parse-error` findings. The stage model is in stages.ts, each rule in rules/.
 */
import { normalizePlatform, parsePlatform } from '../platform';
import { distinctArches, isArchSource } from './arch';
import type { RuleContext } from './context';
import { argDeclarations, buildModel, type DockerfileModel } from './model';
import { PREDEFINED_ARG_NAMES } from './predefined-args';
import { finishEdits } from './rewrite';
import { RULES } from './rules';
import { stageToolchains } from './rules/compile';
import { pinnedArgNames } from './rules/pinned-arch-arg';
import { buildStages, finalChain } from './stages';
import { applySuppressions } from './suppress';
import type { ArgReference, DockerfileAnalysis, DockerfileFinding } from './types';

/** What the analysis assumes when no platforms are ticked: the two most built architectures. */
export const DEFAULT_ADVICE_PLATFORMS = ['linux/amd64', 'linux/arm64'];

export interface AnalyzeOptions {
  /** Target platforms the build asks for (coverage, stages chosen by an expression, rewrites). */
  platforms?: readonly string[];
  /** `$BUILDPLATFORM`: defaults to linux/amd64. */
  buildPlatform?: string;
}

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

/** ARG and ENV names whose value derives from the build's architecture (`ARG A=${TARGETARCH}`). */
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

function requestedPlatforms(options: AnalyzeOptions): string[] {
  const given = (options.platforms ?? []).filter((p) => parsePlatform(p) !== undefined).map(normalizePlatform);
  return [...new Set(given.length > 0 ? given : DEFAULT_ADVICE_PLATFORMS)];
}

function analyzeUnsafe(text: string, options: AnalyzeOptions): DockerfileAnalysis {
  const model = buildModel(text);
  const platforms = requestedPlatforms(options);
  const stages = buildStages(model, { platforms, buildPlatform: normalizePlatform(options.buildPlatform ?? 'linux/amd64') });
  for (const s of stages) s.info.toolchains = stageToolchains(s);
  const plainDerived = collectDerived(model);
  const pinned = pinnedArgNames(model, plainDerived);
  // A `case` on a pinned arg is a mapping: the pin is reported once, at its ARG.
  const derived = new Set([...plainDerived, ...pinned]);
  const ctx: RuleContext = {
    model,
    stages,
    platforms,
    chain: finalChain(stages),
    derived,
    pinned,
    findings: [],
    arch: { isArchSource: (t) => isArchSource(t, derived), archCount: (t) => distinctArches(t).size },
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
  for (const rule of RULES) rule.run(ctx);
  finishEdits(model, ctx.findings);
  const byPosition = (a: DockerfileFinding, b: DockerfileFinding) =>
    a.line - b.line || (a.column ?? 0) - (b.column ?? 0) || a.rule.localeCompare(b.rule);
  const { findings, suppressed } = applySuppressions(model, ctx.findings);
  return {
    stages: stages.map((s) => s.info),
    globalArgs: model.globalArgs,
    findings: findings.sort(byPosition),
    suppressed: suppressed.sort(byPosition),
    platforms,
    parseErrors: model.parseErrors,
    platformArgRefs: platformArgRefs(model),
    escapeChar: model.escapeChar,
  };
}

export function analyzeDockerfile(text: string, options: AnalyzeOptions = {}): DockerfileAnalysis {
  try {
    return analyzeUnsafe(text, options);
  } catch (e) {
    // The rules are heuristics over arbitrary text: a bug there must not take the page down.
    const message = `The Dockerfile could not be analysed: ${e instanceof Error ? e.message : String(e)}`;
    return {
      stages: [],
      globalArgs: [],
      findings: [{ rule: 'parse-error', severity: 'error', line: 1, message, why: 'Internal analysis error.' }],
      suppressed: [],
      platforms: requestedPlatforms(options),
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
