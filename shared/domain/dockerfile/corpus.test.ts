/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';
import { analyzeDockerfile, dockerfileAnalysis } from './index';

// Loaded by the bundler so the test needs no file-system access.
const dockerfiles = import.meta.glob<string>('./corpus/*.Dockerfile', { query: '?raw', import: 'default', eager: true });
const expectations = import.meta.glob<Expected[]>('./corpus/*.expected.json', { import: 'default', eager: true });

interface Expected {
  rule: string;
  line: number;
  severity?: string;
}

const cases = Object.entries(dockerfiles).map(([path, text]) => {
  const base = path.replace(/\.Dockerfile$/, '');
  return { name: base.replace('./corpus/', ''), text, expected: expectations[`${base}.expected.json`] };
});

const byPosition = (a: Expected, b: Expected) => a.line - b.line || a.rule.localeCompare(b.rule);

describe('Dockerfile corpus', () => {
  it('has an expectation for every Dockerfile', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
    for (const c of cases) expect(c.expected, c.name).toBeDefined();
  });

  for (const c of cases) {
    it(`${c.name}: exactly the expected findings`, () => {
      const analysis = analyzeDockerfile(c.text);
      // The result must cross the RPC boundary unchanged.
      expect(dockerfileAnalysis.parse(analysis)).toEqual(analysis);
      const got = analysis.findings
        .map((f) => {
          const wantsSeverity = c.expected?.some((e) => e.rule === f.rule && e.line === f.line && e.severity);
          return wantsSeverity ? { rule: f.rule, line: f.line, severity: f.severity } : { rule: f.rule, line: f.line };
        })
        .sort(byPosition);
      expect(got).toEqual([...(c.expected ?? [])].sort(byPosition));
      for (const f of analysis.findings) {
        expect(f.message.length, `${c.name} ${f.rule} message`).toBeGreaterThan(10);
        expect(f.why.length, `${c.name} ${f.rule} why`).toBeGreaterThan(10);
        if (f.rule !== 'parse-error' && f.rule !== 'cross-compile-ok') expect(f.suggestion, `${c.name} ${f.rule}`).toBeTruthy();
      }
    });
  }
});
