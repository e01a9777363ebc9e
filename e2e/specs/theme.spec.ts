import { expect, test } from '../fixtures';
import { AppShell } from '../pages/app-shell';

const BACKGROUND = { light: 'rgb(246, 248, 250)', dark: 'rgb(15, 20, 25)' };
const pageBackground = (page: import('@playwright/test').Page) => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);

test('the theme follows the system’s light or dark preference, also when it changes', async ({ page, studio }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(studio.url);
  const shell = new AppShell(page);
  await expect(shell.theme()).toHaveValue('system');
  await expect.poll(() => shell.appliedTheme()).toBe('dark');
  expect(await pageBackground(page)).toBe(BACKGROUND.dark);
  await page.emulateMedia({ colorScheme: 'light' });
  await expect.poll(() => shell.appliedTheme()).toBe('light');
  expect(await pageBackground(page)).toBe(BACKGROUND.light);
});

test('a chosen theme wins over the system and is still chosen after a reload, like the page last shown', async ({ page, studio }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(studio.url);
  const shell = new AppShell(page);
  await shell.open('history');
  await shell.theme().selectOption('light');
  await expect.poll(() => shell.appliedTheme()).toBe('light');
  expect(await pageBackground(page)).toBe(BACKGROUND.light);

  await page.reload();
  await expect(shell.theme()).toHaveValue('light');
  await expect.poll(() => shell.appliedTheme()).toBe('light');
  await expect(shell.nav('history')).toHaveAttribute('aria-current', 'page');
  await shell.settled('history');

  // back to following the system, for the tests after this one
  await shell.theme().selectOption('system');
  await expect.poll(() => shell.appliedTheme()).toBe('dark');
  await shell.open('engine');
  await page.reload();
  await expect(shell.theme()).toHaveValue('system');
  await expect(shell.nav('engine')).toHaveAttribute('aria-current', 'page');
});
