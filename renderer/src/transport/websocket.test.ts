import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { z } from 'zod';
import { createClient } from '../../../shared/rpc/client';
import { defineContract, request } from '../../../shared/rpc/define';
import { MAX_REQUEST_BYTES } from '../../../shared/rpc/frames';
import { websocketTransport } from './websocket';

// The page's WebSocket transport against a real socket server: every call ends, whatever the socket does.
const contract = defineContract({ t: { echo: request(z.object({ s: z.string() }), z.object({ s: z.string() })) } });

let wss: WebSocketServer;
const original = globalThis.WebSocket;
beforeEach(async () => {
  // The page's WebSocket, in Node: the ws package has the same API.
  (globalThis as { WebSocket: unknown }).WebSocket = WebSocket;
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
});
afterEach(async () => {
  (globalThis as { WebSocket: unknown }).WebSocket = original;
  for (const c of wss.clients) c.terminate();
  await new Promise((r) => wss.close(r));
});

const url = () => `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;

describe('page WebSocket transport', () => {
  it('a call whose connection closes rejects with DISCONNECTED, and so does one made after', async () => {
    wss.on('connection', (socket) => socket.on('message', () => socket.close()));
    const api = createClient(contract, websocketTransport(url()));
    await expect(api.t.echo({ s: 'x' })).rejects.toMatchObject({ code: 'DISCONNECTED' });
    await expect(api.t.echo({ s: 'y' })).rejects.toMatchObject({ code: 'DISCONNECTED' });
  });

  it('a call sent while the socket is still connecting waits for it, and is answered', async () => {
    wss.on('connection', (socket) =>
      socket.on('message', (data: Buffer) => {
        const f = JSON.parse(data.toString()) as { id: number; input: { s: string } };
        socket.send(JSON.stringify({ t: 'res', id: f.id, output: { s: f.input.s } }));
      }),
    );
    const api = createClient(contract, websocketTransport(url()));
    await expect(api.t.echo({ s: 'early' })).resolves.toEqual({ s: 'early' });
  });

  it('refuses an input over what the server takes before sending it, and the connection stays usable', async () => {
    let received = 0;
    wss.on('connection', (socket) =>
      socket.on('message', (data: Buffer) => {
        received++;
        const f = JSON.parse(data.toString()) as { id: number };
        socket.send(JSON.stringify({ t: 'res', id: f.id, output: { s: 'ok' } }));
      }),
    );
    const api = createClient(contract, websocketTransport(url()));
    await expect(api.t.echo({ s: 'é'.repeat(MAX_REQUEST_BYTES / 2) })).rejects.toMatchObject({ code: 'FRAME_TOO_LARGE' });
    await expect(api.t.echo({ s: 'small' })).resolves.toEqual({ s: 'ok' });
    expect(received).toBe(1);
  });
});
