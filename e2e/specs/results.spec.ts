import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, readmeScreenshot, test } from '../fixtures';
import { ResultsPage } from '../pages/results-page';
import { stackEnv } from '../../electron/core/testing/stack';
import { TEST_PLATFORMS, pushTestImages, registryManifest, type PushedTestImages } from '../../electron/core/testing/test-images';
import { expectedMachines } from '../../shared/domain/platform';

let images: PushedTestImages;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  images = await pushTestImages(stackEnv());
});
test.afterAll(async () => {
  await images?.cleanup();
});

test('type a reference, see one row per platform with the registry digests, smoke-run every platform', async ({ page, studio }) => {
  const index = await registryManifest(images.oci);
  await page.goto(studio.url);
  const results = new ResultsPage(page);
  await results.open();
  await results.inspect(images.oci, `${TEST_PLATFORMS.join(', ')}, linux/s390x`);
  await expect(results.root).toHaveAttribute('data-state', 'loaded');
  await expect(page.getByTestId('results-digest')).toHaveText(index.digest);
  await expect(page.getByTestId('results-kind')).toHaveText('OCI image index');

  // 4 platforms (the 4 attestation manifests are badges, not rows) + the requested-but-missing one in red.
  await expect(results.rows()).toHaveCount(5);
  for (const platform of TEST_PLATFORMS) {
    const entry = index.json.manifests!.find((m) => [m.platform?.os, m.platform?.architecture, m.platform?.variant].filter(Boolean).join('/') === platform);
    await expect(results.row(platform)).toHaveAttribute('data-state', 'present');
    await expect(results.row(platform)).toHaveAttribute('data-digest', entry!.digest);
    await expect(results.row(platform).getByTestId('badge-provenance')).toHaveCount(1);
  }
  await expect(results.row('linux/s390x')).toHaveAttribute('data-state', 'missing');
  await expect(page.getByTestId('results-missing')).toContainText('linux/s390x');

  await results.smokeAll();
  for (const platform of TEST_PLATFORMS) {
    await expect(results.smoke(platform)).toHaveAttribute('data-state', 'match', { timeout: 60_000 });
    await expect(results.smoke(platform).getByTestId('smoke-machine')).toHaveText(expectedMachines(platform)[0]!);
  }
  await page.locator('main.content').evaluate((el) => el.scrollTo(0, 0));
  await page.screenshot({ path: readmeScreenshot('results.png'), fullPage: true });
});

test('a single-platform image shows one row and says so', async ({ page, studio }) => {
  await page.goto(studio.url);
  const results = new ResultsPage(page);
  await results.open();
  await results.inspect(images.single);
  await expect(results.root).toHaveAttribute('data-state', 'loaded');
  await expect(results.rows()).toHaveCount(1);
  await expect(results.row('linux/arm64')).toHaveAttribute('data-digest', (await registryManifest(images.single)).digest);
  await expect(page.getByTestId('results-count')).toContainText('Single-platform image');
});

test('a malformed reference is refused in the page before anything is sent', async ({ page, studio }) => {
  const sent: string[] = [];
  page.on('websocket', (ws) => ws.on('framesent', (frame) => sent.push(String(frame.payload))));
  await page.goto(studio.url);
  const results = new ResultsPage(page);
  await results.open();
  await results.inspect('127.0.0.1:5000/Not_Valid:1');
  await expect(results.reference).toHaveAttribute('data-state', 'invalid');
  await expect(page.getByTestId('results-reference-problem')).toContainText('lower-case');
  await expect(results.root).toHaveAttribute('data-state', 'empty');
  expect(sent.filter((f) => f.includes('images.inspect'))).toEqual([]);

  // An unreachable registry: the request goes out and the page says what failed.
  await results.inspect('127.0.0.1:1/app:1');
  await expect(results.root).toHaveAttribute('data-state', 'error');
  await expect(page.getByRole('alert')).toContainText('Cannot reach the registry 127.0.0.1:1: connection refused');
  expect(sent.filter((f) => f.includes('images.inspect'))).toHaveLength(1);
});

test('with arm64\'s emulator removed, its smoke run shows exec format error and links to the Emulators page', async ({ page, studio }) => {
  await page.goto(studio.url);
  const results = new ResultsPage(page);
  await results.open();
  await results.inspect(images.list);
  await expect(results.root).toHaveAttribute('data-state', 'loaded');
  // A normal run first pulls the platform, so the window without the emulator covers only the run (others build here too).
  await page.getByTestId('smoke-run-linux/arm64').click();
  await expect(results.smoke('linux/arm64')).toHaveAttribute('data-state', 'match');
  try {
    writeFileSync('/proc/sys/fs/binfmt_misc/qemu-aarch64', '-1');
    await page.getByTestId('smoke-run-linux/arm64').click();
    await expect(results.smoke('linux/arm64')).toHaveAttribute('data-state', 'error');
  } finally {
    execFileSync(resolve('scripts/stack/restore-binfmt.sh'), ['--quiet'], { stdio: 'pipe' });
  }
  await expect(results.smoke('linux/arm64').getByTestId('smoke-error')).toContainText('exec /bin/uname: exec format error');
  await page.getByTestId('smoke-emulators-linux/arm64').click();
  await expect(page.getByTestId('nav-emulators')).toHaveAttribute('aria-current', 'page');
});
