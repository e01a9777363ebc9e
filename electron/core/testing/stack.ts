import { execFileSync } from 'node:child_process';
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
  buildctl: string;
  rootfsDir: string;
  platforms: string[];
  /** Debian bookworm minbase (apt works inside: its sources name the machine's Debian mirror). */
  debianImage: string;
  /** Debian bookworm with golang-go (cross-compiles with GOOS/GOARCH; CGO_ENABLED=0). */
  golangImage: string;
  /** The platforms of the two Debian images. */
  debianPlatforms: string[];
  /** The default buildx (`docker buildx version`), and the older one kept in its own DOCKER_CONFIG. */
  buildxVersion: string;
  buildxLegacyVersion: string;
  buildxLegacyConfig: string;
  /** Extra buildkitd processes (scripts/stack/buildkit-nodes.sh), each configured with its own platforms first. */
  buildkitNodes: BuildkitNode[];
  /** `buildkit-nodes.sh start|stop|restart|status [NODE...]`, to stop a node mid-build and bring it back. */
  buildkitNodesCtl: string;
  stackDir: string;
}

export interface BuildkitNode {
  name: string;
  /** e.g. unix:///run/multiarch-studio-stack/buildkit/node-1.sock */
  address: string;
  /** The node's designated platforms (its worker lists them first; it can still emulate others). */
  platforms: string[];
}

export const STACK_DIR = process.env.STACK_DIR ?? '/var/lib/multiarch-studio-stack';

const list = (value: string) => value.split(',').filter(Boolean);

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
    buildctl: get('MAS_TEST_BUILDCTL'),
    rootfsDir: get('MAS_TEST_ROOTFS_DIR'),
    platforms: list(get('MAS_TEST_PLATFORMS')),
    debianImage: get('MAS_TEST_DEBIAN_IMAGE'),
    golangImage: get('MAS_TEST_GOLANG_IMAGE'),
    debianPlatforms: list(get('MAS_TEST_DEBIAN_PLATFORMS')),
    buildxVersion: get('MAS_TEST_BUILDX_VERSION'),
    buildxLegacyVersion: get('MAS_TEST_BUILDX_LEGACY_VERSION'),
    buildxLegacyConfig: get('MAS_TEST_BUILDX_LEGACY_CONFIG'),
    buildkitNodes: list(get('MAS_TEST_BUILDKIT_NODES')).map((name, i) => ({
      name,
      address: get(`MAS_TEST_BUILDKIT_NODE_${i + 1}_ADDR`),
      platforms: list(get(`MAS_TEST_BUILDKIT_NODE_${i + 1}_PLATFORMS`)),
    })),
    buildkitNodesCtl: get('MAS_TEST_BUILDKIT_NODES_CTL'),
    stackDir: STACK_DIR,
  };
}

/**
 * The engine host's platform as the test sees it, apart from the app's architecture table: the
 * machine `docker info` reports (the kernel's `uname -m`) under the name Docker gives it. A host this
 * list does not name fails the test with its machine, rather than passing whatever the app says.
 */
const DOCKER_ARCH_OF_MACHINE: Readonly<Record<string, string>> = {
  x86_64: 'amd64',
  aarch64: 'arm64',
  armv7l: 'arm/v7',
  armv6l: 'arm/v6',
  i686: '386',
  i386: '386',
  riscv64: 'riscv64',
  ppc64le: 'ppc64le',
  s390x: 's390x',
  loongarch64: 'loong64',
};

export function enginePlatform(dockerHost: string): string {
  const out = execFileSync('docker', ['info', '--format', '{{.OSType}} {{.Architecture}}'], { env: { ...process.env, DOCKER_HOST: dockerHost } }).toString().trim();
  const [os = '', machine = ''] = out.split(' ');
  const arch = DOCKER_ARCH_OF_MACHINE[machine];
  if (!arch) throw new Error(`The test does not know Docker's name for the engine's machine "${machine}": add it to DOCKER_ARCH_OF_MACHINE.`);
  return `${os}/${arch}`;
}
