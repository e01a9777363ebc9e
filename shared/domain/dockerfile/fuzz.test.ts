/// <reference types="vite/client" />
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeDockerfile, applyEdits, dockerfileAnalysis, type DockerfileAnalysis } from './index';

// Real and hand-written Dockerfiles as seeds, mutated the ways files break in practice.
const seeds = Object.values(import.meta.glob<string>('./corpus/**/*.Dockerfile', { query: '?raw', import: 'default', eager: true })).filter((t) => t.length > 0);

const JUNK = ['\\', '`', '"', "'", '<<', '<<-', '<<EOF', "<<'EOF'", 'EOF', '$', '${', '}', '$(', ')', '\n', '\\\n', '`\n', ' ', '\t', '#', '# escape=`\n', '# multiarch-ignore: hardcoded-arch\n', 'FROM', 'AS', '--platform=', '--platform ', 'ARG TARGETARCH=amd64\n', ';', '&&', '|', 'case', 'esac', 'if', 'fi', '[', ']', 'x86_64', 'amd64', 'arm64v8/', '\r\n', '\r', '\u0000', '\uFEFF', '😀', 'SHELL ["pwsh", "-c"]\n'];

type Mutation = { kind: 'truncate'; at: number } | { kind: 'insert'; at: number; junk: string } | { kind: 'delete'; at: number; length: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), junk: fc.constantFrom(...JUNK) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
);

function mutate(text: string, steps: Mutation[]): string {
  let out = text;
  for (const m of steps) {
    const at = out.length === 0 ? 0 : m.at % (out.length + 1);
    if (m.kind === 'truncate') out = out.slice(0, at);
    else if (m.kind === 'insert') out = out.slice(0, at) + m.junk + out.slice(at);
    else out = out.slice(0, at) + out.slice(at + m.length);
  }
  return out;
}

const file = fc
  .record({
    seed: fc.constantFrom(...seeds),
    steps: fc.array(mutation, { maxLength: 8 }),
    crlf: fc.boolean(),
    bom: fc.boolean(),
    platforms: fc.subarray(['linux/amd64', 'linux/arm64', 'linux/arm/v7', 'linux/riscv64', 'linux/s390x', 'windows/amd64']),
  })
  .map(({ seed, steps, crlf, bom, platforms }) => {
    let text = mutate(seed, steps);
    if (crlf) text = text.replace(/\r?\n/g, '\r\n');
    if (bom) text = `\uFEFF${text}`;
    return { text, platforms };
  });

/** What every analysis must satisfy, whatever the input. */
function checkContract(text: string, a: DockerfileAnalysis): void {
  expect(dockerfileAnalysis.parse(a)).toEqual(a);
  expect(a.findings.some((f) => f.why === 'Internal analysis error.'), 'the analysis threw').toBe(false);
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/).length;
  for (const f of [...a.findings, ...a.suppressed]) {
    expect(f.line).toBeLessThanOrEqual(lines);
    for (const e of f.edits ?? []) {
      expect(e.line).toBeLessThanOrEqual(e.endLine);
      expect(e.endLine).toBeLessThanOrEqual(lines);
    }
    // A finding's own edits never overlap, so applying them always works.
    if (f.edits) expect(() => applyEdits(text, f.edits ?? [])).not.toThrow();
  }
}

describe('fuzz: mutated real Dockerfiles', () => {
  it('never throw and stay within the contract schema (fixed seed)', () => {
    fc.assert(
      fc.property(file, ({ text, platforms }) => {
        checkContract(text, analyzeDockerfile(text, { platforms }));
      }),
      { seed: 20261206, numRuns: 400 },
    );
  });

  it('applying a finding\'s rewrite leaves a file the analysis still accepts', () => {
    fc.assert(
      fc.property(file, ({ text, platforms }) => {
        const a = analyzeDockerfile(text, { platforms });
        const f = a.findings.find((x) => x.edits);
        if (!f) return;
        const rewritten = applyEdits(text, f.edits ?? []);
        checkContract(rewritten, analyzeDockerfile(rewritten, { platforms }));
      }),
      { seed: 7, numRuns: 200 },
    );
  });

  it('long lines of shell constructs are analysed without exception', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('if ', 'fi ', 'case ', 'esac ', 'in ', ';; ', '| ', '&& ', '[ ', '] ', '"', "'", '$(', ')', '${', '}', 'amd64 ', 'x86_64 ', '$TARGETARCH ', '\\\n'), { maxLength: 400 }), (parts) => {
        const text = `FROM alpine\nRUN ${parts.join('')}\n`;
        checkContract(text, analyzeDockerfile(text));
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});
