import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from '../fixtures';
import { AppShell, PAGES } from '../pages/app-shell';

/** The WCAG 2.1 A and AA rules of axe-core, the maintained auditor. */
const RULE_SET = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

async function audit(page: Page, what: string) {
  const result = await new AxeBuilder({ page }).withTags(RULE_SET).analyze();
  const grave = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${what}: ${v.id} (${v.impact}) ${v.help}\n  ${v.nodes.map((n) => `${n.target.join(' ')} ${n.failureSummary ?? ''}`).join('\n  ')}`);
  expect(grave, `serious or critical ${RULE_SET.join('/')} violations`).toEqual([]);
  // the audit really ran the colour-contrast check on this page
  expect([...result.passes, ...result.violations, ...result.incomplete].some((r) => r.id === 'color-contrast'), what).toBe(true);
}

for (const scheme of ['light', 'dark'] as const) {
  test(`every page passes the ${RULE_SET.join(', ')} audit in the ${scheme} theme`, async ({ page, studio }, testInfo) => {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(studio.url);
    const shell = new AppShell(page);
    await expect.poll(() => shell.appliedTheme()).toBe(scheme);
    for (const name of PAGES) {
      await shell.open(name);
      await audit(page, `${name} (${scheme})`);
      await page.screenshot({ path: testInfo.outputPath(`${name}-${scheme}.png`) });
    }
    await page.keyboard.press('F1');
    await expect(shell.shortcuts()).toBeVisible();
    await audit(page, `shortcuts dialog (${scheme})`);
    await page.keyboard.press('Escape');
  });
}

test('every control of every page can be reached with Tab, and shows a focus ring there', async ({ page, studio }) => {
  await page.goto(studio.url);
  const shell = new AppShell(page);
  for (const name of PAGES) {
    await shell.open(name);
    const expected = await page.evaluate(() => {
      const controls = [...document.querySelectorAll<HTMLElement>('button, input, select, textarea, summary, a[href], [tabindex="0"]')];
      return controls
        // an unticked radio is reached with the arrow keys from its group's ticked one, not with Tab
        .filter((el) => !(el instanceof HTMLInputElement && el.type === 'radio' && !el.checked))
        // shown (not in a closed <details>, which Chromium keeps laid out but skips), enabled, and not the log's own
        .filter((el) => !(el as HTMLButtonElement).disabled && el.checkVisibility({ contentVisibilityAuto: true, visibilityProperty: true }) && !el.closest('.xterm'))
        .map((el, i) => {
          el.dataset.reach = String(i);
          return { id: String(i), what: el.outerHTML.slice(0, 120) };
        });
    });
    const reached = new Set<string>();
    const unringed: string[] = [];
    await page.locator('body').focus();
    for (let press = 0; press < 2 * expected.length + 15 && reached.size < expected.length; press++) {
      await page.keyboard.press('Tab');
      const focus = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return undefined;
        const style = getComputedStyle(el);
        return { id: el.dataset.reach, ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0, what: el.outerHTML.slice(0, 80) };
      });
      if (!focus?.id) continue;
      reached.add(focus.id);
      if (!focus.ring) unringed.push(focus.what);
    }
    expect(expected.filter((c) => !reached.has(c.id)).map((c) => c.what), `${name}: controls Tab never reached`).toEqual([]);
    expect(unringed, `${name}: focused without a visible ring`).toEqual([]);
  }
});
