/**
 * Timings of the Emulators page's real operations against the test stack (no assertions: numbers for
 * the report). Changes binfmt_misc (riscv64 removed and installed again) and restores the stack's
 * registrations afterwards, like the tests.
 *
 *   npx jiti scripts/bench/emulators-bench.ts [rounds]
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { stackEnv } from '../../electron/core/testing/stack';
import { startTestCore, waitForEngine, type TestCore } from '../../electron/core/testing/test-core';

const run = promisify(execFile);
const rounds = Number(process.argv[2] ?? 5);

async function timed<T>(work: () => Promise<T>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

function summary(name: string, ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return `${name.padEnd(44)} median ${median.toFixed(0).padStart(5)} ms   min ${sorted[0]?.toFixed(0)}   max ${sorted[sorted.length - 1]?.toFixed(0)}   (n=${ms.length})`;
}

async function main() {
  const stack = stackEnv();
  const env = { ...process.env, DOCKER_HOST: stack.dockerHost };
  const emulators = { installerImage: stack.binfmtImage, testImage: stack.baseImage, consentedImage: stack.binfmtImage };
  const local = await startTestCore({ env, settingsOverrides: { emulators } });
  const engine = await startTestCore({ env, settingsOverrides: { emulators }, emulators: { reader: 'engine' } });
  const cores: TestCore[] = [local, engine];
  try {
    await Promise.all(cores.map((c) => waitForEngine(c.api, 'connected')));
    const results: Record<string, number[]> = {};
    const add = (name: string, ms: number) => (results[name] ??= []).push(ms);
    for (let i = 0; i < rounds; i++) {
      add('status, local /proc read', await timed(() => local.api.emulators.status({})));
      add('status, through an unprivileged container', await timed(() => engine.api.emulators.status({})));
      add('test amd64 (native)', await timed(() => local.api.emulators.test({ architecture: 'amd64' })));
      add('test arm64 (QEMU)', await timed(() => local.api.emulators.test({ architecture: 'arm64' })));
      add('uninstall riscv64 (privileged run + re-read)', await timed(() => local.api.emulators.uninstall({ architectures: ['riscv64'] }).result));
      add('install riscv64 (privileged run + re-read)', await timed(() => local.api.emulators.install({ architectures: ['riscv64'] }).result));
    }
    for (const [name, ms] of Object.entries(results)) console.log(summary(name, ms));
  } finally {
    await Promise.all(cores.map((c) => c.close()));
    await run(resolve(__dirname, '../../../scripts/stack/restore-binfmt.sh'), ['--quiet']);
  }
}

await main();
