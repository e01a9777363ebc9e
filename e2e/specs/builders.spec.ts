import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { expect, readmeScreenshot, test } from '../fixtures';
import { BuildersPage } from '../pages/builders-page';

const name = `mas-test-e2e-${randomBytes(3).toString('hex')}`;

/** buildx's own view, outside the app, through the same engine and buildx store the app uses. */
function buildxNames(dockerHost: string): string[] {
  const out = execFileSync('docker', ['buildx', 'ls', '--format', 'json'], { env: { ...process.env, DOCKER_HOST: dockerHost } }).toString();
  return [...new Set(out.trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { Name: string }).Name))];
}

function containerExists(dockerHost: string, container: string): boolean {
  const out = execFileSync('docker', ['ps', '-a', '--filter', `name=^${container}$`, '--format', '{{.Names}}'], {
    env: { ...process.env, DOCKER_HOST: dockerHost },
  }).toString();
  return out.trim() === container;
}

test.afterAll(async ({ studio }) => {
  // Whatever happened above, leave no builder (nor its container) on the shared engine.
  for (const leftover of [name, `${name}-noimg`]) {
    try {
      execFileSync('docker', ['buildx', 'rm', leftover], { env: { ...process.env, DOCKER_HOST: studio.stack.dockerHost }, stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
});

test('create a builder from the form, see it running in the list, remove it', async ({ page, studio }) => {
  await page.goto(studio.url);
  const builders = new BuildersPage(page);
  await builders.open();
  await expect(builders.root).toHaveAttribute('data-state', 'ready');
  await expect(builders.builder('default')).toHaveAttribute('data-status', 'running');
  await expect(builders.platform('default', 'linux/arm64')).toHaveAttribute('data-support', 'emulated');
  // The docker driver never lists arm/v7; the emulators' status says it builds, under QEMU.
  await expect(builders.platform('default', 'linux/arm/v7')).toHaveAttribute('data-support', 'emulated');
  // The default builder, whichever is current: the docker driver on the stack's engine, which keeps images in
  // containerd (the engine spec pins it) and lists arm64 through QEMU (above), builds several platforms at once.
  await page.getByTestId('builder-select-default').click();
  await expect(page.getByTestId('builders-multiplatform')).toHaveAttribute('data-builder', 'default');
  await expect(page.getByTestId('builders-multiplatform')).toHaveAttribute('data-verdict', 'yes');

  // A bad name is refused in the form, before anything runs.
  await builders.openCreate();
  await page.getByTestId('builder-create-name').fill('bad name;rm');
  await expect(page.getByTestId('builder-create-name-error')).toContainText('letter first');
  await expect(page.getByTestId('builder-create-submit')).toBeDisabled();
  await page.getByTestId('builder-create-name').fill(name);
  await expect(page.getByTestId('builder-create-preview')).toHaveText(
    `docker buildx create --name ${name} --driver docker-container --driver-opt network=host --driver-opt image=${studio.stack.buildkitImage} --bootstrap`,
  );
  await page.getByTestId('builder-create-submit').click();

  await expect(builders.form).toHaveCount(0, { timeout: 60_000 });
  await expect(builders.outcome).toHaveAttribute('data-state', 'ok');
  await expect(builders.outcome.getByTestId('builder-command').first()).toContainText(`docker buildx create --name ${name}`);
  const card = builders.builder(name);
  await expect(card).toHaveAttribute('data-status', 'running');
  await expect(card).toHaveAttribute('data-healthy', 'true');
  await expect(builders.platform(name, 'linux/amd64')).toHaveAttribute('data-support', 'native');
  await expect(builders.platform(name, 'linux/arm/v7')).toHaveAttribute('data-support', 'emulated');
  expect(buildxNames(studio.stack.dockerHost)).toContain(name);
  expect(containerExists(studio.stack.dockerHost, `buildx_buildkit_${name}0`)).toBe(true);
  // Selected from the keyboard: its name is a toggle button.
  await page.getByTestId(`builder-select-${name}`).focus();
  await page.keyboard.press('Space');
  await expect(page.getByTestId(`builder-select-${name}`)).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('builders-multiplatform')).toHaveAttribute('data-builder', name);
  await expect(page.getByTestId('builders-multiplatform')).toHaveAttribute('data-verdict', 'yes');
  await page.screenshot({ path: readmeScreenshot('builders.png'), fullPage: true });

  await builders.remove(name);
  await expect(builders.builder(name)).toHaveCount(0, { timeout: 60_000 });
  await expect(builders.outcome).toHaveAttribute('data-state', 'ok');
  await expect(builders.outcome.getByTestId('builder-command').first()).toHaveText(`$ docker buildx rm ${name}`);
  expect(buildxNames(studio.stack.dockerHost)).not.toContain(name);
  expect(containerExists(studio.stack.dockerHost, `buildx_buildkit_${name}0`)).toBe(false);
});

test('a create that fails (BuildKit image unavailable) shows why and leaves no half-made builder', async ({ page, studio }) => {
  const ghost = `${name}-noimg`;
  await page.goto(studio.url);
  const builders = new BuildersPage(page);
  await builders.open();
  await expect(builders.root).toHaveAttribute('data-state', 'ready');
  await builders.openCreate();
  await page.getByTestId('builder-create-name').fill(ghost);
  await page.getByTestId('builder-create-image').fill('mas-test/nonexistent:1');
  await page.getByTestId('builder-create-submit').click();

  const outcome = builders.form.getByTestId('builders-outcome');
  await expect(outcome).toHaveAttribute('data-state', 'failed', { timeout: 60_000 });
  await expect(outcome).toHaveAttribute('data-code', 'BUILDER_CREATE_FAILED');
  await expect(outcome).toContainText('could not be pulled');
  await expect(outcome.getByTestId('builder-command-output').first()).toContainText('ERROR');
  await expect(outcome.getByTestId('builder-command').nth(1)).toHaveText(`$ docker buildx rm ${ghost}`);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(builders.builder(ghost)).toHaveCount(0);
  expect(buildxNames(studio.stack.dockerHost)).not.toContain(ghost);
  expect(containerExists(studio.stack.dockerHost, `buildx_buildkit_${ghost}0`)).toBe(false);
});
