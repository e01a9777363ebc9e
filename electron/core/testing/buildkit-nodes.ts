import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { STACK_DIR } from './stack';

const run = promisify(execFile);

export interface StackNode {
  name: string;
  address: string;
}

/** stack.env as KEY → VALUE. */
async function stackVars(): Promise<Map<string, string>> {
  const text = await readFile(join(STACK_DIR, 'stack.env'), 'utf8');
  return new Map([...text.matchAll(/^([A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
}

/**
 * The stack's extra buildkitd nodes (scripts/stack/buildkit-nodes.sh): node-1 amd64+386, node-2
 * arm64+arm/v7, node-3 riscv64+ppc64le+s390x; from stack.env, or where that script puts them when
 * this stack.env predates them. Each must answer, else this fails saying how to start them.
 */
export async function buildkitNodes(): Promise<{ nodes: StackNode[]; buildctl: string }> {
  const vars = await stackVars();
  const buildctl = vars.get('MAS_TEST_BUILDCTL') ?? 'buildctl';
  const names = (vars.get('MAS_TEST_BUILDKIT_NODES') ?? 'node-1,node-2,node-3').split(',').filter(Boolean);
  const nodes = names.map((name, i) => ({ name, address: vars.get(`MAS_TEST_BUILDKIT_NODE_${i + 1}_ADDR`) ?? `unix:///run/multiarch-studio-stack/buildkit/${name}.sock` }));
  for (const n of nodes) {
    await run(buildctl, ['--addr', n.address, 'debug', 'workers'], { timeout: 20_000 }).catch((error: unknown) => {
      throw new Error(`BuildKit node ${n.name} does not answer on ${n.address} (${(error as Error).message.split('\n')[0]}). Run: scripts/stack/buildkit-nodes.sh start`);
    });
  }
  return { nodes, buildctl };
}

/** A remote builder over node-1 (node `amd`, pinned amd64+386) and node-2 (node `arm`, pinned arm64+arm/v7). */
export async function createPinnedBuilder(name: string, nodes: readonly StackNode[], env: NodeJS.ProcessEnv): Promise<void> {
  await run('docker', ['buildx', 'create', '--name', name, '--node', 'amd', '--driver', 'remote', '--platform', 'linux/amd64,linux/386', nodes[0]!.address], { env });
  await run('docker', ['buildx', 'create', '--append', '--name', name, '--node', 'arm', '--platform', 'linux/arm64,linux/arm/v7', nodes[1]!.address], { env });
  await run('docker', ['buildx', 'inspect', '--bootstrap', name], { env });
}

/**
 * The platforms a node itself recorded building for one build (`buildctl debug histories`), found
 * by the build argument RUN_ID that only that build passes.
 */
export async function nodeBuilt(buildctl: string, address: string, runId: string): Promise<string[]> {
  const { stdout } = await run(buildctl, ['--addr', address, 'debug', 'histories', '--format', '{{json .}}'], { timeout: 30_000, maxBuffer: 64 * 1024 * 1024 });
  return stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const attrs = (JSON.parse(l) as { record?: { FrontendAttrs?: Record<string, string> } }).record?.FrontendAttrs ?? {};
      return attrs['build-arg:RUN_ID'] === runId ? (attrs.platform ?? '?') : undefined;
    })
    .filter((p): p is string => p !== undefined);
}
