import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from '../fixtures';
import { AppShell, PAGES } from '../pages/app-shell';
import { BuildPage } from '../pages/build-page';

const focusedTestId = (page: Page) => page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid ?? '');

/** Presses Tab until the control with this test id has the focus (the keyboard's only way there). */
async function tabTo(page: Page, testId: string | RegExp) {
  for (let i = 0; i < 80; i++) {
    const focused = await focusedTestId(page);
    if (typeof testId === 'string' ? focused === testId : testId.test(focused)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${testId}`);
}

let context = '';
test.beforeAll(() => {
  context = mkdtempSync(join(tmpdir(), 'mas-e2e-keys-'));
});
test.afterAll(() => rmSync(context, { recursive: true, force: true }));

test('each page and the shortcuts list have their key, shown in the tooltips', async ({ page, studio }) => {
  await page.goto(studio.url);
  const shell = new AppShell(page);
  await shell.ready();
  for (const [i, name] of PAGES.entries()) {
    await page.keyboard.press(`Control+${i + 1}`);
    await expect(shell.nav(name)).toHaveAttribute('aria-current', 'page');
    await expect(shell.nav(name)).toHaveAttribute('aria-keyshortcuts', `Control+${i + 1}`);
    await expect(shell.nav(name)).toHaveAttribute('title', new RegExp(`\\(Ctrl\\+${i + 1}\\)$`));
  }
  for (const key of ['F1', 'Control+/', '?']) {
    await page.keyboard.press(key);
    await expect(shell.shortcuts(), key).toBeVisible();
    await expect(shell.shortcuts().getByTestId('shortcut-build.cancel')).toContainText('Ctrl+.');
    await page.keyboard.press('Escape');
    await expect(shell.shortcuts()).toBeHidden();
  }
  // Ctrl+O: the build context picker (headless mode: the page's folder browser)
  await page.keyboard.press('Control+o');
  await expect(page.getByTestId('folder-browser')).toBeVisible();
  await expect(shell.nav('build')).toHaveAttribute('aria-current', 'page');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('folder-browser')).toBeHidden();
  await page.keyboard.press('Control+1');
});

test('a build is filled in, started, searched, copied and cancelled with the keyboard alone', async ({ page, studio }) => {
  const marker = `keys-${randomBytes(4).toString('hex')}`;
  writeFileSync(
    join(context, 'Dockerfile'),
    // the marker is put together by the shell, so only the output holds it whole (the log also shows the command);
    // no network is needed, so none is asked for
    `FROM ${studio.stack.baseImage}\nRUN --network=none M=${marker}; echo "found-$M-here"; for i in $(seq 1 300); do echo "tick $i"; sleep 1; done\n`,
  );
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: studio.origin });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(studio.url);
  const shell = new AppShell(page);
  const build = new BuildPage(page);
  await shell.ready();

  await page.keyboard.press('Control+4');
  await shell.settled('build');
  await tabTo(page, 'build-context');
  await page.keyboard.type(context);
  await expect(build.contextState()).toHaveAttribute('data-state', 'ok');
  // the output radios: Tab reaches the ticked one, the arrows move the choice
  await tabTo(page, /^output-/);
  for (let i = 0; i < 5 && !(await build.output('cacheonly').isChecked()); i++) await page.keyboard.press('ArrowRight');
  await expect(build.output('cacheonly')).toBeChecked();
  await expect(build.startButton()).toBeEnabled();
  await expect(build.startButton()).toHaveAttribute('aria-keyshortcuts', 'Control+Enter');
  await expect(build.startButton()).toHaveAttribute('title', 'Start the build (Ctrl+Enter)');

  await page.keyboard.press('Control+Shift+C');
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(await build.command().textContent());

  await page.keyboard.press('Control+Enter');
  await expect(build.run).toHaveAttribute('data-mode', 'live');
  await expect(build.status()).toHaveAttribute('data-state', 'running');
  await expect(page.getByTestId('build-cancel')).toHaveAttribute('aria-keyshortcuts', 'Control+.');

  // search the log while it streams
  const results = page.getByTestId('build-terminal-results');
  const search = page.getByTestId('build-terminal-search');
  await expect(search).toHaveAttribute('aria-keyshortcuts', 'Control+F');
  await page.keyboard.press('Control+f');
  await expect(search).toBeFocused();
  await page.keyboard.type(`found-${marker}-here`);
  await expect(async () => {
    await page.keyboard.press('F3');
    await expect(results).toHaveAttribute('data-count', '1', { timeout: 1000 });
  }).toPass();
  // the terminal takes the page's colours, and changes with the theme
  // (xterm's DOM renderer writes its theme's foreground into the rows' style: theme.css's --term-fg)
  const terminalText = () => page.evaluate(() => getComputedStyle(document.querySelector('[data-testid="build-terminal"] .xterm-rows')!).color);
  await expect.poll(terminalText).toBe('rgb(216, 222, 233)');
  await page.emulateMedia({ colorScheme: 'light' });
  await expect.poll(terminalText).toBe('rgb(31, 35, 40)');

  // a few ticks in, so the log has matches to step through
  await page.keyboard.press('Control+f');
  await page.keyboard.type('tick 3');
  await expect(async () => {
    await page.keyboard.press('F3');
    await expect(results).not.toHaveAttribute('data-count', /^0?$/, { timeout: 1000 });
  }).toPass();
  await page.keyboard.press('Control+.');
  await expect(build.status()).toHaveAttribute('data-state', 'cancelled', { timeout: 30_000 });
  await expect(page.getByTestId('build-cancel')).toHaveCount(0);

  // next and previous match through the whole log, now that it is complete
  await expect(build.terminal).toHaveAttribute('data-state', 'idle');
  await page.keyboard.press('Control+f');
  await page.keyboard.press('Control+a');
  await page.keyboard.type('tick');
  await page.keyboard.press('F3');
  await expect(results).toHaveText(/^\d+ of ([3-9]|\d\d+)$/);
  const [first, count] = (await results.textContent())!.split(' of ').map(Number) as [number, number];
  const after = (i: number) => (i % count) + 1;
  for (const [key, expected] of [
    ['F3', after(first)],
    ['Control+g', after(after(first))],
    ['Shift+F3', after(first)],
    ['Control+Shift+G', first],
  ] as const) {
    await page.keyboard.press(key);
    await expect(results, key).toHaveText(`${expected} of ${count}`);
  }
});
