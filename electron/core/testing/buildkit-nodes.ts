import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { stackEnv, type BuildkitNode } from './stack';

const run = promisify(execFile);

/**
 * The stack's extra buildkitd nodes (scripts/stack/buildkit-nodes.sh: node-1 amd64+386, node-2
 * arm64+arm/v7, node-3 riscv64+ppc64le+s390x) and buildctl. Each node must answer, else this fails
 * saying how to start them.
 */
export async function buildkitNodes(): Promise<{ nodes: BuildkitNode[]; buildctl: string }> {
  const stack = stackEnv();
  for (const n of stack.buildkitNodes) {
    await run(stack.buildctl, ['--addr', n.address, 'debug', 'workers'], { timeout: 20_000 }).catch((error: unknown) => {
      throw new Error(`BuildKit node ${n.name} does not answer on ${n.address} (${(error as Error).message.split('\n')[0]}). Run: ${stack.buildkitNodesCtl} start ${n.name}`);
    });
  }
  return { nodes: stack.buildkitNodes, buildctl: stack.buildctl };
}

/**
 * A remote builder over the first stack nodes, each node pinned (`--platform`) on its designated
 * platforms, so buildx routes every designated platform to its node. `names` names the builder's
 * nodes in order: by default node-1 is `amd` (amd64+386) and node-2 `arm` (arm64+arm/v7).
 */
export async function createPinnedBuilder(name: string, nodes: readonly BuildkitNode[], env: NodeJS.ProcessEnv, names: readonly string[] = ['amd', 'arm']): Promise<void> {
  for (const [i, nodeName] of names.entries()) {
    const node = nodes[i]!;
    await run('docker', ['buildx', 'create', ...(i === 0 ? ['--driver', 'remote'] : ['--append']), '--name', name, '--node', nodeName, '--platform', node.platforms.join(','), node.address], { env });
  }
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
    .flatMap((l) => {
      const attrs = (JSON.parse(l) as { record?: { FrontendAttrs?: Record<string, string> } }).record?.FrontendAttrs ?? {};
      // One solve per node: the platforms buildx sent that node, comma-separated.
      return attrs['build-arg:RUN_ID'] === runId ? (attrs.platform ?? '?').split(',') : [];
    });
}
