import type { Page } from '@playwright/test';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GO_MOD, manyFunctionsProgram } from '../../electron/core/testing/go-fixture';
import { expect, test } from '../fixtures';
import { BuildPage } from '../pages/build-page';

let context = '';

test.beforeAll(() => {
  context = mkdtempSync(join(tmpdir(), 'mas-e2e-timeline-'));
});
test.afterAll(() => {
  rmSync(context, { recursive: true, force: true });
});

/**
 * Starts a cache-only build of `dir` for the platforms ticked by default and arm64, without the cache:
 * the compile runs, and has a time to show and estimate from, on every run of the test.
 */
async function startUncachedBuild(page: Page, url: string, dir: string): Promise<BuildPage> {
  const build = new BuildPage(page);
  await build.openWithContext(url, dir);
  await build.platform('linux/arm64').check();
  await build.output('cacheonly').check();
  await page.getByText('Build arguments, attestations, cache').click();
  await page.getByText('No cache (rebuild every step)').click();
  await build.startButton().click();
  return build;
}

test('a 2-platform Go build shows which steps ran under QEMU, the waterfall, where the time went and the cross-compile estimate; History shows the same', async ({ page, studio }) => {
  test.setTimeout(300_000);
  const golang = process.env.MAS_TEST_GOLANG_IMAGE ?? `${studio.stack.registry}/stack/golang:bookworm`;
  writeFileSync(join(context, 'go.mod'), 'module example.com/hello\n\ngo 1.19\n');
  writeFileSync(join(context, 'main.go'), 'package main\n\nimport (\n\t"fmt"\n\t"runtime"\n)\n\nfunc main() { fmt.Printf("hello from %s/%s\\n", runtime.GOOS, runtime.GOARCH) }\n');
  writeFileSync(join(context, 'Dockerfile'), `FROM ${golang} AS build\nWORKDIR /src\nCOPY go.mod main.go ./\nRUN go build -o /out/hello . && /out/hello\n\nFROM ${studio.stack.baseImage}\nCOPY --from=build /out/hello /hello\n`);

  const build = await startUncachedBuild(page, studio.url, context);

  // While it runs, the lanes and the waterfall fill in.
  await expect(page.getByTestId('waterfall')).toBeVisible({ timeout: 60_000 });
  await expect(build.status()).toHaveAttribute('data-state', 'succeeded', { timeout: 240_000 });

  // Each step says how it ran; the arm64 tab says its platform was emulated.
  const compile = (platform: string) => build.lane(platform).locator('.step', { hasText: 'RUN go build' }).getByTestId('step-kind');
  await expect(compile('linux/amd64')).toHaveAttribute('data-kind', 'native');
  await expect(compile('linux/arm64')).toHaveAttribute('data-kind', 'emulated');
  await expect(compile('linux/arm64')).toHaveAttribute('title', /under QEMU/);
  await expect(build.tab('linux/arm64').getByTestId('tab-kind')).toHaveAttribute('data-kind', 'emulated');
  await expect(build.tab('linux/amd64').getByTestId('tab-kind')).toHaveAttribute('data-kind', 'native');

  // The waterfall of the ended build is the stored one: hovering the arm64 compile shows it, its time and its log tail.
  const panel = page.getByTestId('timeline-panel');
  await expect(panel).toHaveAttribute('data-source', 'stored');
  const arm64 = page.getByTestId('waterfall-linux/arm64');
  const bar = arm64.locator('[data-testid="waterfall-bar"][data-kind="emulated"]').first();
  await bar.hover();
  const tip = arm64.getByTestId('waterfall-tip');
  await expect(tip).toContainText('RUN go build -o /out/hello . && /out/hello');
  await expect(tip).toContainText('emulated');
  await expect(tip).toContainText('hello from linux/arm64');
  // The pointer leaves: the tip goes, and what follows is the keyboard's alone.
  await page.mouse.move(0, 0);
  await expect(tip).toHaveCount(0);

  // Each lane is one Tab stop; the arrow keys, Home and End walk its steps, each showing its tip.
  const bars = arm64.getByTestId('waterfall-bar');
  await bar.focus();
  await page.keyboard.press('End');
  await expect(bars.last()).toBeFocused();
  await expect(arm64.locator('[data-testid="waterfall-bar"][tabindex="0"]')).toHaveCount(1);
  await expect(bars.last()).toHaveAttribute('tabindex', '0');
  const lastLabel = (await bars.last().getAttribute('aria-label'))!;
  await expect(tip).toContainText(lastLabel.slice(0, lastLabel.lastIndexOf(': ')).replace(/^\[[^\]]*\] /, ''));
  await page.keyboard.press('Home');
  await expect(bars.first()).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(bars.nth(1)).toBeFocused();

  // The summary: arm64's time, most of it in the emulated compile, linked to its Dockerfile line; and the estimate.
  const summary = page.getByTestId('time-linux/arm64');
  await expect(summary).toContainText(/linux\/arm64: .+, of which .+ in emulated RUN steps \(\d+ %\)/);
  await expect(summary.getByTestId('emulated-top-step').first()).toHaveAttribute('data-line', '4');
  const emulatedMs = Number(await summary.getAttribute('data-emulated-ms'));
  const durationMs = Number(await summary.getAttribute('data-duration-ms'));
  expect(emulatedMs / durationMs).toBeGreaterThan(0.5);
  // The waterfall spans the build, not minutes of an image resolved by an earlier build.
  expect(Number(await page.getByTestId('waterfall').getAttribute('data-total-ms'))).toBeLessThan(3 * durationMs);
  await expect(page.getByTestId('time-linux/amd64')).toContainText('nothing emulated');
  const estimate = page.getByTestId('cross-estimate').first();
  await expect(estimate).toContainText(/Cross-compiling would save about .+ on linux\/arm64 \(estimate: the same step ran natively on linux\/amd64 in this build[;)]/);
  await expect(estimate.getByTestId('cross-rewrite')).toContainText('--platform=$BUILDPLATFORM');
  await panel.screenshot({ path: test.info().outputPath('timeline.png') });

  // History: the record opens with the same timeline.
  const id = await build.run.getAttribute('data-build-id');
  await page.getByTestId('nav-history').click();
  await page.getByTestId(`history-open-${id}`).click();
  await expect(build.run).toHaveAttribute('data-mode', 'replay');
  await expect(page.getByTestId('timeline-panel')).toHaveAttribute('data-source', 'stored');
  await expect(page.getByTestId('waterfall-linux/arm64').locator('[data-kind="emulated"]').first()).toBeVisible();
  await expect(page.getByTestId('time-linux/arm64')).toHaveAttribute('data-emulated-ms', String(emulatedMs));
});

test('"Measure it" builds the emulated platform with the Dockerfile and its cross-compile rewrite and shows both times and the speed-up', async ({ page, studio }) => {
  test.setTimeout(400_000);
  const golang = process.env.MAS_TEST_GOLANG_IMAGE ?? `${studio.stack.registry}/stack/golang:bookworm`;
  const dir = mkdtempSync(join(tmpdir(), 'mas-e2e-measure-'));
  try {
    writeFileSync(join(dir, 'go.mod'), GO_MOD);
    // Enough functions for the program's own compilation to dominate (see electron/core/testing/go-fixture.ts).
    writeFileSync(join(dir, 'main.go'), manyFunctionsProgram(1000));
    const dockerfile = `FROM ${golang} AS build\nWORKDIR /src\nCOPY go.mod main.go ./\nRUN CGO_ENABLED=0 go build -o /out/many .\n\nFROM ${studio.stack.baseImage}\nCOPY --from=build /out/many /many\n`;
    writeFileSync(join(dir, 'Dockerfile'), dockerfile);

    const build = await startUncachedBuild(page, studio.url, dir);
    await expect(build.status()).toHaveAttribute('data-state', 'succeeded', { timeout: 240_000 });

    // The compile ran under QEMU for arm64; the timeline and the estimate are there.
    await expect(build.lane('linux/arm64').locator('.step', { hasText: 'RUN CGO_ENABLED=0 go build' }).getByTestId('step-kind')).toHaveAttribute('data-kind', 'emulated');
    await expect(page.getByTestId('waterfall-linux/arm64')).toBeVisible();
    const estimate = page.getByTestId('cross-estimate').first();
    await expect(estimate).toContainText('estimate');

    // One click: the current Dockerfile and the rewrite, built one after the other for arm64.
    await estimate.getByTestId('measure-it').click();
    const measure = estimate.getByTestId('measure');
    await expect(measure).toHaveAttribute('data-state', 'running');
    await expect(measure).toHaveAttribute('data-state', 'done', { timeout: 300_000 });
    const current = measure.getByTestId('measured-linux/arm64-current');
    const rewrite = measure.getByTestId('measured-linux/arm64-rewrite');
    await expect(current).toHaveAttribute('data-state', 'succeeded');
    await expect(rewrite).toHaveAttribute('data-state', 'succeeded');
    await expect(current).toHaveText(/^\d+(\.\d)? s$/);
    await expect(rewrite).toHaveText(/^\d+(\.\d)? s$|^\d+ ms$/);
    const speedUp = Number(await measure.getByTestId('speedup-linux/arm64').getAttribute('data-speedup'));
    expect(speedUp).toBeCloseTo(Number(await current.getAttribute('data-ms')) / Number(await rewrite.getAttribute('data-ms')), 1);
    await expect(measure.getByTestId('speedup-linux/arm64')).toHaveText(/^\d+\.\d× (faster|slower)$/);
    // Native amd64 is not measured; the commands are shown; the user's file is untouched.
    await expect(measure.getByTestId('measured-linux/amd64')).toHaveCount(0);
    await expect(measure.getByTestId('measure-command').first()).toContainText('--no-cache-filter build');
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(dockerfile);
    await estimate.screenshot({ path: test.info().outputPath('measure.png') });

    // "Apply" shows the diff, then writes the rewrite with a backup.
    await measure.getByTestId('measure-apply').click();
    const dialog = page.getByTestId('dockerfile-apply-dialog');
    await expect(dialog.getByTestId('dockerfile-apply-diff').first()).toContainText('--platform=$BUILDPLATFORM');
    await dialog.getByTestId('dockerfile-apply-confirm').click();
    await expect(measure.getByTestId('measure-applied')).toHaveAttribute('data-backup', /dockerfile-backups/);
    await expect(dialog).toHaveCount(0);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toContain(`FROM --platform=$BUILDPLATFORM ${golang} AS build`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
