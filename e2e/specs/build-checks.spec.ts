import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '../fixtures';
import { DockerfileAdvicePanel } from '../pages/dockerfile-advice-page';
import { EnginePage } from '../pages/engine-page';

// The stack's default buildx (0.29.1): BuildKit's build checks beside the advice, and the Engine page's feature list.
let root = '';
test.beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), `mas-test-${randomBytes(4).toString('hex')}-e2e-checks-`));
});
test.afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

test('a constant FROM --platform is one item naming the app’s rule and BuildKit’s check, linked to its documentation', async ({ page, studio }) => {
  const context = join(root, 'const-platform');
  mkdirSync(context, { recursive: true });
  const base = studio.stack.baseImage;
  writeFileSync(join(context, 'Dockerfile'), `FROM --platform=linux/amd64 ${base} AS tools\nRUN echo tools > /t\nFROM ${base}\nCOPY --from=tools /t /t\nCMD echo done\n`);

  const advice = new DockerfileAdvicePanel(page);
  await advice.showFor(studio.url, context);
  await expect(advice.checks).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(advice.checks).toContainText('builder default');

  // One item for line 1: the app's rule and BuildKit's check, not two.
  await expect(advice.root.locator('[data-testid="dockerfile-finding"][data-line="1"]')).toHaveCount(1);
  const merged = advice.finding('constant-from-platform', 1);
  await expect(merged).toHaveAttribute('data-source', 'app buildkit');
  const link = merged.getByTestId('dockerfile-buildkit-check-link');
  await expect(link).toHaveText('FromPlatformFlagConstDisallowed');
  await expect(link).toHaveAttribute('href', 'https://docs.docker.com/go/dockerfile/rule/from-platform-flag-const-disallowed/');
  await expect(merged.getByTestId('dockerfile-finding-buildkit')).toContainText('FROM --platform flag should not use constant value "linux/amd64"');

  // What only BuildKit reports stands alone, with its line and rule, counted in the badge.
  const shellForm = advice.buildkitOnly('JSONArgsRecommended', 5);
  await expect(shellForm).toBeVisible();
  await expect(shellForm).toContainText('CMD echo done');
  await expect(shellForm).toContainText('# check=skip=JSONArgsRecommended');
  await expect(advice.checks).toContainText('2 results, 1 the same as the app’s findings');
  await advice.root.screenshot({ path: test.info().outputPath('build-checks.png') });
});

test('the Engine page lists the buildx features and which this buildx has', async ({ page, studio }) => {
  const engine = new EnginePage(page);
  await page.goto(studio.url);
  await engine.open();
  await expect(engine.root).toHaveAttribute('data-state', 'connected');
  const checks = engine.buildxFeature('build-checks');
  await expect(checks).toHaveAttribute('data-available', 'true');
  await expect(checks).toContainText("BuildKit's build checks");
  await expect(checks).toContainText('docker buildx build --call=check');
  for (const feature of ['ls-json', 'history', 'history-import', 'history-export', 'bake-print-escaped']) {
    await expect(engine.buildxFeature(feature)).toHaveAttribute('data-available', 'true');
  }
  await expect(page.getByTestId('engine-buildx-features')).toHaveAttribute('data-missing', '0');
  await page.getByTestId('engine-buildx-features').screenshot({ path: test.info().outputPath('engine-buildx-features.png') });
});
