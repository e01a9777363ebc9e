import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildkitNodes, createPinnedBuilder, nodeBuilt } from '../../electron/core/testing/buildkit-nodes';
import type { BuildkitNode } from '../../electron/core/testing/stack';
import { defaultCacheRef } from '../../shared/domain/distributed/plan';
import { deleteRegistryManifest, deleteRegistryTags, registryManifest } from '../../electron/core/testing/test-images';
import { expect, test } from '../fixtures';
import { BuildPage } from '../pages/build-page';
import { ResultsPage } from '../pages/results-page';

const suffix = randomBytes(4).toString('hex');
const repo = `mas-test-${suffix}/dist`;
const builder = `mas-e2e-dist-${suffix}`;
let context = '';
let nodes: BuildkitNode[] = [];
let buildctl = '';

/** The registry's digest of the merged tag, or undefined while it has none. */
const mergedDigest = (registry: string): Promise<string | undefined> => registryManifest(`${registry}/${repo}:1`).then((m) => m.digest, () => undefined);

test.beforeAll(async ({ studio }) => {
  context = mkdtempSync(join(tmpdir(), 'mas-e2e-dist-'));
  ({ nodes, buildctl } = await buildkitNodes());
  await createPinnedBuilder(builder, nodes, { ...process.env, DOCKER_HOST: studio.stack.dockerHost });
});

test.afterAll(async ({ studio }) => {
  const env = { ...process.env, DOCKER_HOST: studio.stack.dockerHost };
  const digest = await mergedDigest(studio.stack.registry);
  if (digest) await deleteRegistryManifest(`${studio.stack.registry}/${repo}`, digest);
  // The registry cache each platform exported beside its image.
  await deleteRegistryTags(['linux/amd64', 'linux/arm64'].map((p) => defaultCacheRef(`${studio.stack.registry}/${repo}`, p)));
  try {
    execFileSync('docker', ['buildx', 'rm', builder], { env, stdio: 'ignore' });
  } catch {
    // already gone
  }
  rmSync(context, { recursive: true, force: true });
});

test('distribute two platforms over two nodes: choose the nodes, see per-node lanes, retry the failed one, merge, check the result', async ({ page, studio }) => {
  const runId = `e2e-${suffix}`;
  // arm64 refuses to build until the flag says ok: a real failure, fixed before the retry.
  writeFileSync(join(context, 'Dockerfile'), `FROM ${studio.stack.baseImage}\nARG RUN_ID\nCOPY flag /flag\nRUN [ "$(uname -m)" != aarch64 ] || grep -qx ok /flag || { echo "arm64 refused: flag is $(cat /flag)" >&2; exit 3; }\n`);
  writeFileSync(join(context, 'flag'), 'no\n');
  const tag = `${studio.stack.registry}/${repo}:1`;
  const build = new BuildPage(page);
  await build.openWithContext(studio.url, context);
  await build.tag(0).fill(tag);
  await build.platform('linux/arm64').check();
  await build.output('push').check();
  await page.getByText('Build arguments, attestations, cache').click();
  await page.getByRole('button', { name: 'Add a build argument' }).click();
  await page.getByLabel('Argument name').fill('RUN_ID');
  await page.getByLabel('Argument value').fill(runId);

  // Distribute: each platform gets a default target at once; choose the pinned nodes of the test builder.
  await page.getByTestId('build-distribute').check();
  const panel = page.getByTestId('distribute-panel');
  await expect(panel).toBeVisible();
  await expect(page.getByTestId('distribute-lane-linux/amd64')).not.toHaveAttribute('data-target', '');
  await expect(page.getByTestId('distribute-lane-linux/arm64')).not.toHaveAttribute('data-target', '');
  await page.getByTestId('distribute-target-linux/amd64').selectOption(`${builder}/amd`);
  await page.getByTestId('distribute-target-linux/arm64').selectOption(`${builder}/arm`);
  await expect(page.getByTestId('distribute-lane-linux/amd64')).toHaveAttribute('data-support', 'native');
  // The equivalent commands: a single-node builder per node, one build per platform by digest, the merge.
  const commands = page.getByTestId('distribute-commands');
  await expect(commands).toContainText(`docker buildx create --name multiarch-node-preview0-linux-arm64 --driver remote ${nodes[1]!.address}`);
  await expect(commands).toContainText('push-by-digest=true,name-canonical=true,push=true');
  await expect(commands).toContainText(`docker buildx imagetools create -t ${tag}`);
  await expect(build.startButton()).toHaveText('Build 2 platforms on 2 nodes');
  await build.startButton().click();

  // Lanes show the node that built each platform; arm64 fails, amd64 does not stop.
  const run = page.getByTestId('distributed-run');
  await expect(build.status()).toHaveAttribute('data-state', 'failed', { timeout: 120_000 });
  await expect(page.getByTestId('distributed-lane-linux/amd64')).toHaveAttribute('data-state', 'succeeded');
  await expect(page.getByTestId('distributed-lane-linux/amd64')).toHaveAttribute('data-node', 'amd');
  await expect(page.getByTestId('distributed-lane-linux/arm64')).toHaveAttribute('data-state', 'failed');
  await expect(page.getByTestId('distributed-lane-linux/arm64')).toHaveAttribute('data-node', 'arm');
  await expect(build.lane('linux/amd64').getByTestId('lane-node')).toHaveAttribute('data-node', 'amd');
  await expect(build.lane('linux/arm64').getByTestId('lane-node')).toHaveAttribute('data-node', 'arm');
  await expect(run).toHaveAttribute('data-merge', 'waiting');
  expect(await mergedDigest(studio.stack.registry)).toBeUndefined();

  // Merging without arm64 asks first; the user keeps waiting instead.
  await page.getByTestId('distributed-merge-without').click();
  await expect(page.getByTestId('distributed-merge-confirm')).toHaveText('Merge without linux/arm64');
  await page.getByRole('button', { name: 'Keep waiting' }).click();
  await expect(page.getByTestId('distributed-merge-confirm')).toHaveCount(0);

  // Fix the cause and retry arm64 alone: then the merge runs and checks the index.
  writeFileSync(join(context, 'flag'), 'ok\n');
  await page.getByTestId('distributed-retry-linux/arm64').click();
  await expect(build.status()).toHaveAttribute('data-state', 'succeeded', { timeout: 120_000 });
  await expect(page.getByTestId('distributed-lane-linux/arm64')).toHaveAttribute('data-state', 'succeeded');
  await expect(page.getByTestId('distributed-lane-linux/arm64')).toContainText('attempt 2');
  await expect(run).toHaveAttribute('data-merge', 'succeeded');
  await expect(run).toHaveAttribute('data-verified', 'true');
  // Exactly the two merged platforms, in whatever order the index lists them.
  const verified = await page.getByTestId('distributed-verification').getAttribute('data-platforms');
  expect(verified?.split(',').sort()).toEqual(['linux/amd64', 'linux/arm64']);
  const index = await mergedDigest(studio.stack.registry);
  await expect(page.getByTestId('distributed-index-digest')).toHaveText(index!);
  await run.screenshot({ path: test.info().outputPath('distributed-run.png') });

  // Each node built its own platform (its own build history), and only that.
  expect(await nodeBuilt(buildctl, nodes[0]!.address, runId)).toEqual(['linux/amd64']);
  expect((await nodeBuilt(buildctl, nodes[1]!.address, runId)).every((p) => p === 'linux/arm64')).toBe(true);

  // The merged result in Results: both platforms present, with the registry's digest.
  const id = await build.run.getAttribute('data-build-id');
  await page.getByTestId('open-results').click();
  const results = new ResultsPage(page);
  await expect(results.root).toHaveAttribute('data-state', 'loaded', { timeout: 60_000 });
  await expect(results.row('linux/amd64')).toHaveAttribute('data-state', 'present');
  await expect(results.row('linux/arm64')).toHaveAttribute('data-state', 'present');

  // History keeps it as one build over nodes, each platform's node in its badge.
  await page.getByTestId('nav-history').click();
  await expect(page.getByTestId(`history-row-${id}`)).toHaveAttribute('data-state', 'succeeded');
  await expect(page.getByTestId(`history-distributed-${id}`)).toHaveText('over nodes');
  await expect(page.getByTestId(`history-row-${id}`).getByTitle(/built on node arm of .*, 2 attempts/)).toHaveText('arm64');
});
