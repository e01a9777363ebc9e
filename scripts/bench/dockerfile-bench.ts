// Dockerfile advice side of `npm run bench` (bundled by scripts/bench.mjs, then run with node):
// the worst inputs for the analysis at the size cap and at 400 KB, each analysed `rounds` times.
// Prints one JSON line: per case the file size and the median milliseconds, and how the time
// grows from 100 KB to 400 KB (linear analysis: about 4x).
import { MAX_DOCKERFILE_BYTES } from '../../shared/contract/dockerfile';
import { analyzeDockerfile } from '../../shared/domain/dockerfile';

const [roundsArg = '5'] = process.argv.slice(2);
const rounds = Number(roundsArg);

/** Inputs that used to be slow: many architecture words, branches, pipelines or findings per line. */
const CASES: Record<string, (bytes: number) => string> = {
  'one line of architecture words': (n) => `FROM alpine\nRUN echo ${'amd64 x86_64 '.repeat(Math.floor(n / 13))}\n`,
  'one line of architecture branches': (n) => `FROM alpine\nRUN ${'if [ "$TARGETARCH" = amd64 ]; then echo x86_64; fi; '.repeat(Math.floor(n / 53))}true\n`,
  'one line of pipelines': (n) => `FROM alpine\nRUN ${'echo amd64 | '.repeat(Math.floor(n / 13))}cat\n`,
  'a finding on every line': (n) => `FROM alpine\n${'RUN wget https://x/tool-amd64 && echo $TARGETARCH\n'.repeat(Math.floor(n / 50))}`,
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};

function time(text: string): number {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    analyzeDockerfile(text);
    samples.push(performance.now() - t0);
  }
  return Math.round(median(samples));
}

const results = Object.entries(CASES).map(([name, make]) => {
  const small = time(make(100 * 1024));
  const cap = time(make(MAX_DOCKERFILE_BYTES));
  const large = time(make(400 * 1024));
  return { name, capBytes: MAX_DOCKERFILE_BYTES, capMs: cap, ms400k: large, growth100kTo400k: small > 0 ? Math.round((large / small) * 10) / 10 : null };
});
console.log(JSON.stringify({ rounds, cases: results }));
