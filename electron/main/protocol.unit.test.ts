import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../shared/security';
import { serveRenderer } from './protocol';
import { createElectronStandIn, type ElectronStandIn } from './testing/electron-stand-in';

let base: string;
let rendererDir: string;
let standIn: ElectronStandIn;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'mas-protocol-'));
  rendererDir = join(base, 'renderer');
  await mkdir(join(rendererDir, 'assets'), { recursive: true });
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>app</title>');
  await writeFile(join(rendererDir, 'assets', 'main.js'), 'console.log(1)');
  await writeFile(join(base, 'secret.txt'), 'not for the page');
  standIn = createElectronStandIn({ userData: base });
  serveRenderer(standIn.electron, rendererDir);
});
afterAll(() => rm(base, { recursive: true, force: true }));

describe('the app:// protocol', () => {
  it('serves the built renderer with the one CSP (shared/security.ts) and JavaScript as such', async () => {
    const page = await standIn.request('app://studio/index.html');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>app</title>');
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    const root = await standIn.request('app://studio/');
    expect(await root.text()).toContain('<title>app</title>');
    const script = await standIn.request('app://studio/assets/main.js');
    expect(script.headers.get('content-type')).toBe('text/javascript');
    expect(script.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it('refuses every path outside the renderer folder, plain, encoded or absolute, and other hosts', async () => {
    const attempts = [
      'app://studio/../secret.txt',
      'app://studio/%2e%2e/secret.txt',
      'app://studio/..%2fsecret.txt',
      'app://studio/%2e%2e%2fsecret.txt',
      'app://studio/assets/..%2f..%2fsecret.txt',
      'app://studio/..%5csecret.txt',
      'app://studio/%2F..%2F..%2Fsecret.txt',
      `app://studio/${encodeURIComponent(join(base, 'secret.txt'))}`,
      `app://studio/${join(base, 'secret.txt')}`,
      'app://studio//etc/passwd',
      'app://studio/%00index.html',
      'app://studio/%E0%A4%A',
      'app://other/index.html',
      'app://studio.evil/index.html',
    ];
    for (const url of attempts) {
      const response = await standIn.request(url);
      expect(response.status, url).toBe(404);
      expect(await response.text(), url).not.toContain('not for the page');
    }
    // nothing outside the renderer folder was even opened
    for (const url of standIn.record.fetched) expect(fileURLToPath(url).startsWith(rendererDir + '/'), url).toBe(true);
  });
});
