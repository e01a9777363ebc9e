import { describe, expect, it } from 'vitest';
import { contract, type Handlers } from '../../../shared/contract';
import { LOG_WINDOW_CHARS, type BuildChunk, type BuildRecord } from '../../../shared/contract/builds';
import { TerminalBatchBuilder } from '../../../shared/domain/terminal-batch';
import { endpoints } from '../../../shared/rpc/define';
import { createClient } from '../../../shared/rpc/client';
import { createMemoryPair } from '../../../shared/rpc/memory-transport';
import { createServer } from '../../../shared/rpc/server';
import { TerminalFeed, type TerminalSink } from './terminal-feed';

// The pacing of build output across the real contract, client and feed: the core's `emit` waits
// once the window's terminal has not parsed LOG_WINDOW_CHARS, and goes on when it has.

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
};

class SlowSink implements TerminalSink {
  pending: Array<() => void> = [];
  written = 0;
  write(data: string, callback?: () => void) {
    this.written += data.length;
    if (callback) this.pending.push(callback);
  }
  reset() {}
  parse() {
    this.pending.splice(0).forEach((cb) => cb());
  }
}

describe('build output paced by the terminal', () => {
  it('the core waits for the terminal to parse, not for the frames to arrive', async () => {
    const line = `${'x'.repeat(98)}\r\n`;
    const chunkOf = () => {
      const b = new TerminalBatchBuilder();
      b.add(line.repeat(320), undefined, 320); // 32,000 characters
      return { id: 'b', terminal: b.take()! } satisfies BuildChunk;
    };
    let emitted = 0;
    const run = async (_input: unknown, ctx: { emit(c: BuildChunk): Promise<void> }) => {
      for (let i = 0; i < 20; i++) {
        await ctx.emit(chunkOf());
        emitted++;
      }
      return { id: 'b' } as unknown as BuildRecord;
    };
    // Only builds.run is called; every other channel answers {}.
    const groups = [...new Set(endpoints(contract).map((e) => e.group))];
    const handlers = Object.fromEntries(
      groups.map((g) => [g, new Proxy({}, { get: (_t, key) => (g === 'builds' && key === 'run' ? run : () => ({})) })]),
    ) as unknown as Handlers;
    const pair = createMemoryPair();
    createServer(contract, handlers).connect(pair.server);
    const api = createClient(contract, pair.client);
    const sink = new SlowSink();
    const feed = new TerminalFeed();
    feed.attach(sink);
    const call = api.builds.run({ context: '/tmp', platforms: ['linux/amd64'], output: { type: 'cacheonly' } }, { onChunk: (c) => feed.append(c.terminal) });
    await settle();
    // 32,000 characters a chunk: the core stops once the terminal holds a window it has not parsed.
    const inFlight = Math.floor(LOG_WINDOW_CHARS / 32_000) + 1;
    expect(emitted).toBe(inFlight - 1);
    expect(sink.written).toBe(inFlight * 32_000);
    await settle();
    expect(emitted).toBe(inFlight - 1);
    sink.parse();
    await settle();
    expect(emitted).toBe(2 * inFlight - 1);
    for (let i = 0; i < 10; i++) {
      sink.parse();
      await settle();
    }
    await expect(call.result).resolves.toEqual({ id: 'b' });
    expect(sink.written).toBe(20 * 32_000);
  });
});
