import { describe, expect, it } from 'vitest';
import { checkBuilderName, parseCheckOutput } from './check-output';
import { fixture } from './fixtures/load';

// `docker buildx build --call=check,format=json` of buildx 0.29.1 on Docker 28.5 (see fixtures/README.md).
const decoded = (data: string | undefined) => (data === undefined ? undefined : Buffer.from(data, 'base64').toString('utf8'));

describe('BuildKit check results (buildx 0.29.1)', () => {
  it('reads a constant FROM --platform as FromPlatformFlagConstDisallowed on line 1 with its documentation', () => {
    const out = parseCheckOutput(fixture('check-const-platform-0.29.1.json'));
    expect(out.checks).toEqual([
      {
        ruleName: 'FromPlatformFlagConstDisallowed',
        description: 'FROM --platform flag should not use a constant value',
        detail: 'FROM --platform flag should not use constant value "linux/amd64"',
        url: 'https://docs.docker.com/go/dockerfile/rule/from-platform-flag-const-disallowed/',
        line: 1,
      },
    ]);
    expect(out.buildError).toBeUndefined();
    expect(decoded(out.dockerfileData)).toMatch(/^FROM --platform=linux\/amd64 127\.0\.0\.1:5000\/stack\/busybox:1 AS tools\n/);
  });

  it('reads each warning with its line, two on one line kept apart', () => {
    const out = parseCheckOutput(fixture('check-several-0.29.1.json'));
    expect(out.checks.map((c) => `${c.ruleName}@${c.line}`)).toEqual([
      'StageNameCasing@1',
      'ConsistentInstructionCasing@1',
      'RedundantTargetPlatform@2',
      'UndefinedVar@3',
      'UndefinedVar@3',
      'JSONArgsRecommended@5',
    ]);
    expect(out.checks.filter((c) => c.ruleName === 'UndefinedVar').map((c) => c.detail)).toEqual([
      "Usage of undefined variable '$UNDEFINED_X'",
      "Usage of undefined variable '$NOPE'",
    ]);
    expect(out.checks.every((c) => c.url?.startsWith('https://docs.docker.com/go/dockerfile/rule/'))).toBe(true);
  });

  it('reads a clean file ("warnings": null) as no checks', () => {
    const out = parseCheckOutput(fixture('check-clean-0.29.1.json'));
    expect(out).toEqual({ checks: [], dockerfileData: expect.any(String) });
    expect(decoded(out.dockerfileData)).toBe('FROM 127.0.0.1:5000/stack/busybox:1\nCMD ["true"]\n');
  });

  it('keeps where BuildKit stopped: a parse error beside the warnings found before it, a base image it could not resolve', () => {
    const parse = parseCheckOutput(fixture('check-parse-error-0.29.1.json'));
    expect(parse.checks.map((c) => `${c.ruleName}@${c.line}`)).toEqual(['NoEmptyContinuation@4']);
    expect(parse.buildError).toEqual({ message: 'dockerfile parse error on line 5: unknown instruction: FROBNICATE', line: 5 });
    const missing = parseCheckOutput(fixture('check-base-missing-0.29.1.json'));
    expect(missing.checks).toEqual([]);
    expect(missing.buildError?.line).toBe(1);
    expect(missing.buildError?.message).toMatch(/failed to resolve source metadata for 127\.0\.0\.1:5000\/stack\/nope:404.*not found$/);
  });

  it('drops a documentation link that is not https, and refuses what is not check output with the reason', () => {
    const out = parseCheckOutput(JSON.stringify({ warnings: [{ ruleName: 'X', url: 'javascript:alert(1)', location: { ranges: [{ start: { line: 3 }, end: { line: 4 } }] } }] }));
    expect(out.checks).toEqual([{ ruleName: 'X', description: 'X', detail: 'X', line: 3, endLine: 4 }]);
    expect(() => parseCheckOutput('unknown flag: --call')).toThrow(/not JSON: unknown flag/);
    expect(() => parseCheckOutput('{"warnings": [{"ruleName": 7}]}')).toThrow(/warnings\.0\.ruleName/);
    // a place in another source than the Dockerfile is not a Dockerfile line
    expect(parseCheckOutput('{"warnings":[{"ruleName":"Y","location":{"sourceIndex":1,"ranges":[{"start":{"line":2}}]}}]}').checks[0]?.line).toBeUndefined();
  });

  it('names the builder the check ran on from the progress output', () => {
    expect(checkBuilderName(fixture('check-const-platform-0.29.1.stderr'))).toBe('default');
    expect(checkBuilderName(fixture('check-no-builder-0.29.1.stderr'))).toBeUndefined();
  });
});
