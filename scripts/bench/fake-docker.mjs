#!/usr/bin/env node
// Stands in for `docker` in the benchmark: `buildx build` streams the synthetic rawjson log given in
// MAS_BENCH_LOG to stderr and exits 0; every other command runs the real docker CLI unchanged.
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';

const args = process.argv.slice(2);
if (args[0] === 'buildx' && args[1] === 'build' && process.env.MAS_BENCH_LOG) {
  const log = createReadStream(process.env.MAS_BENCH_LOG, { highWaterMark: 64 * 1024 });
  log.pipe(process.stderr);
  log.on('end', () => process.exit(0));
  log.on('error', (e) => {
    console.error(`ERROR: ${e.message}`);
    process.exit(1);
  });
} else {
  const real = process.env.MAS_BENCH_REAL_DOCKER ?? '/usr/bin/docker';
  const child = spawn(real, args, { stdio: 'inherit' });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
  for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => child.kill(sig));
}
