import { describe, expect, it } from 'vitest';
import { parseCheckOutput, type BuildCheck } from '../buildx/check-output';
import { fixture } from '../buildx/fixtures/load';
import { analyzeDockerfile, mergeBuildChecks, type AdviceItem } from './index';

/** The app's analysis of the Dockerfile BuildKit checked (the capture holds it), merged with BuildKit's results. */
function merged(name: string): AdviceItem[] {
  const out = parseCheckOutput(fixture(name));
  const text = Buffer.from(out.dockerfileData!, 'base64').toString('utf8');
  return mergeBuildChecks(analyzeDockerfile(text).findings, out.checks);
}
const show = (items: AdviceItem[]) => items.map((i) => `${i.line} ${i.finding?.rule ?? '-'} + ${i.checks.map((c) => c.ruleName).join(',') || '-'}`);

describe('the advice merged with BuildKit checks (real 0.29.1 results)', () => {
  it('a constant FROM --platform is one item naming both sources', () => {
    const items = merged('check-const-platform-0.29.1.json');
    expect(show(items)).toEqual(['1 constant-from-platform + FromPlatformFlagConstDisallowed']);
    expect(items[0]?.checks[0]?.url).toBe('https://docs.docker.com/go/dockerfile/rule/from-platform-flag-const-disallowed/');
  });

  it('pairs by concern and line, and keeps BuildKit-only and app-only items apart', () => {
    expect(show(merged('check-undefined-arg-0.29.1.json'))).toEqual([
      '1 constant-from-platform + FromPlatformFlagConstDisallowed',
      '5 undeclared-platform-arg + UndefinedVar',
    ]);
    expect(show(merged('check-several-0.29.1.json'))).toEqual([
      '1 - + StageNameCasing',
      '1 - + ConsistentInstructionCasing',
      '2 redundant-target-platform + RedundantTargetPlatform',
      '3 - + UndefinedVar',
      '3 - + UndefinedVar',
      '5 - + JSONArgsRecommended',
    ]);
    // BuildKit's own items are warnings; the app's parse error stays the app's
    expect(show(merged('check-parse-error-0.29.1.json'))).toEqual(['4 - + NoEmptyContinuation', '5 parse-error + -']);
    expect(merged('check-parse-error-0.29.1.json')[0]?.severity).toBe('warning');
  });

  it('one finding for the undefined variables of an instruction takes BuildKit’s result for each of them, and only those', () => {
    const text = 'FROM busybox\nCOPY a-$TARGETOS-$TARGETARCH /x\nENV Y=$TARGETVARIANT Z=$OTHER\n';
    const findings = analyzeDockerfile(text).findings.filter((f) => f.buildkitCheck === 'UndefinedVar');
    expect(findings.map((f) => [f.line, f.subject])).toEqual([
      [2, 'TARGETOS, TARGETARCH'],
      [3, 'TARGETVARIANT'],
    ]);
    const undefinedVar = (line: number, name: string): BuildCheck => ({
      ruleName: 'UndefinedVar',
      description: 'Variables should be defined before their use',
      detail: `Usage of undefined variable '$${name}'`,
      line,
    });
    const checks = [undefinedVar(2, 'TARGETOS'), undefinedVar(2, 'TARGETARCH'), undefinedVar(3, 'TARGETVARIANT'), undefinedVar(3, 'OTHER')];
    const items = mergeBuildChecks(findings, checks);
    expect(items.map((i) => [i.line, i.finding?.subject, i.checks.map((c) => c.detail.replace(/.*'\$(\w+)'/, '$1'))])).toEqual([
      [2, 'TARGETOS, TARGETARCH', ['TARGETOS', 'TARGETARCH']],
      [3, 'TARGETVARIANT', ['TARGETVARIANT']],
      [3, undefined, ['OTHER']],
    ]);
  });

  it('pairs a check that names no subject only when it can be no other finding’s, and never across lines or concerns', () => {
    const [finding] = analyzeDockerfile('FROM --platform=linux/amd64 busybox AS tools\n').findings;
    const check = (line: number, ruleName = 'FromPlatformFlagConstDisallowed'): BuildCheck => ({ ruleName, description: ruleName, detail: 'worded otherwise', line });
    expect(show(mergeBuildChecks([finding!], [check(1)]))).toEqual(['1 constant-from-platform + FromPlatformFlagConstDisallowed']);
    expect(show(mergeBuildChecks([finding!], [check(1), check(1)]))).toEqual(['1 constant-from-platform + FromPlatformFlagConstDisallowed', '1 - + FromPlatformFlagConstDisallowed']);
    expect(show(mergeBuildChecks([finding!], [check(2)]))).toEqual(['1 constant-from-platform + -', '2 - + FromPlatformFlagConstDisallowed']);
    expect(show(mergeBuildChecks([finding!], [check(1, 'RedundantTargetPlatform')]))).toEqual(['1 constant-from-platform + -', '1 - + RedundantTargetPlatform']);
    // a check spanning the instruction's lines meets a finding on its continuation line
    expect(mergeBuildChecks([{ ...finding!, line: 3 }], [{ ...check(2), endLine: 4 }])[0]?.checks).toHaveLength(1);
  });
});
