import { expect, test } from '../fixtures';
import { IntegrityPanel, ResultsPage } from '../pages/results-page';
import { stackEnv } from '../../electron/core/testing/stack';
import { createFixtures, type Fixtures } from '../../electron/core/testing/integrity-fixtures';

let fixtures: Fixtures;
let image: string;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  const stack = stackEnv();
  fixtures = await createFixtures(stack);
  // arm64 gets an x86-64 binary from a stage pinned to linux/amd64; one file exists only on arm64.
  image = await fixtures.build(
    'e2e',
    `FROM --platform=linux/amd64 ${stack.baseImage} AS tools
FROM ${stack.baseImage}
ARG TARGETARCH
COPY --from=tools /bin/busybox /usr/local/bin/tool
COPY only-\${TARGETARCH}/ /etc/
`,
    ['linux/amd64', 'linux/arm64'],
    { files: { 'only-arm64/arm64-note': { content: 'arm64\n' }, 'only-amd64/.keep': { content: '' } } },
  );
});
test.afterAll(async () => {
  await fixtures?.cleanup();
});

test('Results → Check binaries shows the mismatch row with the step that made it; compare lists the file only one platform has', async ({ page, studio }) => {
  await page.goto(studio.url);
  const results = new ResultsPage(page);
  await results.open();
  await results.inspect(image);
  await expect(results.root).toHaveAttribute('data-state', 'loaded');

  const panel = new IntegrityPanel(page);
  await panel.checkBinaries();
  await expect(panel.check).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(page.getByTestId('check-summary')).toContainText('Binaries of another architecture on linux/arm64');
  await expect(panel.platform('linux/amd64')).toHaveAttribute('data-state', 'clean');
  await expect(panel.platform('linux/amd64').getByTestId('check-elf-count')).toContainText('2 ELF files');

  const arm64 = panel.platform('linux/arm64');
  await expect(arm64).toHaveAttribute('data-state', 'mismatch');
  const row = arm64.getByTestId('mismatch-row');
  await expect(row).toHaveCount(1);
  await expect(row).toHaveAttribute('data-path', '/usr/local/bin/tool');
  await expect(row.getByTestId('mismatch-found')).toContainText('x86-64, 64-bit LSB (linux/amd64)');
  await expect(row.getByTestId('mismatch-step')).toHaveText('COPY /bin/busybox /usr/local/bin/tool');

  await panel.comparePlatforms('linux/amd64', 'linux/arm64');
  await expect(panel.compare).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(page.getByTestId('compare-only-b').getByTestId('compare-file')).toHaveAttribute('data-path', '/etc/arm64-note');
  await expect(page.getByTestId('compare-only-a').getByTestId('compare-file')).toHaveAttribute('data-path', '/etc/.keep');
  await panel.root.scrollIntoViewIfNeeded();
  await page.screenshot({ path: test.info().outputPath('integrity.png'), fullPage: true });
});
