#!/usr/bin/env node
// Stands in for `docker` in the benchmark: `buildx build` streams the synthetic rawjson log given in
// MAS_BENCH_LOG to stderr and exits 0; every other command runs the real docker CLI unchanged.
import { spawn } from 'node:child_process';

const args = process.argv.slice(2);
if (args[0] === 'buildx' && args[1] === 'build' && process.env.MAS_BENCH_LOG) {
  // cat copies the file straight into our stderr: a stream piped through Node cost about a second
  // of CPU per million lines, taken from the two CPUs the app and the page share in the benchmark.
  const cat = spawn('cat', [process.env.MAS_BENCH_LOG], { stdio: ['ignore', 2, 'inherit'] });
  cat.on('error', (e) => {
    console.error(`ERROR: ${e.message}`);
    process.exit(1);
  });
  cat.on('exit', (code) => process.exit(code ?? 1));
} else {
  const real = process.env.MAS_BENCH_REAL_DOCKER ?? '/usr/bin/docker';
  const child = spawn(real, args, { stdio: 'inherit' });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
  for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => child.kill(sig));
}
