import { readFileSync } from 'node:fs';

/**
 * Facts about the real Docker test stack written by `scripts/stack/setup.sh`. Tests that need
 * the engine call this; without the stack they FAIL with what to run, never skip.
 */
export interface StackEnv {
  dockerHost: string;
  registry: string;
  /** A registry name only the proxy tests' own proxy resolves (to `registry`); insecure in the engine. */
  proxiedRegistry: string;
  baseImage: string;
  binfmtImage: string;
  buildkitImage: string;
  buildkitd: string;
  rootfsDir: string;
  platforms: string[];
  stackDir: string;
}

export const STACK_DIR = process.env.STACK_DIR ?? '/var/lib/multiarch-studio-stack';

export function stackEnv(): StackEnv {
  const file = `${STACK_DIR}/stack.env`;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`The real Docker test stack is not set up (${file} missing). Run: sudo scripts/stack/setup.sh`);
  }
  const vars = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) vars.set(m[1]!, m[2]!.replace(/^["']|["']$/g, ''));
  }
  const get = (key: string) => {
    const value = vars.get(key);
    if (!value) throw new Error(`${file} has no ${key}; re-run scripts/stack/setup.sh`);
    return value;
  };
  return {
    dockerHost: get('DOCKER_HOST'),
    registry: get('MAS_TEST_REGISTRY'),
    proxiedRegistry: get('MAS_TEST_PROXIED_REGISTRY'),
    baseImage: get('MAS_TEST_BASE_IMAGE'),
    binfmtImage: get('MAS_TEST_BINFMT_IMAGE'),
    buildkitImage: get('MAS_TEST_BUILDKIT_IMAGE'),
    buildkitd: get('MAS_TEST_BUILDKITD'),
    rootfsDir: get('MAS_TEST_ROOTFS_DIR'),
    platforms: get('MAS_TEST_PLATFORMS').split(',').filter(Boolean),
    stackDir: STACK_DIR,
  };
}
