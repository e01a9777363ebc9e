/**
 * What every rule sees: the parsed model, the stage facts, the requested platforms, and small
 * helpers over them. Rules push findings; the analysis sorts, suppresses and returns them.
 */
import { parsePlatform } from '../platform';
import type { ArchContext } from './shell';
import { findToolchains, type ToolchainUse } from './toolchains';
import type { DockerfileModel, ModelInstruction, Segment } from './model';
import type { StageFacts } from './stages';
import type { DockerfileFinding } from './types';

export interface RuleContext {
  model: DockerfileModel;
  stages: StageFacts[];
  /** Normalised requested target platforms. */
  platforms: string[];
  /** The last stage and the stages it is built FROM. */
  chain: Set<number>;
  /** Variables known to carry a build-derived architecture. */
  derived: Set<string>;
  /** Args pinned to one architecture by their default: their uses are reported once, at the ARG. */
  pinned: Set<string>;
  arch: ArchContext;
  findings: DockerfileFinding[];
}

export interface Rule {
  /** The finding rules it can report. */
  reports: readonly DockerfileFinding['rule'][];
  run(ctx: RuleContext): void;
}

/** Docker's canonical architecture (`amd64`, `arm/v7`) of a platform, as the arch table spells it. */
export function canonicalArch(platform: string): string {
  const p = parsePlatform(platform);
  if (!p) return platform;
  return p.variant && p.architecture === 'arm' ? `arm/${p.variant}` : p.architecture;
}

/** The 0-based line of the first declaration of `name` (ARG or ENV) visible in a stage, or undefined. */
export function isDeclaredBefore(stage: StageFacts, name: string, line: number): boolean {
  if (stage.inherited.has(name)) return true;
  const at = stage.declared.get(name);
  return at !== undefined && at < line;
}

export function scriptsOf(instr: ModelInstruction): Array<{ seg: Segment; heredoc: boolean }> {
  const out = [{ seg: instr.args, heredoc: false }];
  for (const h of instr.heredocs) out.push({ seg: h.body, heredoc: true });
  return out;
}

/** The script text of a RUN; exec form `["sh", "-c", "..."]` becomes its words joined by spaces. */
export function execFormText(seg: Segment): Segment {
  try {
    const parsed: unknown = JSON.parse(seg.text);
    if (Array.isArray(parsed) && parsed.every((w) => typeof w === 'string')) {
      const text = parsed.join(' ');
      // Positions are approximate (the first character of the instruction) for exec form.
      const lines = new Array<number>(text.length).fill(seg.lines[0] ?? 0);
      const cols = new Array<number>(text.length).fill(seg.cols[0] ?? 0);
      return { text, lines, cols };
    }
  } catch {
    // Not valid JSON: Docker runs it as shell form.
  }
  return seg;
}

/** Compilers a RUN runs, with their 0-based source position. */
export function toolchainUses(instr: ModelInstruction): Array<ToolchainUse & { line: number; col: number }> {
  if (instr.keyword !== 'RUN') return [];
  const out: Array<ToolchainUse & { line: number; col: number }> = [];
  for (const { seg } of scriptsOf(instr)) {
    const script = instr.execForm && seg === instr.args ? execFormText(seg) : seg;
    for (const use of findToolchains(script.text)) out.push({ ...use, line: script.lines[use.index] ?? instr.line, col: script.cols[use.index] ?? 0 });
  }
  return out;
}

/** Does the RUN run through a POSIX shell (shell form under `sh`/`bash`, not PowerShell or cmd)? */
export function posixRun(stage: StageFacts, instr: ModelInstruction): boolean {
  return instr.keyword === 'RUN' && (stage.shellAt.get(instr.line) ?? 'posix') === 'posix';
}
