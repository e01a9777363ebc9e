/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';
import { analyzeDockerfile, applyEdits, dockerfileAnalysis, type DockerfileFinding } from './index';

// Loaded by the bundler so the test needs no file-system access.
const dockerfiles = import.meta.glob<string>('./corpus/**/*.Dockerfile', { query: '?raw', import: 'default', eager: true });
const expectations = import.meta.glob<Expected>('./corpus/**/*.expected.json', { import: 'default', eager: true });
const readme = Object.values(import.meta.glob<string>('./corpus/README.md', { query: '?raw', import: 'default', eager: true }))[0] ?? '';

interface ExpectedFinding {
  rule: string;
  line: number;
  severity?: string;
  /** The finding is reported but wrong. */
  verdict?: 'false-positive';
  note?: string;
}

interface Expected {
  source: string | { repository: string; path: string; commit: string; license: string };
  /** Requested platforms; the analysis default (amd64, arm64) otherwise. */
  platforms?: string[];
  findings: ExpectedFinding[];
  /** Real problems the analysis does not report. */
  missed?: Array<{ rule: string; line: number; note: string }>;
}

// Statements about the file, not problems: left out of precision and recall.
const INFORMATIONAL = new Set(['not-covered', 'cross-compile-ok']);

const cases = Object.entries(dockerfiles).map(([path, text]) => {
  const base = path.replace(/\.Dockerfile$/, '');
  return { name: base.replace('./corpus/', ''), text, expected: expectations[`${base}.expected.json`] };
});

const byPosition = (a: { line: number; rule: string }, b: { line: number; rule: string }) => a.line - b.line || a.rule.localeCompare(b.rule);

/** Applies every rewrite (non-overlapping ones together), re-analysing between rounds. */
function applyAll(text: string, platforms: string[] | undefined): { text: string; rounds: number } {
  let current = text;
  for (let round = 1; round <= 6; round++) {
    const analysis = analyzeDockerfile(current, platforms ? { platforms } : {});
    const taken: Array<[number, number]> = [];
    const edits = analysis.findings.flatMap((f) => {
      const mine = f.edits ?? [];
      if (mine.length === 0 || mine.some((e) => taken.some(([a, b]) => e.line <= b && e.endLine >= a))) return [];
      for (const e of mine) taken.push([e.line, e.endLine]);
      return mine;
    });
    if (edits.length === 0) return { text: current, rounds: round - 1 };
    current = applyEdits(current, edits);
  }
  return { text: current, rounds: 6 };
}

const kept = (f: DockerfileFinding) => `${f.rule}#${f.stageIndex ?? '-'}`;

describe('Dockerfile corpus', () => {
  it('has an expectation, with its source named, for every Dockerfile', () => {
    expect(cases.length).toBeGreaterThanOrEqual(35);
    for (const c of cases) {
      expect(c.expected, c.name).toBeDefined();
      const source = c.expected?.source;
      if (c.name.startsWith('real/')) expect(source, c.name).toMatchObject({ repository: expect.any(String), commit: expect.stringMatching(/^[0-9a-f]{40}$/), license: expect.any(String) });
    }
  });

  for (const c of cases) {
    const options = c.expected?.platforms ? { platforms: c.expected.platforms } : {};
    it(`${c.name}: exactly the expected findings`, () => {
      const analysis = analyzeDockerfile(c.text, options);
      // The result must cross the RPC boundary unchanged.
      expect(dockerfileAnalysis.parse(analysis)).toEqual(analysis);
      const expected = c.expected?.findings ?? [];
      const got = analysis.findings
        .map((f) => {
          const wantsSeverity = expected.some((e) => e.rule === f.rule && e.line === f.line && e.severity);
          return wantsSeverity ? { rule: f.rule, line: f.line, severity: f.severity } : { rule: f.rule, line: f.line };
        })
        .sort(byPosition);
      expect(got).toEqual(expected.map((e) => (e.severity ? { rule: e.rule, line: e.line, severity: e.severity } : { rule: e.rule, line: e.line })).sort(byPosition));
      for (const f of analysis.findings) {
        expect(f.message.length, `${c.name} ${f.rule} message`).toBeGreaterThan(10);
        expect(f.why.length, `${c.name} ${f.rule} why`).toBeGreaterThan(10);
        if (!['parse-error', 'cross-compile-ok', 'not-covered'].includes(f.rule)) expect(f.suggestion, `${c.name} ${f.rule}`).toBeTruthy();
      }
    });

    it(`${c.name}: every rewrite applied leaves a file that parses, with no new findings`, () => {
      const before = analyzeDockerfile(c.text, options);
      const { text } = applyAll(c.text, c.expected?.platforms);
      const after = analyzeDockerfile(text, options);
      expect(after.parseErrors.length, text).toBe(before.parseErrors.length);
      const remaining = new Set(before.findings.filter((f) => !f.edits).map(kept));
      const fresh = after.findings.filter((f) => f.rule !== 'cross-compile-ok' && !remaining.has(kept(f)));
      expect(fresh.map((f) => `${f.rule}@${f.line}: ${f.message}`), text).toEqual([]);
    });
  }

  it('precision and recall on the real files are the ones corpus/README.md states', () => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let files = 0;
    for (const c of cases.filter((x) => x.name.startsWith('real/'))) {
      files++;
      for (const f of c.expected?.findings ?? []) {
        if (INFORMATIONAL.has(f.rule)) continue;
        if (f.verdict === 'false-positive') fp++;
        else tp++;
      }
      fn += (c.expected?.missed ?? []).length;
    }
    const pct = (n: number, d: number) => (d === 0 ? 'n/a' : `${Math.round((100 * n) / d)} %`);
    const line = `${files} real files: ${tp} true findings, ${fp} false, ${fn} missed; precision ${pct(tp, tp + fp)}, recall ${pct(tp, tp + fn)}`;
    expect(readme).toContain(line);
  });
});
