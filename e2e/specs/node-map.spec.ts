import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { machine } from 'node:os';
import { buildkitNodes, createPinnedBuilder } from '../../electron/core/testing/buildkit-nodes';
import type { BuildkitNode } from '../../electron/core/testing/stack';
import { expect, test } from '../fixtures';
import { BuildersPage } from '../pages/builders-page';

const builder = `mas-e2e-map-${randomBytes(4).toString('hex')}`;
let nodes: BuildkitNode[] = [];

/** What this machine's CPU runs natively, by `uname -m`. */
const HOST_NATIVE: Record<string, string[]> = {
  x86_64: ['linux/amd64', 'linux/386'],
  aarch64: ['linux/arm64', 'linux/arm/v7', 'linux/arm/v6'],
};
/** The binfmt_misc entry (QEMU's name) that runs a platform's programs. */
const QEMU: Record<string, string> = {
  'linux/amd64': 'x86_64',
  'linux/386': 'i386',
  'linux/arm64': 'aarch64',
  'linux/arm/v7': 'arm',
  'linux/arm/v6': 'arm',
  'linux/riscv64': 'riscv64',
  'linux/ppc64le': 'ppc64le',
  'linux/s390x': 's390x',
};

/**
 * How the stack's nodes (all on this machine, sharing its kernel) run a platform: natively when
 * the CPU does, emulated when QEMU is registered for it in binfmt_misc, else not at all. Read from
 * the machine itself, not from the app.
 */
function stackSupport(platform: string): 'native' | 'emulated' | 'unavailable' {
  if (HOST_NATIVE[machine()]?.includes(platform)) return 'native';
  const entry = `/proc/sys/fs/binfmt_misc/qemu-${QEMU[platform] ?? '?'}`;
  return existsSync(entry) && readFileSync(entry, 'utf8').startsWith('enabled') ? 'emulated' : 'unavailable';
}

test.beforeAll(async ({ studio }) => {
  ({ nodes } = await buildkitNodes());
  // Every stack node, named as the stack names it, pinned on the platforms the stack designates it for.
  await createPinnedBuilder(builder, nodes, { ...process.env, DOCKER_HOST: studio.stack.dockerHost }, nodes.map((n) => n.name));
});

test.afterAll(async ({ studio }) => {
  try {
    execFileSync('docker', ['buildx', 'rm', builder], { env: { ...process.env, DOCKER_HOST: studio.stack.dockerHost }, stdio: 'ignore' });
  } catch {
    // already gone
  }
});

test('the node × platform map of a builder over the three stack nodes: each platform on the node the stack designates, each cell as the machine runs it', async ({ page, studio }) => {
  const designated = nodes.flatMap((n) => n.platforms.map((platform) => ({ platform, node: n.name })));
  await page.goto(studio.url);
  const builders = new BuildersPage(page);
  await builders.open();
  await expect(builders.root).toHaveAttribute('data-state', 'ready');
  await expect(builders.builder(builder)).toHaveAttribute('data-status', 'running');

  // The map's platforms: exactly the designated ones (a build of them all is routed by the pins alone).
  // Until a box is touched the map follows the Build page's ticks, which change once that page's facts
  // arrive (the app may have opened on it): a click can meet such a change, so tick until all boxes hold.
  const boxes = page.getByTestId('node-map-platforms').locator('input[type="checkbox"]');
  await expect(async () => {
    for (const box of await boxes.all()) {
      const platform = (await box.getAttribute('data-testid'))!.replace('node-map-platform-', '');
      await box.setChecked(designated.some((d) => d.platform === platform), { timeout: 2_000 });
    }
  }).toPass({ timeout: 20_000 });

  const map = page.getByTestId(`node-map-${builder}`);
  await expect(page.getByTestId(`node-map-toggle-${builder}`)).toHaveAttribute('open', '');
  await expect(map.locator('[data-testid^="node-map-row-"]')).toHaveCount(designated.length);
  for (const { platform, node } of designated) {
    const row = map.getByTestId(`node-map-row-${platform}`);
    await expect(row, `${platform} goes to ${node}`).toHaveAttribute('data-routed', node);
    for (const n of nodes) {
      const cell = row.getByTestId(`node-map-cell-${platform}-${n.name}`);
      await expect(cell, `${n.name} × ${platform}`).toHaveAttribute('data-support', stackSupport(platform));
      await expect(cell, `${n.name} × ${platform} routed`).toHaveAttribute('data-routed', String(n.name === node));
    }
  }
  // Every node runs each platform alike here, so the designated node is as good as any: nothing to fix.
  await expect(map).toHaveAttribute('data-misroutes', '0');
  await expect(map.getByTestId('node-map-advice')).toHaveCount(0);
  await expect(map.getByTestId('node-map-why')).toContainText('every platform is pinned on a node');
  await map.screenshot({ path: test.info().outputPath('node-map.png') });
});
