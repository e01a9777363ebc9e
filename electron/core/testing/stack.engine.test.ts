import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseInspect } from '../../../shared/domain/buildx/inspect-text';
import { scratchDockerConfig } from './docker-config';
import { stackEnv } from './stack';

// The parts of the test stack that later features build on (issue 14: Debian images that compile and run per
// platform; issue 16: extra BuildKit nodes), checked with the real tools, outside the app.
const run = promisify(execFile);
const stack = stackEnv();
const suffix = randomBytes(3).toString('hex');

interface Worker {
  platforms: { os: string; architecture: string; variant?: string }[];
}
const platformName = (p: Worker['platforms'][number]) => [p.os, p.architecture, p.variant].filter(Boolean).join('/');

async function workers(address: string): Promise<Worker[]> {
  const { stdout } = await run(stack.buildctl, ['--addr', address, 'debug', 'workers', '--format', '{{json .}}'], { timeout: 30_000 });
  return JSON.parse(stdout) as Worker[];
}

async function histories(address: string): Promise<number> {
  const { stdout } = await run(stack.buildctl, ['--addr', address, 'debug', 'histories'], { timeout: 30_000 });
  return stdout.trim().split('\n').length - 1; // minus the header
}

describe(`the test stack (buildx ${inject('buildxVersion')})`, () => {
  let dockerConfig: string;
  let work: string;
  let env: NodeJS.ProcessEnv;
  const builder = `mas-test-nodes-${suffix}`;

  beforeAll(async () => {
    dockerConfig = await scratchDockerConfig();
    work = await mkdtemp(join(tmpdir(), 'mas-test-stack-'));
    env = { ...process.env, DOCKER_HOST: stack.dockerHost, DOCKER_CONFIG: dockerConfig };
  });
  afterAll(async () => {
    await run('docker', ['buildx', 'rm', builder], { env }).catch(() => undefined);
    await run(stack.buildkitNodesCtl, ['start']);
    await rm(dockerConfig, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });

  it('runs the extra BuildKit nodes, each listing its designated platforms first', async () => {
    expect(stack.buildkitNodes.length).toBeGreaterThanOrEqual(2);
    for (const node of stack.buildkitNodes) {
      const [worker] = await workers(node.address);
      const listed = worker!.platforms.map(platformName);
      expect(listed.slice(0, node.platforms.length), node.name).toEqual(node.platforms);
    }
  });

  it('groups the nodes into one buildx builder with a node per platform, and each node builds its own', async () => {
    const [first, ...rest] = stack.buildkitNodes;
    await run('docker', ['buildx', 'create', '--name', builder, '--driver', 'remote', '--platform', first!.platforms.join(','), first!.address], { env });
    for (const node of rest) {
      await run('docker', ['buildx', 'create', '--append', '--name', builder, '--platform', node.platforms.join(','), node.address], { env });
    }
    const { stdout } = await run('docker', ['buildx', 'inspect', '--bootstrap', builder], { env, timeout: 60_000 });
    const inspected = parseInspect(stdout)!;
    expect(inspected.nodes.map((n) => n.preferredPlatforms)).toEqual(stack.buildkitNodes.map((n) => n.platforms));

    // One platform per node: buildx routes each to the node configured for it, so each node records one build.
    const before = await Promise.all(stack.buildkitNodes.map((n) => histories(n.address)));
    const ctx = join(work, 'nodes');
    await mkdir(ctx);
    await writeFile(join(ctx, 'Dockerfile'), `FROM ${stack.baseImage}\nRUN uname -m > /m-${suffix}\n`);
    const platforms = stack.buildkitNodes.map((n) => n.platforms[0]!);
    await run('docker', ['buildx', 'build', '--builder', builder, '--platform', platforms.join(','), '--output', 'type=cacheonly', ctx], { env, timeout: 300_000 });
    const after = await Promise.all(stack.buildkitNodes.map((n) => histories(n.address)));
    expect(after.map((n, i) => n - before[i]!)).toEqual(stack.buildkitNodes.map(() => 1));
  });

  it('stops one node and starts it again (what a test of a node dying mid-build needs)', async () => {
    const node = stack.buildkitNodes[1]!;
    await run(stack.buildkitNodesCtl, ['stop', node.name]);
    await expect(workers(node.address)).rejects.toThrow();
    await run(stack.buildkitNodesCtl, ['start', node.name]);
    expect((await workers(node.address))[0]!.platforms.map(platformName).slice(0, node.platforms.length)).toEqual(node.platforms);
  });

  it('cross-compiles Go in the golang image and runs the program on the Debian image of each platform; apt reaches the mirror', async () => {
    const ctx = join(work, 'go');
    await mkdir(ctx);
    await writeFile(
      join(ctx, 'Dockerfile'),
      [
        `FROM --platform=$BUILDPLATFORM ${stack.golangImage} AS build`,
        'ARG TARGETARCH',
        `RUN printf 'package main\\nimport ("fmt"; "runtime")\\nfunc main() { fmt.Println(runtime.GOARCH) }\\n' > /m.go && GOARCH=$TARGETARCH go build -o /m /m.go`,
        `FROM --platform=$BUILDPLATFORM ${stack.debianImage} AS mirror`,
        'RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends hello >/dev/null && hello > /greeting',
        `FROM ${stack.debianImage}`,
        'COPY --from=build /m /m',
        'COPY --from=mirror /greeting /greeting',
        'CMD ["sh", "-c", "/m; uname -m; cat /greeting"]',
        '',
      ].join('\n'),
    );
    const image = `mas-test/stack-go-${suffix}:1`;
    try {
      await run('docker', ['buildx', 'build', '--builder', 'default', '--platform', stack.debianPlatforms.join(','), '-t', image, '--load', ctx], { env, timeout: 300_000 });
      for (const platform of stack.debianPlatforms) {
        const { stdout } = await run('docker', ['run', '--rm', '--network', 'none', '--platform', platform, image], { env });
        const arch = platform.split('/')[1]!;
        expect(stdout.trim().split('\n')).toEqual([arch, arch === 'amd64' ? 'x86_64' : 'aarch64', 'Hello, world!']);
      }
    } finally {
      await run('docker', ['image', 'rm', '--force', image], { env }).catch(() => undefined);
    }
  });
});
