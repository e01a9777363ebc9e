import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { createClient } from './client';
import { defineContract, event, request, stream, type ClientOf, type HandlersOf } from './define';
import { RpcError } from './errors';
import { createMemoryPair } from './memory-transport';
import { MAX_FRAME_BYTES, STREAM_WINDOW, type Frame, type Transport } from './frames';
import { bindHandlers, createServer, MAX_RUNNING_PER_CONNECTION } from './server';

/** Lets every queued delivery and handler step run (the in-memory pipe is asynchronous); no clock involved. */
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

const contract = defineContract({
  math: {
    add: request(z.object({ a: z.number(), b: z.number() }), z.object({ sum: z.number() })),
    fail: request(z.object({}), z.object({})),
    crash: request(z.object({}), z.object({})),
    count: stream(z.object({ to: z.number().int().min(0) }), z.number(), z.object({ total: z.number() })),
    forever: stream(z.object({}), z.number(), z.object({})),
    ping: request(z.object({}).optional(), z.literal('pong')),
    big: request(z.object({ bytes: z.number() }), z.string()),
    bigint: request(z.object({}), z.unknown()),
    text: stream(z.object({ parts: z.array(z.string()) }), z.string(), z.object({}), { units: (s) => s.length, window: 10 }),
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
      throw new RpcError('ENGINE_ERROR', 'It failed because of X.', { hint: 'Do Y.' });
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
    ping: () => 'pong' as const,
    big: ({ bytes }) => 'x'.repeat(bytes),
    bigint: () => 10n,
    text: async ({ parts }, { emit }) => {
      // 'huge' stands for a chunk over the frame cap, made by the handler
      for (const p of parts) await emit(p === 'huge' ? 'x'.repeat(MAX_FRAME_BYTES + 1) : p);
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
      'math.ping',
      'math.big',
      'math.bigint',
      'math.text',
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
    const frames: Frame[] = [];
    pair.client.onFrame((f) => frames.push(f as Frame));
    pair.client.send({ t: 'req', id: 7, ch: 'math.nope', input: {} });
    await settle();
    expect(frames).toEqual([{ t: 'err', id: 7, error: { code: 'UNKNOWN_CHANNEL', message: 'Unknown channel "math.nope"' } }]);
  });

  it('carries handler errors with code, message and hint; other throws become INTERNAL', async () => {
    const { api } = setup(baseHandlers);
    await expect(api.math.fail({})).rejects.toMatchObject({ code: 'ENGINE_ERROR', message: 'It failed because of X.', hint: 'Do Y.' });
    await expect(api.math.crash({})).rejects.toMatchObject({ code: 'INTERNAL', message: 'boom' });
  });

  it('answers an error that breaks its endpoint’s declaration as BAD_OUTPUT and reports it (checkError, tests)', async () => {
    const pair = createMemoryPair();
    const reported: string[] = [];
    const server = createServer(contract, baseHandlers, {
      checkError: (channel, error) => (error.code === 'ENGINE_ERROR' ? `${channel} raised ${error.code}, which it does not declare` : undefined),
      onInternalError: (channel, error) => reported.push(`${channel}: ${(error as Error).message}`),
    });
    server.connect(pair.server);
    const api = createClient(contract, pair.client);
    await expect(api.math.fail({})).rejects.toMatchObject({ code: 'BAD_OUTPUT', message: 'math.fail raised ENGINE_ERROR, which it does not declare (ENGINE_ERROR: It failed because of X.)' });
    await expect(api.math.crash({})).rejects.toMatchObject({ code: 'INTERNAL', message: 'boom' });
    expect(reported).toEqual(['math.fail: math.fail raised ENGINE_ERROR, which it does not declare', 'math.crash: boom']);
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
      if ((f as Frame).t === 'chunk') chunks++;
    });
    pair.client.send({ t: 'req', id: 1, ch: 'math.count', input: { to: STREAM_WINDOW * 3 } });
    await settle();
    expect(chunks).toBe(STREAM_WINDOW);
    pair.client.send({ t: 'ack', id: 1, seq: STREAM_WINDOW });
    await settle();
    expect(chunks).toBe(STREAM_WINDOW * 2);
  });

  it('cancel aborts the handler signal and rejects with CANCELLED', async () => {
    const { api } = setup(baseHandlers);
    const call = api.math.forever({});
    await settle();
    call.cancel();
    await expect(call.result).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(signals.at(-1)?.aborted).toBe(true);
  });

  it('closing the connection aborts running handlers and rejects pending calls', async () => {
    const { api, pair, server } = setup(baseHandlers);
    const call = api.math.forever({});
    await settle();
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
    await settle();
    server.emit('math.onTick', { n: 1 });
    await settle();
    off();
    await settle();
    server.emit('math.onTick', { n: 2 });
    await settle();
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
    pair.client.onFrame((f) => frames.push(f as Frame));
    pair.client.send({ t: 'req', id: 3, ch: 'math.forever', input: {} });
    pair.client.send({ t: 'req', id: 3, ch: 'math.forever', input: {} });
    await settle();
    expect(frames).toEqual([expect.objectContaining({ t: 'err', id: 3, error: expect.objectContaining({ code: 'BAD_FRAME' }) })]);
    pair.client.send({ t: 'cancel', id: 3 });
    await settle();
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
    pair.client.onFrame((raw) => {
      const f = raw as Frame;
      if (f.t === 'err') errors.push(f.error.code);
    });
    for (let id = 1; id <= MAX_RUNNING_PER_CONNECTION + 1; id++) pair.client.send({ t: 'req', id, ch: 'math.forever', input: {} });
    await settle();
    expect(started).toBe(MAX_RUNNING_PER_CONNECTION);
    expect(errors).toEqual(['BUSY']);
    pair.close();
  });
});

/** A raw peer on the server side of the pair: sends frames or text, records what comes back. */
function rawPeer(handlers = baseHandlers, options: Parameters<typeof createServer>[2] = {}) {
  const pair = createMemoryPair();
  const server = createServer(contract, handlers, options);
  server.connect(pair.server);
  const frames: Frame[] = [];
  pair.client.onFrame((f) => frames.push(f as Frame));
  return { pair, server, frames, send: (f: unknown) => pair.client.sendText(JSON.stringify(f)) };
}

describe('every frame that carries an id is answered', () => {
  it('a request without input runs when its input may be missing, and gets BAD_INPUT otherwise', async () => {
    const { send, frames } = rawPeer();
    send({ t: 'req', id: 1, ch: 'math.ping' });
    send({ t: 'req', id: 2, ch: 'math.add' });
    await settle();
    expect(frames.sort((a, b) => ('id' in a ? a.id : 0) - ('id' in b ? b.id : 0))).toEqual([
      { t: 'res', id: 1, output: 'pong' },
      expect.objectContaining({ t: 'err', id: 2, error: expect.objectContaining({ code: 'BAD_INPUT', message: 'Invalid input for math.add: Invalid input: expected object, received undefined' }) }),
    ]);
  });

  it('a request to an event is refused as such', async () => {
    const { send, frames } = rawPeer();
    send({ t: 'req', id: 4, ch: 'math.onTick', input: {} });
    await settle();
    expect(frames).toEqual([{ t: 'err', id: 4, error: { code: 'UNKNOWN_CHANNEL', message: '"math.onTick" is an event: subscribe to it instead.' } }]);
  });

  it('a malformed frame, an unknown type, or a frame only the core sends gets BAD_FRAME for its id', async () => {
    const { send, frames } = rawPeer();
    send({ t: 'req', id: 5, ch: 42, input: {} });
    send({ t: 'launch', id: 6 });
    send({ t: 'res', id: 7, output: 1 });
    send({ t: 'ack', id: 8, seq: 'many' });
    await settle();
    expect(frames.map((f) => [f.t, 'id' in f ? f.id : undefined, f.t === 'err' ? f.error.code : undefined])).toEqual([
      ['err', 5, 'BAD_FRAME'],
      ['err', 6, 'BAD_FRAME'],
      ['err', 7, 'BAD_FRAME'],
      ['err', 8, 'BAD_FRAME'],
    ]);
    expect(frames[1]).toMatchObject({ error: { message: expect.stringMatching(/not a frame of this protocol/) } });
  });

  it('what has no usable id gets a fault, which the client reports', async () => {
    const { pair, send, frames } = rawPeer();
    pair.client.sendText('{"t":"req",');
    send({ t: 'req', id: -1, ch: 'math.ping' });
    send([1, 2, 3]);
    send({ t: 'sub', ch: 'math.nothing' });
    await settle();
    expect(frames.map((f) => f.t)).toEqual(['fault', 'fault', 'fault', 'fault']);
    expect(frames[0]).toMatchObject({ error: { code: 'BAD_FRAME', message: expect.stringMatching(/not JSON/) } });
    expect(frames[3]).toMatchObject({ error: { message: expect.stringMatching(/no event is called "math.nothing"/) } });

    // The client side: a fault is reported, never dropped.
    const faults: string[] = [];
    const other = createMemoryPair();
    createClient(contract, other.client, { onFault: (e) => faults.push(e.code) });
    other.server.send({ t: 'fault', error: { code: 'BAD_FRAME', message: 'x' } });
    other.server.sendText('not json');
    await settle();
    expect(faults).toEqual(['BAD_FRAME', 'BAD_FRAME']);
  });

  it('a broken frame naming a running call ends that call on both sides', async () => {
    const { send, frames } = rawPeer();
    send({ t: 'req', id: 9, ch: 'math.forever', input: {} });
    await settle();
    send({ t: 'cancel', id: 9, extra: { deep: true }, because: 1 }); // extra keys are fine: a valid cancel
    send({ t: 'ack', id: 10, seq: 1 }); // for no running call: nothing to answer
    await settle();
    expect(frames).toEqual([expect.objectContaining({ t: 'err', id: 9, error: expect.objectContaining({ code: 'CANCELLED' }) })]);
    send({ t: 'req', id: 11, ch: 'math.forever', input: {} });
    await settle();
    send({ t: 'ack', id: 11, seq: null });
    await settle();
    // One answer (BAD_FRAME), and the handler was stopped: no CANCELLED follows.
    expect(frames.slice(1)).toEqual([expect.objectContaining({ t: 'err', id: 11, error: expect.objectContaining({ code: 'BAD_FRAME', message: expect.stringMatching(/seq: /) }) })]);
    expect(signals.at(-1)?.aborted).toBe(true);
  });
});

describe('caps', () => {
  it('an answer over the frame cap becomes FRAME_TOO_LARGE for its caller, and the connection goes on', async () => {
    const { api } = setup(baseHandlers);
    const error = await api.math.big({ bytes: MAX_FRAME_BYTES + 1 }).catch((e: unknown) => e as RpcError);
    expect(error).toMatchObject({ code: 'FRAME_TOO_LARGE', message: expect.stringMatching(/^The answer of math\.big could not be sent: The message is 8\.0 MB, more than the 8\.0 MB/) });
    await expect(api.math.big({ bytes: 10 })).resolves.toBe('x'.repeat(10));
  });

  it('a chunk over the frame cap fails its emit, and the stream ends with FRAME_TOO_LARGE', async () => {
    const { api } = setup(baseHandlers);
    const got: string[] = [];
    const call = api.math.text({ parts: ['ok', 'huge'] }, { onChunk: (c) => void got.push(c) });
    await expect(call.result).rejects.toMatchObject({ code: 'FRAME_TOO_LARGE' });
    expect(got).toEqual(['ok']);
  });

  it('an answer that is not JSON becomes BAD_OUTPUT; an input that is not JSON fails the call at once', async () => {
    const { api } = setup(baseHandlers);
    await expect(api.math.bigint({})).rejects.toMatchObject({ code: 'BAD_OUTPUT' });
    await expect(api.math.add({ a: 1n as unknown as number, b: 2 })).rejects.toMatchObject({ code: 'BAD_OUTPUT', message: expect.stringMatching(/BigInt/) });
  });

  it('refuses calls past the global limit with BUSY across connections', async () => {
    const server = createServer(contract, baseHandlers, { maxRunning: 3 });
    const a = createMemoryPair();
    const b = createMemoryPair();
    server.connect(a.server);
    server.connect(b.server);
    const apiA = createClient(contract, a.client);
    const apiB = createClient(contract, b.client);
    const calls = [apiA.math.forever({}), apiA.math.forever({}), apiB.math.forever({})];
    await settle();
    expect(server.running).toBe(3);
    const refused = await apiB.math.ping().catch((e: unknown) => e as RpcError);
    expect(refused).toMatchObject({ code: 'BUSY', message: 'math.ping was not started: 3 calls are already running in the app core.', hint: expect.stringMatching(/Wait/) });
    calls[0]!.cancel();
    await expect(calls[0]!.result).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(apiB.math.ping()).resolves.toBe('pong');
    a.close();
    b.close();
    await Promise.all(calls.slice(1).map((c) => expect(c.result).rejects.toMatchObject({ code: 'DISCONNECTED' })));
  });

  it('a connection that does not read its answers gets BUSY for new calls, and streams wait for it to drain', async () => {
    const pair = createMemoryPair();
    let drained!: () => void;
    let backlogged = false;
    const slow: Transport = {
      send: (f) => pair.server.send(f),
      onFrame: (l) => pair.server.onFrame(l),
      onClose: (l) => pair.server.onClose(l),
      writable: () => new Promise<void>((resolve) => (drained = resolve)),
      get backlogged() {
        return backlogged;
      },
    };
    createServer(contract, baseHandlers).connect(slow);
    const api = createClient(contract, pair.client);
    const seen: number[] = [];
    const call = api.math.count({ to: 3 }, { onChunk: (n) => seen.push(n) });
    await settle();
    expect(seen).toEqual([1]);
    backlogged = true;
    await expect(api.math.ping()).rejects.toMatchObject({ code: 'BUSY', message: expect.stringMatching(/has not read the answers/) });
    backlogged = false;
    drained();
    await settle();
    expect(seen).toEqual([1, 2]);
    drained();
    await settle();
    drained();
    await expect(call.result).resolves.toEqual({ total: 3 });
  });
});

describe('flow control by what the receiver consumed', () => {
  it('counts units the contract names, and acknowledges a chunk only when its handler is done with it', async () => {
    const { pair, server: _server } = (() => {
      const pair = createMemoryPair();
      const server = createServer(contract, baseHandlers);
      server.connect(pair.server);
      return { pair, server };
    })();
    const sent: Frame[] = [];
    const client = pair.client;
    const watched: Transport = { ...client, send: (f) => (sent.push(f), client.send(f)), onFrame: client.onFrame, onClose: client.onClose };
    const api = createClient(contract, watched);
    const got: string[] = [];
    const done: Array<() => void> = [];
    const call = api.math.text({ parts: ['abcd', 'efghij', 'k', 'lm'] }, { onChunk: (s) => (got.push(s), new Promise<void>((r) => done.push(r))) });
    await settle();
    // 4 + 6 units reach the window of 10: the third waits until the receiver has consumed some.
    expect(got).toEqual(['abcd', 'efghij']);
    expect(sent.filter((f) => f.t === 'ack')).toEqual([]);
    done[0]!();
    await settle();
    // 6 units left unconsumed: 'k' and 'lm' fit.
    expect(sent.filter((f) => f.t === 'ack')).toEqual([{ t: 'ack', id: 1, seq: 4 }]);
    expect(got).toEqual(['abcd', 'efghij', 'k', 'lm']);
    for (const d of done) d();
    await expect(call.result).resolves.toEqual({});
    // The call has ended: what is consumed after is not acknowledged to anyone.
    await settle();
    expect(sent.filter((f) => f.t === 'ack')).toHaveLength(1);
  });

  it('an acknowledgement ahead of what was sent does not open the window', async () => {
    const { send, frames } = rawPeer();
    send({ t: 'req', id: 1, ch: 'math.count', input: { to: STREAM_WINDOW * 3 } });
    await settle();
    expect(frames.filter((f) => f.t === 'chunk')).toHaveLength(STREAM_WINDOW);
    send({ t: 'ack', id: 1, seq: 1_000_000 });
    await settle();
    // It acknowledged what had been sent, no more: one more window, not the whole stream.
    expect(frames.filter((f) => f.t === 'chunk')).toHaveLength(STREAM_WINDOW * 2);
  });
});

describe('the client', () => {
  it('rejects calls when the connection closes, and new calls after', async () => {
    const pair = createMemoryPair();
    const api = createClient(contract, pair.client);
    const call = api.math.add({ a: 1, b: 2 }); // nobody serves the other side
    pair.close();
    await expect(call).rejects.toMatchObject({ code: 'DISCONNECTED' });
    await expect(api.math.add({ a: 1, b: 2 })).rejects.toMatchObject({ code: 'DISCONNECTED' });
  });

  it('a chunk handler that throws ends its call (and cancels it) instead of breaking the connection', async () => {
    const { api } = setup(baseHandlers);
    const call = api.math.forever({});
    const counting = api.math.count({ to: 2 }, {
      onChunk: () => {
        throw new Error('view gone');
      },
    });
    await expect(counting.result).rejects.toMatchObject({ code: 'INTERNAL', message: 'A chunk could not be handled: view gone' });
    await expect(api.math.add({ a: 1, b: 1 })).resolves.toEqual({ sum: 2 });
    call.cancel();
    await expect(call.result).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
