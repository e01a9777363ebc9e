import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, readmeScreenshot, test } from '../fixtures';
import { BuildPage } from '../pages/build-page';

const repo = `mas-test-${randomBytes(4).toString('hex')}/e2e`;
let context = '';

function registryDigest(registry: string, name: string, tag: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      `http://${registry}/v2/${name}/manifests/${tag}`,
      { headers: { Accept: 'application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json' } },
      (res) => {
        res.resume();
        if (res.statusCode !== 200) reject(new Error(`registry answered ${res.statusCode}`));
        else resolve(String(res.headers['docker-content-digest']));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test.beforeAll(() => {
  context = mkdtempSync(join(tmpdir(), 'mas-e2e-ctx-'));
});

test.afterAll(async ({ studio }) => {
  const digest = await registryDigest(studio.stack.registry, repo, '1').catch(() => undefined);
  if (digest) {
    await new Promise<void>((resolve) => {
      const req = request(`http://${studio.stack.registry}/v2/${repo}/manifests/${digest}`, { method: 'DELETE' }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('error', () => resolve());
      req.end();
    });
  }
  try {
    execFileSync('docker', ['image', 'rm', '-f', `${studio.stack.registry}/${repo}:1`], { env: { ...process.env, DOCKER_HOST: studio.stack.dockerHost }, stdio: 'ignore' });
  } catch {
    // not stored locally
  }
  rmSync(context, { recursive: true, force: true });
});

test('fill the form, tick two platforms, build, and watch both lanes complete with the log in the terminal', async ({ page, studio }) => {
  writeFileSync(
    join(context, 'Dockerfile'),
    `FROM ${studio.stack.baseImage} AS base\nARG TARGETPLATFORM\nRUN echo "e2e building $TARGETPLATFORM on $(uname -m)"\n\nFROM base AS final\nCMD ["uname", "-m"]\n`,
  );
  const tag = `${studio.stack.registry}/${repo}:1`;
  const build = new BuildPage(page);
  await page.goto(studio.url);
  await build.open();
  await expect(build.root).toHaveAttribute('data-state', 'idle');

  // The native platform is pre-ticked, in the native group.
  await expect(build.platform('linux/amd64')).toBeChecked();
  await expect(build.platform('linux/amd64')).toHaveAttribute('data-group', 'native');
  // arm/v7 is left out of the docker driver's list, yet offered as emulated (the emulator is there).
  await expect(build.platform('linux/arm/v7')).toHaveAttribute('data-group', 'emulated');

  await build.context().fill(context);
  await expect(build.contextState()).toHaveAttribute('data-state', 'ok');
  // the target choices come from the Dockerfile's stages
  await expect(page.getByTestId('build-target').locator('option')).toHaveText(['The last stage (default)', 'base (line 1)', 'final (line 5)']);

  await build.tag(0).fill('My/App:1');
  await expect(page.getByText('must be lower-case (no capital letters)')).toBeVisible();
  await expect(build.startButton()).toBeDisabled();
  await build.tag(0).fill(tag);
  await build.platform('linux/arm64').check();
  await build.output('push').check();
  await page.getByText('Build arguments, attestations, cache').click();
  await page.getByText('No cache (rebuild every step)').click();

  await expect(build.command()).toHaveText(
    `docker buildx build --platform linux/amd64,linux/arm64 -f ${context}/Dockerfile -t ${tag} --output type=registry --provenance=false --sbom=false --no-cache ${context}`,
  );
  await expect(build.startButton()).toBeEnabled();
  await expect(build.startButton()).toHaveText('Build 2 platforms');
  await build.startButton().click();

  await expect(build.run).toHaveAttribute('data-mode', 'live');
  await expect(build.status()).toHaveAttribute('data-state', 'succeeded', { timeout: 90_000 });
  await expect(build.lane('linux/amd64')).toHaveAttribute('data-state', 'done');
  await expect(build.lane('linux/arm64')).toHaveAttribute('data-state', 'done');
  await expect(build.lane('linux/arm64').locator('.step-name', { hasText: 'RUN echo' })).toBeVisible();

  // the log is in the terminal: search finds each platform's RUN output
  await expect(build.terminal).toHaveAttribute('data-lines', /^[1-9]\d*$/);
  await expect(await build.search('e2e building linux/arm64 on aarch64')).toHaveAttribute('data-count', '1');
  await expect(await build.search('e2e building linux/amd64 on x86_64')).toHaveAttribute('data-count', '1');

  // one platform's tab shows only its lines (and the shared ones)
  await build.tab('linux/arm64').click();
  await expect(await build.search('e2e building linux/amd64 on x86_64')).toHaveAttribute('data-count', '0');
  await expect(await build.search('e2e building linux/arm64 on aarch64')).toHaveAttribute('data-count', '1');
  await build.tab('all').click();

  // the digest shown is the registry's
  const digest = await registryDigest(studio.stack.registry, repo, '1');
  await expect(page.getByTestId('build-digest')).toHaveText(digest);
  await build.run.screenshot({ path: readmeScreenshot('build.png') });

  // History keeps it; opening it replays the log
  await page.getByTestId('nav-history').click();
  const id = await build.run.getAttribute('data-build-id');
  expect(id).toBeTruthy();
  const row = page.getByTestId(`history-row-${id}`);
  await expect(row).toHaveAttribute('data-state', 'succeeded');
  await page.getByTestId(`history-open-${id}`).click();
  await expect(build.run).toHaveAttribute('data-mode', 'replay');
  await expect(build.status()).toHaveAttribute('data-state', 'succeeded');
  await expect(build.lane('linux/arm64')).toHaveAttribute('data-state', 'done');
  await expect(await build.search('e2e building linux/arm64 on aarch64')).toHaveAttribute('data-count', '1');

  // Re-run: the same request again, as a new build, followed live on the Build page
  await page.getByTestId(`history-rerun-${id}`).click();
  await expect(build.root).toBeVisible();
  await expect(build.run).toHaveAttribute('data-mode', 'live');
  await expect(build.run).not.toHaveAttribute('data-build-id', id!);
  await expect(build.status()).toHaveAttribute('data-state', 'succeeded', { timeout: 90_000 });
  await expect(build.tag(0)).toHaveValue(tag);
  await expect(build.platform('linux/arm64')).toBeChecked();
  await expect(build.lane('linux/arm64')).toHaveAttribute('data-state', 'done');
});
