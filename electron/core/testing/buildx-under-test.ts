import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { parseBuildxVersion } from '../../../shared/domain/versions';

const run = promisify(execFile);

declare module 'vitest' {
  export interface ProvidedContext {
    /** The buildx version the engine project runs (`docker buildx version` with the project's DOCKER_CONFIG). */
    buildxVersion: string;
  }
}

/**
 * Global setup of the engine projects: says in the test output which buildx each one runs, provides it to the tests
 * (`inject('buildxVersion')`), and fails the project when it is not the buildx it is named after (e.g. the stack's
 * second buildx is missing), so a run never passes against the wrong version.
 */
export default async function setup(project: TestProject): Promise<void> {
  const env = { ...process.env, ...project.config.env };
  const where = env.DOCKER_CONFIG ? `plugin of DOCKER_CONFIG=${env.DOCKER_CONFIG}` : 'installed plugin';
  let output: string;
  try {
    output = (await run('docker', ['buildx', 'version'], { env, timeout: 20_000 })).stdout;
  } catch (error) {
    throw new Error(`[${project.name}] \`docker buildx version\` failed with the ${where}: ${(error as Error).message.trim()}. Run: sudo scripts/stack/setup.sh`);
  }
  const version = parseBuildxVersion(output);
  const expected = env.MAS_TEST_BUILDX_EXPECTED;
  if (!version || (expected && !version.startsWith(expected))) {
    throw new Error(`[${project.name}] expected buildx ${expected ?? '(any)'}, the ${where} is ${output.trim() || 'unreadable'}. Run: sudo scripts/stack/setup.sh`);
  }
  console.info(`[${project.name}] buildx ${version} (${where})`);
  project.provide('buildxVersion', version);
}
