import { describe, expect, it } from 'vitest';
import type { BuilderList } from '../../../shared/contract/builders';
import type { CoreContext } from '../context';
import { RecentFacts } from './facts';

// The caching policy alone: which reads happen when. What the facts hold is covered against the
// real engine (builds.engine.test.ts).

function setup(ttlMs = 30_000) {
  const clock = { now: 1_000_000 };
  const log: string[] = [];
  let reads = 0;
  let engineGone = false;
  const ctx = {
    engine: { info: () => (engineGone ? Promise.reject(new Error('the engine is not answering')) : Promise.resolve({ platform: 'linux/amd64', containerdImageStore: false })) },
    log: (m: string) => log.push(m),
  } as unknown as CoreContext;
  const builders = (): Promise<BuilderList> => {
    reads++;
    return Promise.resolve({ current: `builder-${reads}`, builders: [] } as unknown as BuilderList);
  };
  const facts = new RecentFacts(ctx, { builders }, ttlMs, () => clock.now);
  return { facts, clock, log, reads: () => reads, stopEngine: () => (engineGone = true) };
}

describe('RecentFacts', () => {
  it('reads once when nothing is cached, then serves the copy however old, reading nothing while a build starts', async () => {
    const t = setup();
    expect((await t.facts.recent()).currentBuilder).toBe('builder-1');
    t.clock.now += 3_600_000;
    expect((await t.facts.recent()).currentBuilder).toBe('builder-1');
    await t.facts.settled();
    expect(t.reads()).toBe(1);
  });

  it('refreshes an old copy once when asked (a build has ended), not a young one', async () => {
    const t = setup(30_000);
    await t.facts.read();
    t.clock.now += 29_999;
    t.facts.refreshIfOld();
    await t.facts.settled();
    expect(t.reads()).toBe(1);

    t.clock.now += 1;
    t.facts.refreshIfOld();
    t.facts.refreshIfOld(); // a second end while the first refresh runs reads nothing more
    await t.facts.settled();
    expect(t.reads()).toBe(2);
    expect((await t.facts.recent()).currentBuilder).toBe('builder-2');
  });

  it('reads a copy again before it refuses a build, and uses it as it is when it admits one or was read just now', async () => {
    const t = setup();
    // nothing cached: read once, never twice, even when those facts refuse
    expect((await t.facts.recentUnlessRefused(() => true)).currentBuilder).toBe('builder-1');
    expect(t.reads()).toBe(1);
    // a copy that admits the build is used as it is
    expect((await t.facts.recentUnlessRefused((f) => f.currentBuilder !== 'builder-1')).currentBuilder).toBe('builder-1');
    expect(t.reads()).toBe(1);
    // a copy that would refuse it is read again, and the new facts are kept for the next build
    expect((await t.facts.recentUnlessRefused((f) => f.currentBuilder === 'builder-1')).currentBuilder).toBe('builder-2');
    expect(t.reads()).toBe(2);
    expect((await t.facts.recent()).currentBuilder).toBe('builder-2');
  });

  it('keeps the old copy when the refresh fails, and logs why', async () => {
    const t = setup(10);
    await t.facts.read();
    t.clock.now += 10;
    t.stopEngine();
    t.facts.refreshIfOld();
    await t.facts.settled();
    expect((await t.facts.recent()).currentBuilder).toBe('builder-1');
    expect(t.log.join('\n')).toContain('facts not refreshed: the engine is not answering');
  });

  it('refreshes nothing before anything was read', async () => {
    const t = setup(0);
    t.facts.refreshIfOld();
    await t.facts.settled();
    expect(t.reads()).toBe(0);
  });
});
