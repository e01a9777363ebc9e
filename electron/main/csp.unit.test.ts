import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineContract, request as endpoint } from '../../shared/rpc/define';
import { createServer } from '../../shared/rpc/server';
import { CONTENT_SECURITY_POLICY } from '../../shared/security';
import type { Core } from '../core/composition';
import { startHeadlessServer } from '../headless/server';

const directives = (policy: string) => new Map(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));

function headerOf(port: number): Promise<string> {
  return new Promise((done, fail) => {
    request({ host: '127.0.0.1', port, path: '/', headers: { host: `127.0.0.1:${port}` } }, (res) => {
      res.resume();
      done(String(res.headers['content-security-policy']));
    })
      .on('error', fail)
      .end();
  });
}

describe('one Content Security Policy', () => {
  it('is not written into the page: index.html has no CSP meta tag', async () => {
    const html = await readFile(resolve('renderer/index.html'), 'utf8');
    expect(html).not.toMatch(/content-security-policy/i);
  });

  it('is the same policy in the desktop window and in headless mode, but for headless mode’s own WebSocket address', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mas-csp-'));
    await writeFile(join(dir, 'index.html'), '<!doctype html>');
    const contract = defineContract({ t: { echo: endpoint(z.object({}), z.object({})) } });
    const core = { server: createServer(contract, { t: { echo: () => ({}) } }) } as unknown as Core;
    const server = await startHeadlessServer({ core, rendererDir: dir, token: 'x'.repeat(24) });
    try {
      const desktop = directives(CONTENT_SECURITY_POLICY);
      const headless = directives(await headerOf(server.port));
      expect([...headless.keys()]).toEqual([...desktop.keys()]);
      for (const [name, values] of desktop) {
        const expected = name === 'connect-src' ? [...values, `ws://127.0.0.1:${server.port}`, `ws://localhost:${server.port}`] : values;
        expect(headless.get(name), name).toEqual(expected);
      }
      expect(desktop.get('script-src')).toEqual(["'self'"]);
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
