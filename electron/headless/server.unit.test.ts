import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { z } from 'zod';
import { defineContract, request } from '../../shared/rpc/define';
import { createServer } from '../../shared/rpc/server';
import type { Core } from '../core/composition';
import { startHeadlessServer, type HeadlessServer } from './server';

// The headless server's own guards (bind address, token, Origin, Host, payload cap, static root),
// with a one-channel contract: these guards sit in front of whatever the core serves.
const contract = defineContract({ t: { echo: request(z.object({ s: z.string() }), z.object({ s: z.string() })) } });
const TOKEN = 'test-token-0123456789abcdef';

let root: string;
let dir: string;
let server: HeadlessServer;

beforeAll(async () => {
  // The renderer folder, with a file beside it that no path may reach.
  root = await mkdtemp(join(tmpdir(), 'mas-test-headless-'));
  dir = join(root, 'renderer');
  await mkdir(dir);
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>studio</title>');
  await writeFile(join(root, 'mas-test-outside.txt'), 'outside');
  const rpc = createServer(contract, { t: { echo: ({ s }) => ({ s }) } });
  server = await startHeadlessServer({ core: { server: rpc } as unknown as Core, rendererDir: dir, token: TOKEN });
});

afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

function get(path: string, host = `127.0.0.1:${server.port}`): Promise<{ status: number; body: string; csp?: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.port, path, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, csp: res.headers['content-security-policy'] as string | undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens the RPC socket; resolves with 'open' or the HTTP status that refused it. */
function connect(token: string, headers: Record<string, string>): Promise<{ ws?: WebSocket; refused?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/rpc?token=${encodeURIComponent(token)}`, { headers });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => resolve({ refused: res.statusCode }));
    ws.once('error', () => resolve({ refused: -1 }));
  });
}

const origin = () => `http://127.0.0.1:${server.port}`;

describe('headless server', () => {
  it('listens on 127.0.0.1 only and puts the token in the fragment', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/#token=${TOKEN}`);
  });

  it('serves the renderer with the CSP, and nothing outside its folder', async () => {
    const index = await get('/');
    expect(index.status).toBe(200);
    expect(index.csp).toContain("script-src 'self'");
    // Connections back to this server only, not to any local port.
    expect(index.csp).toContain(`connect-src 'self' ws://127.0.0.1:${server.port} ws://localhost:${server.port};`);
    expect(index.csp).not.toContain(':*');
    for (const path of ['/../mas-test-outside.txt', '/%2e%2e/mas-test-outside.txt', '/..%2fmas-test-outside.txt', '/%2e%2e%2fmas-test-outside.txt']) {
      const res = await get(path);
      expect(res.status, path).not.toBe(200);
      expect(res.body).not.toContain('outside');
    }
  });

  it('answers nothing to another host name (DNS rebinding)', async () => {
    expect((await get('/', `evil.example:${server.port}`)).status).toBe(421);
    const res = await connect(TOKEN, { origin: `http://evil.example:${server.port}`, host: `evil.example:${server.port}` });
    expect(res.refused).toBe(421);
  });

  it('refuses a wrong or missing token and a foreign or missing Origin', async () => {
    expect((await connect('', { origin: origin() })).refused).toBe(401);
    expect((await connect(TOKEN.slice(0, -1) + 'x', { origin: origin() })).refused).toBe(401);
    expect((await connect(TOKEN + 'x', { origin: origin() })).refused).toBe(401);
    expect((await connect(TOKEN, { origin: 'http://evil.example' })).refused).toBe(403);
    expect((await connect(TOKEN, {})).refused).toBe(403);
  });

  it('serves the contract to its own page, and closes a socket that sends more than the payload cap', async () => {
    const { ws } = await connect(TOKEN, { origin: origin() });
    expect(ws).toBeDefined();
    const answer = await new Promise<unknown>((resolve) => {
      ws!.once('message', (data: Buffer) => resolve(JSON.parse(data.toString())));
      ws!.send(JSON.stringify({ t: 'req', id: 1, ch: 't.echo', input: { s: 'hi' } }));
    });
    expect(answer).toEqual({ t: 'res', id: 1, output: { s: 'hi' } });
    const code = await new Promise<number>((resolve) => {
      ws!.once('close', (c: number) => resolve(c));
      ws!.send(JSON.stringify({ t: 'req', id: 2, ch: 't.echo', input: { s: 'x'.repeat(5 * 1024 * 1024) } }));
    });
    expect(code).toBe(1009);
    // The oversized message ended that socket only: the server still serves a new one.
    const again = await connect(TOKEN, { origin: origin() });
    expect(again.ws).toBeDefined();
    again.ws!.close();
  });
});
