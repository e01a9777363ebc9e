/**
 * What inspecting and smoke-running cost through the app, next to the docker CLI doing the same,
 * on the real stack (local registry, QEMU). Medians of N alternating rounds.
 *
 *   npx jiti scripts/bench/images-bench.ts [rounds]
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { stackEnv } from '../../electron/core/testing/stack';
import { startTestCore, waitForEngine } from '../../electron/core/testing/test-core';
import { TEST_PLATFORMS, pushTestImages } from '../../electron/core/testing/test-images';

const run = promisify(execFile);
const rounds = Number(process.argv[2] ?? 5);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};
async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const stack = stackEnv();
const env = { ...process.env, DOCKER_HOST: stack.dockerHost };
const images = await pushTestImages(stack, { single: false });
const t = await startTestCore({ env });
try {
  await waitForEngine(t.api, 'connected');
  const rows: Array<[string, number[], number[]]> = [];
  const cold: number[] = [];
  const warm: number[] = [];
  const cli: number[] = [];
  for (let i = 0; i < rounds; i++) {
    cold.push(await time(() => t.api.images.inspect({ reference: images.oci, refresh: true })));
    warm.push(await time(() => t.api.images.inspect({ reference: images.oci })));
    cli.push(await time(() => run('docker', ['buildx', 'imagetools', 'inspect', images.oci], { env })));
  }
  rows.push(['inspect 4-platform OCI index + attestations (app, uncached)', cold, cli]);
  rows.push(['inspect again, same digest (app, cached)', warm, cli]);
  for (const platform of TEST_PLATFORMS) {
    const app: number[] = [];
    const direct: number[] = [];
    for (let i = 0; i < rounds; i++) {
      app.push(await time(() => t.api.images.smokeRun({ reference: images.oci, platform })));
      direct.push(await time(() => run('docker', ['run', '--rm', '--pull', 'always', '--platform', platform, '--entrypoint', 'uname', images.oci, '-m'], { env })));
    }
    rows.push([`smoke run ${platform}`, app, direct]);
  }
  console.log(`rounds: ${rounds} (medians, ms)`);
  console.log('what'.padEnd(62), 'app'.padStart(8), 'docker CLI'.padStart(11));
  for (const [what, app, docker] of rows) console.log(what.padEnd(62), median(app).toFixed(0).padStart(8), median(docker).toFixed(0).padStart(11));
} finally {
  await t.close();
  await images.cleanup();
}
