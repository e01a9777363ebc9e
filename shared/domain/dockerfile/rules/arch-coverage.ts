/**
 * Coverage across a stage: instructions that together handle several architectures (one COPY
 * per architecture, a `case` on the architecture whose default branch fails) are deliberate; a
 * stage is reported once when they leave some of the requested platforms out.
 */
import { findArchWords } from '../arch';
import { canonicalArch, type Rule, type RuleContext } from '../context';
import { stageLabel } from '../stages';
import { archFacts } from './arch-hits';

/** Docker architectures a `case` pattern names: `amd64`, `'arm64'|aarch64`, `*arm64*`, `arm`, `armv7*`. */
function patternArches(pattern: string): string[] {
  const out = findArchWords(pattern).map((m) => m.canonical);
  const bare = pattern.replace(/[*?'"[\]]/g, '');
  if (bare === 'arm' || bare === 'armv') out.push('arm/v7', 'arm/v6', 'arm/v5');
  if (/^arm(?:v7|hf)$/.test(bare)) out.push('arm/v7');
  if (/^arm(?:v6|el)$/.test(bare)) out.push('arm/v6');
  if (bare === '386' || bare === 'i386' || bare === 'x86') out.push('386');
  return out;
}

function covers(covered: Set<string>, arch: string): boolean {
  return covered.has(arch) || (arch.startsWith('arm/') && covered.has('arm'));
}

function check(ctx: RuleContext): void {
  const requested = ctx.platforms.map((p) => ({ platform: p, arch: canonicalArch(p) }));
  for (const sa of archFacts(ctx)) {
    // A native stage handles the build machine's architecture, not the requested ones.
    if (sa.stage.native) continue;
    const missing = new Set<string>();
    const where: number[] = [];
    for (const g of sa.groups) {
      const lacking = requested.filter((r) => !covers(g.arches, r.arch));
      if (lacking.length === 0) continue;
      for (const r of lacking) missing.add(r.platform);
      where.push(...g.members.map((m) => m.instr.line));
    }
    for (const { instr, archCase } of sa.cases) {
      // Only a default branch that stops the build proves the others unsupported; without one
      // the case may just add something for some architectures.
      if (archCase.defaultFails !== true) continue;
      const covered = new Set(archCase.patterns.flatMap(patternArches));
      const lacking = requested.filter((r) => !covers(covered, r.arch));
      if (lacking.length === 0) continue;
      for (const r of lacking) missing.add(r.platform);
      where.push(instr.line);
    }
    if (missing.size === 0) continue;
    const lines = [...new Set(where)].sort((a, b) => a - b);
    const first = lines[0] ?? sa.stage.model.from.line;
    const list = [...missing].join(', ');
    ctx.findings.push({
      rule: 'arch-coverage',
      severity: 'warning',
      line: first + 1,
      stageIndex: sa.stage.info.index,
      subject: list,
      platforms: [...missing],
      message: `Stage ${stageLabel(sa.stage.info)} handles some architectures but not ${list} (line${lines.length > 1 ? 's' : ''} ${lines.map((l) => l + 1).join(', ')}).`,
      why: `The architecture-specific steps here name each architecture they support, and ${list} ${missing.size === 1 ? 'is' : 'are'} not among them: that build stops (an "unsupported architecture" branch, a missing file) or gets nothing for it. Add ${list} to each of those steps, or untick ${missing.size === 1 ? 'it' : 'them'}.`,
      suggestion: `# add a branch (or a file) for ${list} next to the existing ones, e.g.\n#   ${[...missing].map((p) => `${canonicalArch(p).split('/')[0]}) ... ;;`).join('\n#   ')}`,
    });
  }
}

export const archCoverageRule: Rule = { reports: ['arch-coverage'], run: check };
