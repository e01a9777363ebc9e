import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '../fixtures';
import { BuildPage } from '../pages/build-page';

let dir = '';

test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mas-e2e-export-'));
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('an export over a folder that is not empty asks first, names the path, and replaces it only once confirmed', async ({ page, studio }) => {
  const context = join(dir, 'ctx');
  mkdirSync(context);
  writeFileSync(join(context, 'Dockerfile'), `FROM ${studio.stack.baseImage}\nRUN uname -m > /arch\n`);
  const out = join(dir, 'out');
  mkdirSync(out);
  writeFileSync(join(out, 'mine.txt'), 'keep until confirmed');

  const build = new BuildPage(page);
  await build.openWithContext(studio.url, context);
  await build.output('local').check();
  await page.getByTestId('build-dest').fill(out);
  await expect(build.startButton()).toBeEnabled();

  // Cancel: nothing runs, nothing changes.
  await build.startButton().click();
  const dialog = page.getByTestId('build-overwrite-dialog');
  await expect(dialog).toBeVisible();
  await expect(page.getByTestId('build-overwrite-path')).toHaveText(out);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(build.run).toHaveCount(0);
  expect(readdirSync(out)).toEqual(['mine.txt']);

  // Confirm: the build runs and its files replace the folder.
  await build.startButton().click();
  await page.getByTestId('build-overwrite-confirm').click();
  await expect(build.status()).toHaveAttribute('data-state', 'succeeded', { timeout: 90_000 });
  expect(readFileSync(join(out, 'arch'), 'utf8')).toBe('x86_64\n');
  expect(readdirSync(out)).not.toContain('mine.txt');

  // A system folder is refused outright, with the reason.
  await page.getByTestId('build-dest').fill('/etc');
  await build.startButton().click();
  await expect(page.getByText(/The export folder \/etc is refused: \/etc is a folder of the operating system/)).toBeVisible();
  await expect(dialog).toBeHidden();
});
