import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test as base, expect } from '@playwright/test';
import { stackEnv, type StackEnv } from '../electron/core/testing/stack';

export interface Studio {
  /** The address printed by `npm run serve`, token included. */
  url: string;
  origin: string;
  token: string;
  stack: StackEnv;
  dataDir: string;
}

/** Starts the real headless entry point (dist/headless/serve.js) on a data folder of its own; `stop` ends it and removes that folder. */
async function startStudio(): Promise<{ studio: Studio; stop(): Promise<void> }> {
  const stack = stackEnv();
  const dataDir = await mkdtemp(join(tmpdir(), 'mas-e2e-'));
  const settings = {
    emulators: { installerImage: stack.binfmtImage, testImage: stack.baseImage },
    builders: { buildkitImage: stack.buildkitImage },
  };
  const child = spawn(
    process.execPath,
    [resolve('dist/headless/serve.js'), '--port', '0', '--data-dir', dataDir, '--settings', JSON.stringify(settings)],
    { env: { ...process.env, DOCKER_HOST: stack.dockerHost }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const url = await printedUrl(child).catch(async (error: unknown) => {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  const parsed = new URL(url);
  const token = new URLSearchParams(parsed.hash.slice(1)).get('token') ?? '';
  return {
    studio: { url, origin: parsed.origin, token, stack, dataDir },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * `studio`: one app per worker, shared by its tests (what one test remembers, the next sees).
 * `freshStudio`: an app of the test's own, for what must not depend on the tests before it.
 */
export const test = base.extend<{ freshStudio: Studio }, { studio: Studio }>({
  studio: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const { studio, stop } = await startStudio();
      await use(studio);
      await stop();
    },
    { scope: 'worker' },
  ],
  // eslint-disable-next-line no-empty-pattern
  freshStudio: async ({}, use) => {
    const { studio, stop } = await startStudio();
    await use(studio);
    await stop();
  },
});

function printedUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolveUrl, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`serve printed no URL in 20 s.\nstdout: ${out}\nstderr: ${err}`)), 20_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    });
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
}

export { expect };

/**
 * Where a README screenshot goes: the test's output folder, or assets/screenshots only when
 * `npm run screenshots` asks for a refresh (a test run never writes into tracked files).
 */
export function readmeScreenshot(name: string): string {
  return process.env.MAS_REFRESH_SCREENSHOTS === '1' ? resolve('assets/screenshots', name) : test.info().outputPath(name);
}
