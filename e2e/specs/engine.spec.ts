import { request } from 'node:http';
import { execFileSync, spawnSync } from 'node:child_process';
import { expect, readmeScreenshot, test } from '../fixtures';
import { enginePlatform } from '../../electron/core/testing/stack';
import { EnginePage } from '../pages/engine-page';

test('the Engine page shows the real server version and native platform', async ({ page, studio }) => {
  const serverVersion = execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], {
    env: { ...process.env, DOCKER_HOST: studio.stack.dockerHost },
  })
    .toString()
    .trim();
  const native = enginePlatform(studio.stack.dockerHost);

  await page.goto(studio.url);
  const engine = new EnginePage(page);
  await engine.open(); // the app reopens on the page last shown
  await expect(engine.root).toHaveAttribute('data-state', 'connected');
  await expect(engine.value('engine-server-version')).toHaveText(serverVersion);
  await expect(engine.value('engine-platform')).toHaveText(native);
  await expect(engine.value('engine-endpoint')).toHaveText(studio.stack.dockerHost);
  await expect(engine.value('engine-containerd-store')).toContainText('on');
  await expect(engine.value('engine-buildx')).toHaveText(/^\d+\.\d+\.\d+/);
  await expect(page.getByTestId('status-bar')).toHaveAttribute('data-state', 'connected');
  // The token left the address bar once read.
  expect(page.url()).not.toContain('token=');
  await page.screenshot({ path: readmeScreenshot('engine.png') });
});

test('a bad token is refused', async ({ page, studio }) => {
  await page.goto(`${studio.origin}/#token=not-the-token`);
  await expect(page.getByTestId('status-bar')).toHaveAttribute('data-state', 'core-lost');
  await expect(page.getByTestId('engine-page')).toHaveCount(0);
});

test('a page without a token is told where to get one', async ({ page, studio }) => {
  await page.goto(`${studio.origin}/`);
  await expect(page.getByTestId('no-token')).toContainText('npm run serve');
});

test('the socket refuses a foreign Origin even with the right token', async ({ studio }) => {
  const status = await new Promise<number>((resolve) => {
    const req = request(`${studio.origin}/rpc?token=${studio.token}`, {
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', Origin: 'http://evil.example', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' },
    });
    req.on('response', (res) => resolve(res.statusCode ?? 0));
    req.on('upgrade', () => resolve(101));
    req.on('error', () => resolve(-1));
    req.end();
  });
  expect(status).toBe(403);
});

test('npm run serve refuses bad --settings with a clear message instead of crashing', () => {
  for (const [settings, message] of [
    ['{bad', /--settings must be JSON/],
    ['{"emulators":{"installerImage":"bad image"}}', /emulators\.installerImage: An image reference has no spaces/],
  ] as const) {
    const run = spawnSync(process.execPath, ['dist/headless/serve.js', '--port', '0', '--settings', settings], { encoding: 'utf8', timeout: 20_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
  }
});
