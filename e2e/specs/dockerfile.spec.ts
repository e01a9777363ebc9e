import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pushTwoPlatformBase, type PushedBase } from '../../electron/core/testing/base-image';
import { stackEnv } from '../../electron/core/testing/stack';
import { expect, test } from '../fixtures';
import { BuildPage } from '../pages/build-page';
import { DockerfileAdvicePanel } from '../pages/dockerfile-advice-page';

let base: PushedBase;
let root = '';

test.beforeAll(async () => {
  base = await pushTwoPlatformBase(stackEnv());
  root = mkdtempSync(join(tmpdir(), `mas-test-${randomBytes(4).toString('hex')}-e2e-dockerfile-`));
});

test.afterAll(async () => {
  await base?.cleanup();
  if (root) rmSync(root, { recursive: true, force: true });
});

function contextWith(name: string, dockerfile: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  return dir;
}

test('a hard-coded x86_64 download is shown with its line and the TARGETARCH rewrite; ticking riscv64 warns about the base', async ({ page, studio }) => {
  const context = contextWith(
    'hardcoded',
    [
      `FROM ${base.reference}`,
      'RUN wget -O /tmp/tool.tgz https://example.com/releases/tool-linux-x86_64.tgz && tar -xzf /tmp/tool.tgz -C /usr/local/bin',
      'CMD ["tool"]',
      '',
    ].join('\n'),
  );
  const build = new BuildPage(page);
  const advice = new DockerfileAdvicePanel(page);
  await page.goto(studio.url);
  await build.open();
  await expect(build.platform('linux/amd64')).toBeChecked();
  await build.context().fill(context);

  await expect(advice.root).toHaveAttribute('data-state', 'ready');
  await expect(advice.badge).toBeVisible();
  await expect(advice.badge).toHaveAttribute('data-warnings', /^[1-9]/);

  const finding = advice.finding('hardcoded-arch', 2);
  await expect(finding).toBeVisible();
  await expect(finding).toHaveAttribute('data-severity', 'warning');
  await expect(finding.getByTestId('dockerfile-finding-source')).toContainText('tool-linux-x86_64.tgz');
  await expect(finding.getByTestId('dockerfile-finding-source')).toContainText('2');
  const suggestion = finding.getByTestId('dockerfile-suggestion');
  await expect(suggestion).toContainText('ARG TARGETARCH');
  await expect(suggestion).toContainText('amd64) ARCH=x86_64');
  await expect(suggestion).toContainText('tool-linux-${ARCH}.tgz');
  await expect(finding.getByRole('button', { name: /Copy the rewrite/ })).toBeVisible();

  // The predefined arg explains itself on hover.
  const tip = advice.argTip('TARGETARCH', suggestion);
  await tip.hover();
  await expect(page.getByRole('tooltip').filter({ hasText: 'the architecture part of TARGETPLATFORM' }).first()).toBeVisible();

  // amd64 alone: the base has it.
  await expect(advice.preflight).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('dockerfile-preflight-ok')).toBeVisible();
  const warningsBefore = Number(await advice.badge.getAttribute('data-warnings'));

  await build.platform('linux/riscv64').check();
  const warning = advice.preflightFinding('linux/riscv64');
  await expect(warning).toBeVisible();
  await expect(warning).toContainText(`base ${base.reference} has no linux/riscv64: that platform will fail at FROM`);
  await expect(warning).toHaveAttribute('data-line', '1');
  await expect(advice.preflight).toHaveAttribute('data-state', 'done');
  await expect(advice.badge).toHaveAttribute('data-warnings', String(warningsBefore + 1));

  // Advice never blocks: with a tag the build can start despite the warnings.
  await build.tag(0).fill(`${studio.stack.registry}/mas-test-${randomBytes(4).toString('hex')}/never-built:1`);
  await expect(build.startButton()).toBeEnabled();
  await advice.root.screenshot({ path: test.info().outputPath('dockerfile-advice.png') });

  // Unticking riscv64 takes the warning away again.
  await build.platform('linux/riscv64').uncheck();
  await expect(advice.preflight).toHaveAttribute('data-state', 'done');
  await expect(advice.preflightFinding('linux/riscv64')).toHaveCount(0);
});

test('Apply shows the rewrite, writes it into the Dockerfile with a backup, and silenced findings are listed as such', async ({ page, studio }) => {
  const original = [
    `FROM ${base.reference}`,
    'ARG TARGETARCH=amd64',
    'RUN wget -O /tmp/tool https://example.com/tool-linux-${TARGETARCH}',
    '# multiarch-ignore: hardcoded-arch',
    'COPY vendor/agent-amd64 /usr/local/bin/agent',
    '',
  ].join('\n');
  const context = contextWith('apply', original);
  const build = new BuildPage(page);
  const advice = new DockerfileAdvicePanel(page);
  await page.goto(studio.url);
  await build.open();
  await build.platform('linux/arm64').check();
  await build.context().fill(context);
  await expect(advice.root).toHaveAttribute('data-state', 'ready');

  await expect(advice.suppressedFinding('hardcoded-arch', 5)).toHaveCount(1);
  const pinned = advice.finding('pinned-arch-arg', 2);
  await expect(pinned).toContainText('used by RUN line 3');
  await advice.applyButton('pinned-arch-arg', 2).click();
  await expect(advice.applyDialog).toBeVisible();
  await expect(advice.applyDialog.locator('[data-kind="-"]')).toHaveText(['2- ARG TARGETARCH=amd64']);
  await expect(advice.applyDialog.locator('[data-kind="+"]')).toHaveText(['2+ ARG TARGETARCH']);
  expect(readFileSync(`${context}/Dockerfile`, 'utf8')).toBe(original);

  await advice.applyDialog.getByTestId('dockerfile-apply-confirm').click();
  await expect(advice.applied).toBeVisible();
  await expect(advice.applyDialog).toHaveCount(0);
  const backup = await advice.applied.getAttribute('data-backup');
  expect(readFileSync(backup ?? '', 'utf8')).toBe(original);
  expect(readFileSync(`${context}/Dockerfile`, 'utf8')).toBe(original.replace('ARG TARGETARCH=amd64', 'ARG TARGETARCH'));
  await expect(advice.finding('pinned-arch-arg', 2)).toHaveCount(0);
  await expect(advice.suppressedFinding('hardcoded-arch', 5)).toHaveCount(1);
});

test('a malformed Dockerfile shows its parse errors with line numbers', async ({ page, studio }) => {
  const context = contextWith('malformed', ['FROM busybox:1', 'RUNN echo hi', 'COPY <<EOF /etc/motd', 'never closed', ''].join('\n'));
  const build = new BuildPage(page);
  const advice = new DockerfileAdvicePanel(page);
  await page.goto(studio.url);
  await build.open();
  await build.context().fill(context);
  await expect(advice.root).toHaveAttribute('data-state', 'ready');
  await expect(advice.parseError(2)).toContainText('Line 2');
  await expect(advice.parseError(2)).toContainText('Unknown instruction RUNN');
  await expect(advice.badge).toHaveAttribute('data-errors', /^[1-9]/);
});
