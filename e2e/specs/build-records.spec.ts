import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { expect, test } from '../fixtures';
import { BuildPage } from '../pages/build-page';

let work = '';
let context = '';

test.beforeAll(({ studio }) => {
  work = mkdtempSync(join(tmpdir(), 'mas-e2e-records-'));
  context = mkdtempSync(join(work, 'terminal-'));
  // Built the way a user does in a terminal: plain docker buildx build, outside the app.
  writeFileSync(join(context, 'Dockerfile'), `FROM ${studio.stack.baseImage}\nRUN echo "${basename(context)} on $(uname -m)"\n`);
  execFileSync('docker', ['buildx', 'build', '--platform', 'linux/amd64,linux/arm64', '--provenance=false', '--output', 'type=cacheonly', '--progress=quiet', context], {
    env: { ...process.env, DOCKER_HOST: studio.stack.dockerHost },
    timeout: 300_000,
  });
});

test.afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

test('History lists a terminal build among the builder records, opens it in lanes and terminal, exports it and imports the file', async ({ page, studio }) => {
  const name = basename(context);
  await page.goto(studio.url);
  await page.getByTestId('nav-history').click();
  const records = page.getByTestId('builder-records');
  await expect(records).toHaveAttribute('data-state', 'loaded');
  const row = records.locator('[data-testid^="record-row-"][data-source="builder"]', { hasText: name });
  await expect(row).toHaveAttribute('data-state', 'completed');
  await expect(row).toContainText('outside the app');

  // open: the same lanes and terminal as the app's own builds
  await row.getByRole('button', { name: 'Open' }).click();
  const build = new BuildPage(page);
  await expect(build.status()).toHaveAttribute('data-state', 'succeeded');
  await expect(page.getByTestId('record-info')).toHaveAttribute('data-source', 'builder');
  await expect(page.getByTestId('record-platforms')).toContainText('linux/amd64, linux/arm64');
  await expect(build.lane('linux/amd64')).toHaveAttribute('data-state', 'done');
  await expect(build.lane('linux/arm64')).toHaveAttribute('data-state', 'done');
  await expect(await build.search(`${name} on aarch64`)).toHaveAttribute('data-count', '1');
  await build.tab('linux/amd64').click();
  await expect(await build.search(`${name} on aarch64`)).toHaveAttribute('data-count', '0');
  await expect(await build.search(`${name} on x86_64`)).toHaveAttribute('data-count', '1');
  await build.tab('all').click();
  await page.screenshot({ path: test.info().outputPath('history-builder-record.png'), fullPage: true });

  // export, then again to the same file: replaced only once confirmed
  const dest = join(work, 'terminal.dockerbuild');
  await row.getByRole('button', { name: 'Export…' }).click();
  const form = row.locator('form.record-export');
  await form.getByLabel('Export to file').fill(dest);
  await form.getByRole('button', { name: 'Export', exact: true }).click();
  await expect(page.getByTestId('builder-records-note')).toContainText(`Exported to ${dest}`);
  expect(existsSync(dest)).toBe(true);
  await row.getByRole('button', { name: 'Export…' }).click();
  await form.getByLabel('Export to file').fill(dest);
  await form.getByRole('button', { name: 'Export', exact: true }).click();
  await form.getByRole('button', { name: 'Replace the existing file?' }).click();
  await expect(page.getByTestId('builder-records-note')).toContainText(`Exported to ${dest}`);

  // import the file: the same build, marked as imported, with its log
  await page.getByTestId('record-import-file').fill(dest);
  await page.getByTestId('record-import').click();
  await expect(page.getByTestId('builder-records-note')).toHaveText(`Imported 1 record from ${dest}.`);
  const imported = records.locator('[data-testid^="record-row-"][data-source="imported"]', { hasText: name });
  await expect(imported).toHaveAttribute('data-state', 'completed');
  await expect(imported).toContainText('linux/amd64, linux/arm64');
  await imported.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByTestId('record-info')).toHaveAttribute('data-source', 'imported');
  await expect(build.lane('linux/arm64')).toHaveAttribute('data-state', 'done');
  await expect(await build.search(`${name} on aarch64`)).toHaveAttribute('data-count', '1');

  // a file that is not a record is refused with the reason
  const junk = join(work, 'junk.dockerbuild');
  writeFileSync(junk, 'not a record');
  await page.getByTestId('record-import-file').fill(junk);
  await page.getByTestId('record-import').click();
  await expect(records.getByRole('alert')).toContainText('is not a build record file');
});
