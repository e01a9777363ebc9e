import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, readmeScreenshot, test } from '../fixtures';
import { EmulatorsPage } from '../pages/emulators-page';

/** Re-registers the emulators the stack expects (other engineers build on this machine). */
const restoreHost = () => execFileSync(resolve('scripts/stack/restore-binfmt.sh'), ['--quiet'], { stdio: 'pipe' });

/** Removes an emulator behind the app's back, as a reboot of the Docker host would. */
function removeBehindTheBack(dockerHost: string, image: string, entry: string) {
  execFileSync('docker', ['run', '--rm', '--privileged', '--network', 'none', image, '--uninstall', entry], { env: { ...process.env, DOCKER_HOST: dockerHost }, stdio: 'pipe' });
}

test.afterEach(() => {
  restoreHost();
});
test.afterAll(() => {
  restoreHost();
});

test('tick riscv64, Install, confirm: the row turns emulated and Test shows riscv64; consent is asked once', async ({ page, freshStudio: studio }) => {
  // An app of its own: no test before this one can have given consent already.
  removeBehindTheBack(studio.stack.dockerHost, studio.stack.binfmtImage, 'qemu-riscv64');
  await page.goto(studio.url);
  const emulators = new EmulatorsPage(page);
  await emulators.open();
  await expect(emulators.row('riscv64')).toHaveAttribute('data-state', 'unavailable');
  await expect(emulators.row('amd64')).toHaveAttribute('data-state', 'native');

  await emulators.select('riscv64').check();
  await emulators.install();
  // Asked the first time, with exactly what will run and why it is privileged.
  await expect(emulators.consent).toBeVisible();
  await expect(page.getByTestId('emulators-consent-command')).toHaveText(
    `docker run --rm --privileged --network none ${studio.stack.binfmtImage} --install riscv64`,
  );
  await expect(page.getByTestId('emulators-consent-why')).toContainText('binfmt_misc');
  await page.getByTestId('emulators-consent-confirm').click();

  await expect(emulators.operation).toHaveAttribute('data-state', 'done');
  await expect(emulators.outcome('riscv64')).toHaveAttribute('data-outcome', 'ok');
  await expect(emulators.row('riscv64')).toHaveAttribute('data-state', 'emulated');
  await expect(emulators.row('riscv64')).toHaveAttribute('data-flags', /F/);
  await expect(page.getByTestId('emulators-log')).toContainText('installing: riscv64 OK');
  await expect(emulators.buildersNotice).toBeVisible();

  // A test result appears in its own column without shifting the others.
  const columnEdges = () => page.locator('[data-testid="emulators-table"] thead th').evaluateAll((ths) => ths.map((th) => Math.round(th.getBoundingClientRect().left)));
  const before = await columnEdges();
  await emulators.test('riscv64');
  await expect(emulators.testResult('riscv64')).toHaveAttribute('data-state', 'ok');
  await expect(emulators.testMachine('riscv64')).toHaveText('riscv64');
  expect(await columnEdges()).toEqual(before);
  await page.locator('main.content').evaluate((el) => el.scrollTo(0, 0));
  await page.screenshot({ path: readmeScreenshot('emulators.png') });

  // Not asked again for the same installer image: the next change runs at once (a dialog would hold it back).
  await emulators.select('riscv64').check();
  await emulators.uninstall();
  await expect(emulators.row('riscv64')).toHaveAttribute('data-state', 'unavailable');
  await expect(page.getByTestId('emulators-log')).toContainText('uninstalling: qemu-riscv64 OK');
  await expect(emulators.consent).toHaveCount(0);

  // The notice hands over to the Builders page.
  await page.getByTestId('emulators-open-builders').click();
  await expect(page.getByTestId('nav-builders')).toHaveAttribute('aria-current', 'page');
});

test('an emulator gone behind the app\'s back shows the restore banner; one click restores it', async ({ page, studio }) => {
  await page.goto(studio.url);
  const emulators = new EmulatorsPage(page);
  await emulators.open();
  // Make sure the app remembers riscv64 (installed through it), whatever ran before.
  await emulators.select('riscv64').check();
  await emulators.install();
  await emulators.confirmIfAsked();
  await expect(emulators.operation).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('emulators-remembered').locator('.fact-value')).toContainText('riscv64');

  removeBehindTheBack(studio.stack.dockerHost, studio.stack.binfmtImage, 'qemu-riscv64');
  await emulators.refresh();
  await expect(emulators.restoreBanner).toBeVisible();
  await expect(emulators.restoreBanner).toHaveAttribute('data-missing', 'riscv64');
  await expect(emulators.row('riscv64')).toHaveAttribute('data-state', 'unavailable');
  // Every other page says so too, and leads back here.
  await page.getByTestId('nav-engine').click();
  await expect(page.getByTestId('restore-banner')).toContainText('riscv64');
  await page.getByTestId('restore-banner').getByRole('button').click();
  await expect(emulators.restoreBanner).toBeVisible();

  await emulators.restore();
  await emulators.confirmIfAsked();
  await expect(emulators.operation).toHaveAttribute('data-state', 'done');
  await expect(emulators.row('riscv64')).toHaveAttribute('data-state', 'emulated');
  await expect(emulators.restoreBanner).toHaveCount(0);
});

test('uninstall arm64: Test shows the exec format error and says why', async ({ page, studio }) => {
  await page.goto(studio.url);
  const emulators = new EmulatorsPage(page);
  await emulators.open();
  await expect(emulators.row('arm64')).toHaveAttribute('data-state', 'emulated');
  await emulators.select('arm64').check();
  await emulators.uninstall();
  await emulators.confirmIfAsked();
  await expect(emulators.operation).toHaveAttribute('data-state', 'done');
  await expect(emulators.row('arm64')).toHaveAttribute('data-state', 'unavailable');

  await emulators.test('arm64');
  await expect(emulators.testResult('arm64')).toHaveAttribute('data-state', 'failed');
  await expect(emulators.testFailure('arm64')).toHaveAttribute('data-kind', 'exec-format');
  await expect(emulators.testFailure('arm64')).toContainText('exec format error');
  await expect(emulators.testResult('arm64')).toContainText('no working emulator');
});
