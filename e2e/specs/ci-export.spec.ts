import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '../fixtures';
import { BuildPage } from '../pages/build-page';

const repo = `mas-test-${randomBytes(4).toString('hex')}/export-e2e`;
let context = '';

test.beforeAll(() => {
  context = mkdtempSync(join(tmpdir(), 'mas-e2e-export-'));
});

test.afterAll(async ({ studio }) => {
  const call = (method: string, path: string, headers: Record<string, string> = {}) =>
    new Promise<string | undefined>((resolve) => {
      const req = request(`http://${studio.stack.registry}${path}`, { method, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.headers['docker-content-digest'] as string | undefined));
      });
      req.on('error', () => resolve(undefined));
      req.end();
    });
  const digest = await call('HEAD', `/v2/${repo}/manifests/1`, { Accept: 'application/vnd.oci.image.index.v1+json' });
  if (digest) await call('DELETE', `/v2/${repo}/manifests/${digest}`);
  rmSync(context, { recursive: true, force: true });
});

test('build, export from History, see both files, save the bake file into the context, import it back into the form', async ({ page, studio }) => {
  // No RUN step: this spec is about the export, and needs no network inside the build.
  writeFileSync(join(context, 'Dockerfile'), `FROM ${studio.stack.baseImage}\nARG GREETING\nENV GREETING=$GREETING\nCOPY Dockerfile /Dockerfile\n`);
  const tag = `${studio.stack.registry}/${repo}:1`;
  const build = new BuildPage(page);
  await build.openWithContext(studio.url, context);
  await build.tag(0).fill(tag);
  await build.platform('linux/arm64').check();
  await build.output('push').check();
  await page.getByText('Build arguments, attestations, cache').click();
  await page.getByText('Add a build argument').click();
  await page.getByLabel('Argument name').fill('GREETING');
  await page.getByLabel('Argument value').fill('hello');
  const command = await build.command().textContent();
  await build.startButton().click();
  await expect(build.status()).toHaveAttribute('data-state', 'succeeded', { timeout: 90_000 });
  const id = await build.run.getAttribute('data-build-id');

  // Export from the History record
  await page.getByTestId('nav-history').click();
  await page.getByTestId(`history-export-${id}`).click();
  const dialog = page.getByTestId('export-dialog');
  await expect(dialog).toBeVisible();
  const bake = page.getByTestId('export-bake-code');
  await expect(bake).toContainText('platforms  = ["linux/amd64", "linux/arm64"]');
  await expect(bake).toContainText(`tags       = ["${tag}"]`);
  await expect(bake.locator('.token').first()).toBeVisible(); // highlighted
  await expect(page.getByTestId('export-workflow-code')).toContainText('uses: docker/build-push-action@v7');
  await expect(page.getByTestId('export-workflow-code')).toContainText('platforms: linux/arm64');
  // buildx read the file back as the same build; the workflow passed GitHub's schema and the checks
  await expect(page.getByTestId('export-buildx-check')).toHaveAttribute('data-state', 'same');
  await expect(page.getByTestId('export-workflow-check')).toHaveAttribute('data-state', 'valid');
  // a loopback registry is flagged: CI cannot reach it
  await expect(page.getByTestId('export-notes')).toContainText('loopback address');

  // one job per platform: the arm64 job runs on the Arm runner without QEMU
  await page.getByTestId('export-shape').selectOption('per-platform');
  await expect(page.getByTestId('export-workflow-code')).toContainText('build-linux-arm64:');
  await expect(page.getByTestId('export-workflow-check')).toHaveAttribute('data-state', 'valid');

  // save the bake file into the context; a changed file is replaced only after seeing the difference
  const shown = await bake.textContent();
  await page.getByTestId('export-save-bake').getByRole('button').click();
  await expect(page.getByTestId('export-save-bake')).toHaveAttribute('data-state', 'saved');
  await expect(page.getByTestId('export-save-bake-path')).toContainText(join(context, 'docker-bake.hcl'));
  expect(readFileSync(join(context, 'docker-bake.hcl'), 'utf8')).toBe(shown);
  writeFileSync(join(context, 'docker-bake.hcl'), '# mine\n');
  await page.getByTestId('export-save-bake').getByRole('button').first().click();
  await expect(page.getByTestId('export-save-bake')).toHaveAttribute('data-state', 'confirm');
  await expect(page.getByTestId('export-diff')).toContainText('- # mine');
  expect(readFileSync(join(context, 'docker-bake.hcl'), 'utf8')).toBe('# mine\n');
  await page.getByTestId('export-save-bake-replace').click();
  await expect(page.getByTestId('export-save-bake')).toHaveAttribute('data-state', 'saved');
  expect(readFileSync(join(context, 'docker-bake.hcl'), 'utf8')).toBe(shown);
  await dialog.getByRole('button', { name: 'Close' }).click();

  // import the saved file: the form gives the same build again
  await build.open();
  await build.tag(0).fill(`${studio.stack.registry}/${repo}:other`);
  await build.platform('linux/arm64').uncheck();
  await expect(build.command()).not.toHaveText(command!);
  await page.getByTestId('import-bake-button').click();
  await expect(page.getByTestId('import-result')).toHaveAttribute('data-refused', '0');
  await expect(build.command()).toHaveText(command!);
});
