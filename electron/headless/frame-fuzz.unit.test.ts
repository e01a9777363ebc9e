import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { contract, type Handlers } from '../../shared/contract';
import { endpoints } from '../../shared/rpc/define';
import { frameSchema, type Frame } from '../../shared/rpc/frames';
import { createMemoryPair } from '../../shared/rpc/memory-transport';
import { createServer } from '../../shared/rpc/server';
import type { Core } from '../core/composition';
import { startHeadlessServer, type HeadlessServer } from './server';

// Fuzz of the frame layer with the real contract: every channel gets missing input, wrong types,
// oversized and deeply nested input, and garbage frames, over the real WebSocket server and the
// in-memory pair. Every frame with a usable id must be answered exactly once, every other
// unusable frame must get a fault, and the server must still serve a normal call after.
// What runs behind the frame layer is not under test: handlers answer at once.

const entries = endpoints(contract);
const events = new Set(entries.filter((e) => e.def.kind === 'event').map((e) => e.name));

function stubHandlers(): Handlers {
  const table: Record<string, Record<string, unknown>> = {};
  for (const e of entries) {
    if (e.def.kind === 'event') continue;
    (table[e.group] ??= {})[e.key] =
      e.def.kind === 'stream'
        ? async (_input: unknown, ctx: { emit(c: unknown): Promise<void> }) => {
            await ctx.emit({ id: 'stub' });
            return { stub: e.name };
          }
        : () => ({ stub: e.name });
  }
  return table as unknown as Handlers;
}

/** A peer that sends raw text and reads frames. */
interface Peer {
  sendText(text: string): void;
  onFrame(listener: (frame: Frame) => void): void;
  close(): void;
}

/** One message and what the frame layer owes for it. */
interface Message {
  text: string;
  owes: { answer: number } | 'fault' | 'nothing';
}

const DEEP = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

/** What a message is owed, by the protocol's rules (not by reading the server's code paths). */
function owed(text: string): Message['owes'] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'fault';
  }
  const parsed = frameSchema.safeParse(value);
  if (parsed.success) {
    const f = parsed.data;
    if (f.t === 'ack' || f.t === 'cancel' || f.t === 'fault') return 'nothing';
    if ((f.t === 'sub' || f.t === 'unsub') && events.has(f.ch)) return 'nothing';
  }
  const id = (value as { id?: unknown } | null)?.id;
  const usable = typeof value === 'object' && value !== null && !Array.isArray(value) && typeof id === 'number' && Number.isSafeInteger(id) && id >= 0;
  return usable ? { answer: id } : 'fault';
}

let nextId = 1;
const req = (ch: string, inputText: string | undefined) => {
  const text = `{"t":"req","id":${nextId++},"ch":${JSON.stringify(ch)}${inputText === undefined ? '' : `,"input":${inputText}`}}`;
  return { text, owes: owed(text) };
};

const channels = entries.map((e) => e.name);
const channelArb = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...channels) }, fc.constantFrom('nope.nothing', '', '__proto__.constructor', 'app.about.x', 'builds'));
const inputArb: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 4, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
  { weight: 4, arbitrary: fc.dictionary(fc.string(), fc.jsonValue()).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 20_000 }).map(DEEP) },
  { weight: 1, arbitrary: fc.constant(JSON.stringify({ context: 'x'.repeat(200_000), platforms: [DEEP(1)], id: 'y'.repeat(100_000) })) },
);
/** Frame-like objects with any of their fields wrong or missing, and plain garbage. */
const garbageArb: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        t: fc.oneof(fc.constantFrom('req', 'res', 'err', 'chunk', 'ack', 'cancel', 'sub', 'unsub', 'event', 'fault', 'bogus'), fc.jsonValue()),
        id: fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.string(), fc.constant(null)),
        ch: fc.oneof(channelArb, fc.jsonValue()),
        seq: fc.oneof(fc.integer(), fc.jsonValue()),
        input: fc.jsonValue(),
        error: fc.oneof(fc.record({ code: fc.string(), message: fc.string() }), fc.jsonValue()),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
);
const messageArb: fc.Arbitrary<Message> = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(channelArb, inputArb).map(([ch, input]) => req(ch, input)) },
  // Ids are made unique, so each answer is tied to its frame.
  {
    weight: 2,
    arbitrary: garbageArb.map((text) => {
      const owes = owed(text);
      if (typeof owes !== 'object') return { text, owes };
      const id = nextId++;
      const fresh = text.replace(/"id":\d+/, `"id":${id}`);
      return { text: fresh, owes: owed(fresh) };
    }),
  },
);

/** Sends messages and waits until everything owed has come back; returns answers per id and the faults. */
async function exchange(peer: Peer, messages: Message[]) {
  const answers = new Map<number, Frame[]>();
  let faults = 0;
  const owedIds = messages.flatMap((m) => (typeof m.owes === 'object' ? [m.owes.answer] : []));
  const owedFaults = messages.filter((m) => m.owes === 'fault').length;
  const live = nextId++;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const check = () => {
    if (faults >= owedFaults && owedIds.every((id) => answers.has(id)) && answers.has(live)) done();
  };
  peer.onFrame((f) => {
    if (f.t === 'res' || f.t === 'err') answers.set(f.id, [...(answers.get(f.id) ?? []), f]);
    if (f.t === 'fault') faults++;
    check();
  });
  for (const m of messages) peer.sendText(m.text);
  // A normal call after the flood: the server is alive and still serving this connection.
  peer.sendText(JSON.stringify({ t: 'req', id: live, ch: 'app.about', input: {} }));
  await finished;
  return { answers, faults, owedIds, owedFaults, live };
}

function expectAllAnswered(result: Awaited<ReturnType<typeof exchange>>) {
  for (const id of result.owedIds) expect(result.answers.get(id), `answers to id ${id}`).toHaveLength(1);
  expect(result.faults).toBe(result.owedFaults);
  expect(result.answers.get(result.live)).toEqual([{ t: 'res', id: result.live, output: { stub: 'app.about' } }]);
}

/** For every channel: no input, null, wrong types, deep nesting, oversized, and a stream's chunk owed. */
function everyChannel(): Message[] {
  const inputs = [undefined, 'null', '42', '"text"', '[]', '{"context":5,"platforms":"all","id":[]}', DEEP(10_000), JSON.stringify({ id: 'x'.repeat(1_000_000) })];
  return channels.flatMap((ch) => inputs.map((input) => req(ch, input)));
}

function memoryPeer(): Peer {
  const pair = createMemoryPair();
  createServer(contract, stubHandlers()).connect(pair.server);
  return { sendText: (t) => pair.client.sendText(t), onFrame: (l) => pair.client.onFrame((f) => l(f as Frame)), close: () => pair.close() };
}

const TOKEN = 'fuzz-token-0123456789abcdef';
let dir: string;
let server: HeadlessServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mas-test-fuzz-'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>studio</title>');
  server = await startHeadlessServer({ core: { server: createServer(contract, stubHandlers()) } as unknown as Core, rendererDir: dir, token: TOKEN });
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

async function socketPeer(): Promise<Peer & { socket: WebSocket }> {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/rpc?token=${TOKEN}`, { headers: { origin: `http://127.0.0.1:${server.port}` } });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const listeners: Array<(f: Frame) => void> = [];
  socket.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString('utf8')) as Frame;
    for (const l of listeners) l(frame);
  });
  return { socket, sendText: (t) => socket.send(t), onFrame: (l) => listeners.push(l), close: () => socket.close() };
}

const SEED = 20261206;

describe.each([
  ['the in-memory pair', async () => memoryPeer()],
  ['the headless WebSocket server', socketPeer],
])('frame fuzz over %s', (_name, open) => {
  it('answers every channel given missing, wrong, oversized and 10k-deep input', async () => {
    const peer = await open();
    expectAllAnswered(await exchange(peer, everyChannel()));
    peer.close();
  });

  it('answers every id in random frames (fixed seed), and keeps serving', async () => {
    const peer = await open();
    await fc.assert(
      fc.asyncProperty(fc.array(messageArb, { minLength: 1, maxLength: 25 }), async (messages) => {
        expectAllAnswered(await exchange(peer, messages));
      }),
      { seed: SEED, numRuns: 60 },
    );
    peer.close();
  });
});

describe('frame fuzz, WebSocket only', () => {
  it('a million-deep array (2 MB of brackets) is refused, not a stack overflow', async () => {
    const peer = await socketPeer();
    const result = await exchange(peer, [req('builds.run', `{"context":"/tmp","platforms":${DEEP(1_000_000)}}`)]);
    expectAllAnswered(result);
    expect(result.answers.get(result.owedIds[0]!)?.[0]).toMatchObject({ t: 'err', error: { code: 'BAD_INPUT' } });
    peer.close();
  });

  it('a binary frame with an id is answered BAD_FRAME without running', async () => {
    const peer = await socketPeer();
    const id = nextId++;
    const answered = new Promise<Frame>((resolve) => peer.onFrame(resolve));
    peer.socket.send(Buffer.from(JSON.stringify({ t: 'req', id, ch: 'app.about', input: {} })));
    expect(await answered).toMatchObject({ t: 'err', id, error: { code: 'BAD_FRAME', message: expect.stringMatching(/binary/) } });
    peer.close();
  });
});
