import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { createClient } from './client';
import { defineContract, event, request, stream, type ClientOf, type HandlersOf } from './define';
import { RpcError } from './errors';
import { createMemoryPair } from './memory-transport';
import { STREAM_WINDOW } from './frames';
import { bindHandlers, createServer, MAX_RUNNING_PER_CONNECTION } from './server';

const contract = defineContract({
  math: {
    add: request(z.object({ a: z.number(), b: z.number() }), z.object({ sum: z.number() })),
    fail: request(z.object({}), z.object({})),
    crash: request(z.object({}), z.object({})),
    count: stream(z.object({ to: z.number().int().min(0) }), z.number(), z.object({ total: z.number() })),
    forever: stream(z.object({}), z.number(), z.object({})),
    onTick: event(z.object({ n: z.number() })),
  },
});

function setup(handlers: HandlersOf<typeof contract>) {
  const pair = createMemoryPair();
  const server = createServer(contract, handlers, { validateOutputs: true });
  server.connect(pair.server);
  const api = createClient(contract, pair.client);
  return { api, server, pair };
}

const signals: AbortSignal[] = [];
const baseHandlers: HandlersOf<typeof contract> = {
  math: {
    add: ({ a, b }) => ({ sum: a + b }),
    fail: () => {
      throw new RpcError('NOPE', 'It failed because of X.', { hint: 'Do Y.' });
    },
    crash: () => {
      throw new Error('boom');
    },
    count: async ({ to }, { emit }) => {
      for (let i = 1; i <= to; i++) await emit(i);
      return { total: to };
    },
    forever: async (_input, { signal }) => {
      signals.push(signal);
      await new Promise((resolve) => signal.addEventListener('abort', resolve));
      return {};
    },
  },
};

describe('contract derivation', () => {
  it('types the client and handlers from the contract', () => {
    type Api = ClientOf<typeof contract>;
    expectTypeOf<Api['math']['add']>().parameter(0).toEqualTypeOf<{ a: number; b: number }>();
    expectTypeOf<Api['math']['add']>().returns.resolves.toEqualTypeOf<{ sum: number }>();
    expectTypeOf<Api['math']['onTick']>().parameter(0).parameter(0).toEqualTypeOf<{ n: number }>();
    // A missing handler is a compile error ...
    // @ts-expect-error math.crash etc. are missing
    const partial: HandlersOf<typeof contract> = { math: { add: () => ({ sum: 1 }) } };
    // ... and a start-up error naming the channels.
    expect(() => createServer(contract, partial)).toThrow(/No handler for contract channel\(s\): math\.fail, math\.crash/);
  });

  it('ignores events when looking for handlers', () => {
    expect([...bindHandlers(contract, baseHandlers).keys()]).toEqual([
      'math.add',
      'math.fail',
      'math.crash',
      'math.count',
      'math.forever',
    ]);
  });
});

describe('rpc over the in-memory pair', () => {
  it('answers a request', async () => {
    const { api } = setup(baseHandlers);
    await expect(api.math.add({ a: 2, b: 3 })).resolves.toEqual({ sum: 5 });
  });

  it('refuses bad input with BAD_INPUT before the handler runs', async () => {
    let ran = false;
    const { api } = setup({ ...baseHandlers, math: { ...baseHandlers.math, add: () => ((ran = true), { sum: 0 }) } });
    const error = await api.math.add({ a: 'x' as unknown as number, b: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe('BAD_INPUT');
    expect((error as RpcError).message).toMatch(/a: /);
    expect(ran).toBe(false);
  });

  it('answers UNKNOWN_CHANNEL for a channel the contract does not have', async () => {
    const pair = createMemoryPair();
    createServer(contract, baseHandlers).connect(pair.server);
    const frames: unknown[] = [];
    pair.client.onFrame((f) => frames.push(f));
    pair.client.send({ t: 'req', id: 7, ch: 'math.nope', input: {} });
    await new Promise((r) => setTimeout(r, 5));
    expect(frames).toEqual([{ t: 'err', id: 7, error: { code: 'UNKNOWN_CHANNEL', message: 'Unknown channel "math.nope"' } }]);
  });

  it('carries handler errors with code, message and hint; other throws become INTERNAL', async () => {
    const { api } = setup(baseHandlers);
    await expect(api.math.fail({})).rejects.toMatchObject({ code: 'NOPE', message: 'It failed because of X.', hint: 'Do Y.' });
    await expect(api.math.crash({})).rejects.toMatchObject({ code: 'INTERNAL', message: 'boom' });
  });

  it('streams chunks in order with flow control past the window', async () => {
    const { api } = setup(baseHandlers);
    const seen: number[] = [];
    const call = api.math.count({ to: STREAM_WINDOW * 5 }, { onChunk: (n) => seen.push(n) });
    await expect(call.result).resolves.toEqual({ total: STREAM_WINDOW * 5 });
    expect(seen).toEqual(Array.from({ length: STREAM_WINDOW * 5 }, (_, i) => i + 1));
  });

  it('holds the sender when the receiver does not acknowledge', async () => {
    const pair = createMemoryPair();
    createServer(contract, baseHandlers).connect(pair.server);
    let chunks = 0;
    pair.client.onFrame((f) => {
      if (f.t === 'chunk') chunks++;
    });
    pair.client.send({ t: 'req', id: 1, ch: 'math.count', input: { to: STREAM_WINDOW * 3 } });
    await new Promise((r) => setTimeout(r, 20));
    expect(chunks).toBe(STREAM_WINDOW);
    pair.client.send({ t: 'ack', id: 1, seq: STREAM_WINDOW });
    await new Promise((r) => setTimeout(r, 20));
    expect(chunks).toBe(STREAM_WINDOW * 2);
  });

  it('cancel aborts the handler signal and rejects with CANCELLED', async () => {
    const { api } = setup(baseHandlers);
    const call = api.math.forever({});
    await new Promise((r) => setTimeout(r, 5));
    call.cancel();
    await expect(call.result).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(signals.at(-1)?.aborted).toBe(true);
  });

  it('closing the connection aborts running handlers and rejects pending calls', async () => {
    const { api, pair, server } = setup(baseHandlers);
    const call = api.math.forever({});
    await new Promise((r) => setTimeout(r, 5));
    pair.close();
    await expect(call.result).rejects.toMatchObject({ code: 'DISCONNECTED' });
    expect(signals.at(-1)?.aborted).toBe(true);
    expect(server.connections).toBe(0);
  });

  it('delivers events only to subscribers, until they unsubscribe', async () => {
    const { api, server } = setup(baseHandlers);
    const seen: number[] = [];
    server.emit('math.onTick', { n: 0 }); // nobody subscribed yet
    const off = api.math.onTick(({ n }) => seen.push(n));
    await new Promise((r) => setTimeout(r, 5));
    server.emit('math.onTick', { n: 1 });
    await new Promise((r) => setTimeout(r, 5));
    off();
    await new Promise((r) => setTimeout(r, 5));
    server.emit('math.onTick', { n: 2 });
    await new Promise((r) => setTimeout(r, 5));
    expect(seen).toEqual([1]);
  });

  it('refuses a request id that is already running, and the first call stays cancellable', async () => {
    const pair = createMemoryPair();
    const aborted: boolean[] = [];
    createServer(contract, {
      ...baseHandlers,
      math: { ...baseHandlers.math, forever: (_input, { signal }) => new Promise((resolve) => signal.addEventListener('abort', () => (aborted.push(true), resolve({})))) },
    }).connect(pair.server);
    const frames: Array<{ t: string; id?: number; error?: { code: string } }> = [];
    pair.client.onFrame((f) => frames.push(f));
    pair.client.send({ t: 'req', id: 3, ch: 'math.forever', input: {} });
    pair.client.send({ t: 'req', id: 3, ch: 'math.forever', input: {} });
    await new Promise((r) => setTimeout(r, 5));
    expect(frames).toEqual([expect.objectContaining({ t: 'err', id: 3, error: expect.objectContaining({ code: 'BAD_FRAME' }) })]);
    pair.client.send({ t: 'cancel', id: 3 });
    await new Promise((r) => setTimeout(r, 5));
    expect(aborted).toEqual([true]);
  });

  it('refuses calls past the per-connection limit with BUSY, without running them', async () => {
    const pair = createMemoryPair();
    let started = 0;
    createServer(contract, {
      ...baseHandlers,
      math: { ...baseHandlers.math, forever: (_input, { signal }) => ((started += 1), new Promise((resolve) => signal.addEventListener('abort', () => resolve({})))) },
    }).connect(pair.server);
    const errors: string[] = [];
    pair.client.onFrame((f) => {
      if (f.t === 'err') errors.push(f.error.code);
    });
    for (let id = 1; id <= MAX_RUNNING_PER_CONNECTION + 1; id++) pair.client.send({ t: 'req', id, ch: 'math.forever', input: {} });
    await new Promise((r) => setTimeout(r, 10));
    expect(started).toBe(MAX_RUNNING_PER_CONNECTION);
    expect(errors).toEqual(['BUSY']);
    pair.close();
  });
});
