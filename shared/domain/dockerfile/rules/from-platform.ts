/**
 * `FROM --platform=…`: pinned to a constant (BuildKit's FromPlatformFlagConstDisallowed), a
 * redundant `$TARGETPLATFORM` (RedundantTargetPlatform), `$BUILDPLATFORM` on the stage that
 * becomes the image, and a flag on a FROM that names a stage, where BuildKit ignores it.
 */
import { parsePlatform } from '../../platform';
import type { Rule, RuleContext } from '../context';
import { expandDockerfileWord } from '../expand';
import { editOf } from '../rewrite';
import { stageLabel, symbolicGlobalScope, type StageFacts } from '../stages';
import type { DockerfileFinding } from '../types';

/** The FROM instruction's lines without its `--platform` flag. */
function withoutFlag(ctx: RuleContext, stage: StageFacts): DockerfileFinding['edits'] {
  const instr = stage.model.from;
  const lines = ctx.model.lines.slice(instr.line, instr.endLine + 1);
  let done = false;
  const out = lines.map((l) => {
    if (done) return l;
    const next = l.replace(/--platform(?:=|\s+)(?:"[^"]*"|'[^']*'|\S+)\s*/i, '');
    done = next !== l;
    return next;
  });
  return done ? [editOf(instr, out)] : undefined;
}

const REDUNDANT_RE = /^\$(?:TARGETPLATFORM|\{TARGETPLATFORM\})$/;

function check(ctx: RuleContext, stage: StageFacts): void {
  const info = stage.info;
  const flag = info.platformFlag;
  if (flag === undefined) return;
  const base = {
    line: info.line,
    column: (stage.model.from.flags.find((f) => f.name === 'platform')?.col ?? stage.model.from.col) + 1,
    stageIndex: info.index,
    subject: flag,
  };
  const edits = withoutFlag(ctx, stage);
  const overridden = ctx.model.globalArgs.some((a) => a.name === 'TARGETPLATFORM' && a.default !== undefined);
  if (REDUNDANT_RE.test(flag.trim()) && !overridden) {
    ctx.findings.push({
      ...base,
      rule: 'redundant-target-platform',
      severity: 'info',
      buildkitCheck: 'RedundantTargetPlatform',
      message: `\`--platform=${flag}\` on stage ${stageLabel(info)} is redundant: every stage builds for the target platform by default.`,
      why: 'BuildKit gives a stage the target platform unless told otherwise; the flag changes nothing and suggests the stage is special when it is not.',
      suggestion: edits?.[0]?.text ?? '',
      ...(edits ? { edits } : {}),
    });
    return;
  }
  const parents = info.parentStage !== undefined ? [info.parentStage] : (info.parentCandidates ?? []);
  if (parents.length > 0) {
    const names = parents.map((p) => stageLabel(ctx.stages[p]?.info ?? { index: p })).join(' or ');
    ctx.findings.push({
      ...base,
      rule: 'ineffective-from-platform',
      severity: 'warning',
      message: `\`--platform=${flag}\` has no effect here: stage ${stageLabel(info)} is built FROM stage ${names}, and takes its platform.`,
      why: `BuildKit builds a stage on the platform of the stage it is built FROM and ignores the flag on that line. To change where this stage runs, set the flag on stage ${names} itself.`,
      suggestion: edits?.[0]?.text ?? '',
      ...(edits ? { edits } : {}),
    });
    return;
  }
  const inFinal = ctx.chain.has(info.index);
  if (info.platformKind === 'constant') {
    const resolved = expandDockerfileWord(flag, symbolicGlobalScope(ctx.model), ctx.model.escapeChar).value;
    const p = parsePlatform(resolved);
    // BuildKit's exemption: a stage named after its platform (`build-arm64`) is deliberate.
    if (info.name && p && (info.name.includes(p.os) || info.name.includes(p.architecture))) return;
    const viaArg = resolved !== flag;
    ctx.findings.push({
      ...base,
      rule: 'constant-from-platform',
      severity: 'warning',
      subject: resolved,
      ...(viaArg ? {} : { buildkitCheck: 'FromPlatformFlagConstDisallowed' }),
      message: `Stage ${stageLabel(info)} is pinned to ${resolved}${viaArg ? ` (through the ARG default \`${flag}\`)` : ''} for every target platform.`,
      why: inFinal
        ? `This stage becomes the image, so every platform in the manifest list would contain ${resolved} binaries: they fail with "exec format error" (or run emulated) elsewhere. Without the flag the stage follows the target platform.`
        : `Whatever this stage builds is ${resolved} for every platform, and on a builder of another architecture it runs under QEMU. Without the flag it follows the target platform (always right); if it only prepares architecture-independent files or cross-compiles, \`--platform=$BUILDPLATFORM\` runs it natively instead.`,
      suggestion: edits?.[0]?.text ?? '',
      ...(edits ? { edits } : {}),
    });
  } else if (info.platformKind === 'build' && inFinal && info.image.toLowerCase() !== 'scratch') {
    ctx.findings.push({
      ...base,
      rule: 'final-stage-build-platform',
      severity: 'warning',
      message: `The final stage ${stageLabel(info)} runs on the build platform: every target platform gets the builder's ${info.image}.`,
      why: "`--platform=$BUILDPLATFORM` is for stages that produce files for a later stage. In the stage that becomes the image it makes every platform in the manifest list contain the build machine's architecture. BuildKit has no check for this.",
      suggestion: edits?.[0]?.text ?? '',
      ...(edits ? { edits } : {}),
    });
  }
}

export const fromPlatformRule: Rule = {
  reports: ['redundant-target-platform', 'ineffective-from-platform', 'constant-from-platform', 'final-stage-build-platform'],
  run(ctx) {
    for (const stage of ctx.stages) check(ctx, stage);
  },
};
