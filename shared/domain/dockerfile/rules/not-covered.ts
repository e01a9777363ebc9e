/**
 * Says, once per stage, what the advice does not check: Windows stages (their scripts and
 * toolchains; Linux builders and QEMU cannot build them anyway) and RUN steps under PowerShell or
 * cmd, which get no POSIX rewrite.
 */
import type { Rule, RuleContext } from '../context';
import { stageLabel } from '../stages';
import { archFacts } from './arch-hits';

function check(ctx: RuleContext): void {
  for (const stage of ctx.stages) {
    const info = stage.info;
    if (info.windows) {
      ctx.findings.push({
        rule: 'not-covered',
        severity: 'info',
        line: info.line,
        stageIndex: info.index,
        subject: info.image,
        message: `Stage ${stageLabel(info)} is a Windows stage: the advice checks its FROM, ARG and --platform use, not its ${info.shell === 'powershell' ? 'PowerShell' : 'cmd'} scripts, files or compilers.`,
        why: 'Windows images are built on Windows hosts, one architecture per host: buildx cannot emulate them with QEMU, so the multi-platform rules for Linux scripts do not apply. Check downloads in its RUN steps for a fixed x64/amd64 by hand if you also build for windows/arm64.',
      });
    }
  }
  for (const sa of archFacts(ctx)) {
    const first = sa.skippedRuns[0];
    if (!first) continue;
    const shell = sa.stage.shellAt.get(first.line) === 'cmd' ? 'cmd' : 'PowerShell';
    ctx.findings.push({
      rule: 'not-covered',
      severity: 'info',
      line: first.line + 1,
      stageIndex: sa.stage.info.index,
      subject: shell,
      message: `${sa.skippedRuns.length} RUN step${sa.skippedRuns.length === 1 ? '' : 's'} of stage ${stageLabel(sa.stage.info)} run under ${shell} (SHELL): they are not checked for hard-coded architectures.`,
      why: `The checks and rewrites for RUN read POSIX shell scripts; a ${shell} script would be misread, so it is left alone rather than given a wrong rewrite.`,
    });
  }
}

export const notCoveredRule: Rule = { reports: ['not-covered'], run: check };
