import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import type { Frame, Transport } from '../../shared/rpc/frames';
import { CLOSE_UNSUPPORTED, wsTransport } from './ws-transport';

// The server side of a real WebSocket on 127.0.0.1, read by a client the test can pause.
const servers: WebSocketServer[] = [];
afterEach(async () => {
  for (const wss of servers.splice(0)) {
    for (const c of wss.clients) c.terminate();
    await new Promise((r) => wss.close(r));
  }
});

async function pairUp(options: Parameters<typeof wsTransport>[1] = {}): Promise<{ transport: Transport; socket: WebSocket; client: WebSocket }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  servers.push(wss);
  await new Promise((r) => wss.once('listening', r));
  const accepted = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  await new Promise((r) => client.once('open', r));
  const socket = await accepted;
  return { transport: wsTransport(socket, options), socket, client };
}

const next = <T>(emitter: WebSocket, event: string) => new Promise<T>((resolve) => emitter.once(event, (...args: unknown[]) => resolve(args as T)));

describe('WebSocket transport', () => {
  it('hands over a binary message with a call id as unreadable for that call; without one, closes saying why', async () => {
    const { transport, client } = await pairUp();
    const got: unknown[] = [];
    transport.onFrame((f) => got.push(f));
    client.send(Buffer.from(JSON.stringify({ t: 'req', id: 12, ch: 'a.b', input: {} })));
    client.send('{"t":"cancel","id":3}');
    const closed = next<[number, Buffer]>(client, 'close');
    client.send(Buffer.from([0xff, 0x00, 0x13]));
    const [code, reason] = await closed;
    expect(got).toEqual([expect.objectContaining({ id: 12, reason: expect.stringMatching(/binary/) }), { t: 'cancel', id: 3 }]);
    expect(code).toBe(CLOSE_UNSUPPORTED);
    expect(reason.toString()).toMatch(/Binary messages are not part of this protocol/);
  });

  it('holds streams back while the reader does not read, and lets them go when it does', async () => {
    const { transport, client } = await pairUp({ highWater: 64 * 1024 });
    const received: number[] = [];
    client.on('message', (d: Buffer) => received.push(d.length));
    // The client stops reading: its socket buffers fill, then ws queues, then the transport says wait.
    (client as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const frame: Frame = { t: 'event', ch: 'x.y', payload: 'z'.repeat(256 * 1024) };
    let sends = 0;
    for (; sends < 1000 && !transport.backlogged; sends++) transport.send(frame);
    expect(transport.backlogged).toBe(true);
    const waiting = transport.writable!();
    let released = false;
    void waiting.then(() => (released = true));
    await new Promise((r) => setImmediate(r));
    expect(released).toBe(false);
    (client as unknown as { _socket: { resume(): void } })._socket.resume();
    await waiting;
    expect(released).toBe(true);
    expect(transport.backlogged).toBe(false);
    expect(sends).toBeLessThan(1000);
  });

  it('disconnects a reader that lets its backlog reach the cap, instead of growing the server', async () => {
    const { transport, client } = await pairUp({ highWater: 64 * 1024, maxBacklog: 1024 * 1024 });
    (client as unknown as { _socket: { pause(): void } })._socket.pause();
    const frame: Frame = { t: 'event', ch: 'x.y', payload: 'z'.repeat(128 * 1024) };
    let error: unknown;
    for (let i = 0; i < 10_000 && !error; i++) {
      try {
        transport.send(frame);
      } catch (e) {
        error = e;
      }
    }
    expect(error).toMatchObject({ code: 'DISCONNECTED', message: expect.stringMatching(/stopped reading/) });
    expect(() => transport.send(frame)).toThrow(/disconnected/);
  });
});
