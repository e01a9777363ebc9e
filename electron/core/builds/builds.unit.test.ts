import { mkdir, mkdtemp, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TerminalBatchBuilder, batchLines, forEachRun, tailOfBatch, type BuildChunk, type BuildRecord, type TerminalBatch } from '../../../shared/contract/builds';
import { stripAnsi } from '../../../shared/domain/build-progress';
import { browseFolders, inspectContext, scanStages } from './context-folder';
import { HistoryStore } from './history-store';
import { runStepCommand } from './leftovers';
import { LogPipeline, TailCollector, replayLog } from './log-pipeline';
import { MAX_CHUNK_TEXT, Watcher, mergeChunks } from './watcher';

const captures = resolve(__dirname, '../../../shared/domain/build-progress/fixtures');
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mas-builds-unit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const record = (id: string, patch: Partial<BuildRecord> = {}): BuildRecord => ({
  schema: 1,
  id,
  request: {
    context: '/ctx',
    tags: [],
    platforms: ['linux/amd64'],
    buildArgs: [],
    output: { type: 'cacheonly' },
    provenance: false,
    sbom: false,
    noCache: false,
    pull: false,
    cacheFrom: [],
    cacheTo: [],
  },
  command: 'docker buildx build --platform linux/amd64 /ctx',
  builder: { name: 'default' },
  platforms: ['linux/amd64'],
  status: 'succeeded',
  startedAt: '2026-11-27T23:00:00.000Z',
  outcomes: [{ platform: 'linux/amd64', status: 'done', steps: 1, cached: 0 }],
  imageNames: [],
  logFile: join(dir, 'builds', id, 'build.log'),
  logBytes: 0,
  ...patch,
});

describe('history store', () => {
  it('saves atomically, lists newest first, sets a truncated record aside with a clear message', async () => {
    const store = new HistoryStore(dir);
    await store.save(record('20261127-230000-00000001'));
    await store.save(record('20261127-230100-00000002', { startedAt: '2026-11-27T23:01:00.000Z' }));
    const file = join(dir, 'builds', '20261127-230000-00000001', 'build.json');
    const full = await readFile(file, 'utf8');
    await truncate(file, 40);
    // no temporary files left behind by the atomic writes
    expect((await readdir(join(dir, 'builds', '20261127-230100-00000002'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const listed = await store.page(undefined, 50);
    expect(listed.builds.map((b) => b.id)).toEqual(['20261127-230100-00000002']);
    expect(listed.unreadable).toHaveLength(1);
    expect(listed.unreadable[0]!.kind).toBe('set-aside');
    expect(listed.unreadable[0]!.message).toMatch(/^The history record of build 20261127-230000-00000001 could not be read \(.+\); it was moved aside to .+build\.json\.corrupt-/);
    expect(await readFile(listed.unreadable[0]!.path, 'utf8')).toBe(full.slice(0, 40));
    // reported again later (e.g. after a restart), without moving anything again
    const again = await new HistoryStore(dir).page(undefined, 50);
    expect(again.unreadable.map((s) => s.path)).toEqual([listed.unreadable[0]!.path]);
    await expect(store.get('20261127-230000-00000001')).rejects.toMatchObject({ code: 'BUILD_NOT_FOUND' });
  });

  it('refuses a record that does not match its schema, and one filed under another id', async () => {
    const store = new HistoryStore(dir);
    await mkdir(join(dir, 'builds', '20261127-230000-00000003'), { recursive: true });
    await writeFile(join(dir, 'builds', '20261127-230000-00000003', 'build.json'), JSON.stringify({ ...record('20261127-230000-00000003'), status: 'exploded' }));
    await mkdir(join(dir, 'builds', '20261127-230000-00000004'), { recursive: true });
    await writeFile(join(dir, 'builds', '20261127-230000-00000004', 'build.json'), JSON.stringify(record('20261127-230000-00000009')));
    const listed = await store.page(undefined, 50);
    expect(listed.builds).toEqual([]);
    // newest first
    expect(listed.unreadable.map((s) => s.id)).toEqual(['20261127-230000-00000004', '20261127-230000-00000003']);
    expect(listed.unreadable[1]!.message).toContain('status');
    expect(listed.unreadable[0]!.message).toContain('it names build "20261127-230000-00000009"');
  });

  it('marks records left running as interrupted, keeping finished platforms', async () => {
    const store = new HistoryStore(dir);
    const running = record('20261127-230000-00000005', {
      status: 'running',
      platforms: ['linux/amd64', 'linux/arm64'],
      outcomes: [
        { platform: 'linux/amd64', status: 'done', steps: 2, cached: 0 },
        { platform: 'linux/arm64', status: 'running', steps: 2, cached: 0 },
      ],
    });
    await store.save(running);
    await store.save(record('20261127-230000-00000006', { status: 'running' }));
    const changed = await store.markInterrupted((id) => id === '20261127-230000-00000006');
    expect(changed.map((c) => c.id)).toEqual(['20261127-230000-00000005']);
    const after = await store.get('20261127-230000-00000005');
    expect(after.status).toBe('interrupted');
    expect(after.outcomes.map((o) => o.status)).toEqual(['done', 'interrupted']);
    expect(after.endedAt).toBeDefined();
    expect((await store.get('20261127-230000-00000006')).status).toBe('running');
  });
});

/** One batch of whole lines, tagged per platform. */
function tb(...parts: Array<[string, string?]>): TerminalBatch {
  const b = new TerminalBatchBuilder();
  for (const [text, platform] of parts) b.add(text, platform, text.split('\n').length - 1);
  return b.take()!;
}
const textOf = (batches: Array<TerminalBatch | undefined>) => batches.map((b) => b?.text ?? '').join('');
function platformText(batches: Array<TerminalBatch | undefined>, platform: string): string {
  let out = '';
  for (const b of batches) if (b) forEachRun(b, (text, p) => p === platform && (out += text));
  return out;
}

describe('log pipeline', () => {
  it('replaying the log from disk gives exactly the live text, whatever the chunking', async () => {
    const raw = await readFile(join(captures, 'rawjson-3platforms-riscv64-fails.stderr'));
    const platforms = ['linux/amd64', 'linux/arm64', 'linux/riscv64'];
    const live = new LogPipeline(platforms);
    for (let at = 0; at < raw.length; at += 777) live.push(raw.subarray(at, at + 777));
    const liveText = [live.take()];

    const file = join(dir, 'build.log');
    await writeFile(file, raw);
    const chunks: BuildChunk[] = [];
    const replayed = await replayLog(file, 'x', platforms, async (c) => void chunks.push(c), { chunkBytes: 1024, readBytes: 1000 });
    const all = [...chunks.map((c) => c.terminal), replayed.take()];
    expect(chunks.length).toBeGreaterThan(1);
    expect(textOf(all)).toBe(textOf(liveText));
    expect(platformText(all, 'linux/riscv64')).toBe(platformText(liveText, 'linux/riscv64'));
    expect(stripAnsi(platformText(all, 'linux/riscv64'))).toMatch(/#\d+ [\d.]+ this step fails on riscv64/);
    expect(stripAnsi(platformText(all, 'linux/amd64'))).not.toMatch(/#\d+ [\d.]+ this step fails on riscv64/);
    expect(all.reduce((n, b) => n + (b ? batchLines(b) : 0), 0)).toBe(textOf(all).split('\n').length - 1);

    live.end(1);
    const snap = live.progress();
    expect(snap.failure?.platforms).toEqual(['linux/riscv64']);
    // lanes travel without log lines, except for the failed step
    for (const lane of snap.lanes) for (const step of lane.steps) if (step.status !== 'error') expect(step.lastLogLines).toEqual([]);
    expect(snap.lanes.find((l) => l.platform === 'linux/riscv64')!.steps.find((s) => s.status === 'error')!.lastLogLines).toContain('this step fails on riscv64');
  });

  it('decodes UTF-8 split across chunks next to ASCII-only chunks exactly as one piece', () => {
    // buildx's own text lines (outside the JSON) may carry UTF-8: "é", "✓" and an emoji, cut at every byte.
    const raw = Buffer.from('#1 [internal] load build definition\nERROR: café ✓ 🚀 failed\nplain ascii line\n');
    const whole = new LogPipeline([]);
    whole.push(raw);
    whole.end(1);
    const expected = textOf([whole.take()]);
    expect(stripAnsi(expected)).toContain('café ✓ 🚀 failed');
    for (const size of [1, 2, 3, 5]) {
      const split = new LogPipeline([]);
      for (let at = 0; at < raw.length; at += size) split.push(raw.subarray(at, at + size));
      split.end(1);
      expect(textOf([split.take()]), `chunks of ${size} bytes`).toBe(expected);
    }
  });

  it('replays up to an offset (a window joining a running build)', async () => {
    const raw = await readFile(join(captures, 'rawjson-3platforms-cross-ok.stderr'));
    const file = join(dir, 'build.log');
    await writeFile(file, raw);
    const half = Math.floor(raw.length / 2);
    const first = await replayLog(file, 'x', [], async () => undefined, { endOffset: half });
    const direct = new LogPipeline([]);
    direct.push(raw.subarray(0, half));
    expect(textOf([first.take()])).toBe(textOf([direct.take()]));
  });
});

describe('replay tail', () => {
  it('keeps only the last lines of every view of a long log, and says how much it left out', () => {
    const collector = new TailCollector(['linux/amd64', 'linux/arm64'], 100);
    const all: string[] = [];
    for (let b = 0; b < 50; b++) {
      const parts: Array<[string, string?]> = [];
      for (let k = 0; k < 200; k++) {
        const p = k % 3 === 0 ? undefined : k % 3 === 1 ? 'linux/amd64' : 'linux/arm64';
        parts.push([`l${b}.${k} ${p ?? 'shared'}\r\n`, p]);
        all.push(`l${b}.${k} ${p ?? 'shared'}`);
      }
      collector.add(tb(...parts));
    }
    const tail = collector.take('/data/builds/x/build.log')!;
    const lines = stripAnsi(tail.text).split('\r\n').filter(Boolean);
    expect(lines[0]).toMatch(/^… \d+ earlier lines not shown \(the terminal keeps the last 100 of each view; the full log is in \/data\/builds\/x\/build\.log\)$/);
    expect(lines.length).toBeLessThan(400);
    expect(lines.slice(-100)).toEqual(all.slice(-100));
    expect(collector.dropped + lines.length - 1).toBe(all.length);
  });
});

describe('terminal batches', () => {
  it('merge consecutive text of one platform and keep the order of the rest', () => {
    const b = new TerminalBatchBuilder();
    b.add('a1\r\n', 'linux/amd64', 1);
    b.add('a2\r\n', 'linux/amd64', 1);
    b.add('s\r\n', undefined, 1);
    b.add('r1\r\nr2\r\n', 'linux/arm64', 2);
    b.add('a3\r\n', 'linux/amd64', 1);
    const batch = b.take()!;
    expect(batch.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    expect(batch.runs).toEqual([0, 8, 2, -1, 3, 1, 1, 8, 2, 0, 4, 1]);
    const seen: Array<[string, string | undefined, number]> = [];
    forEachRun(batch, (t, p, n) => seen.push([t, p, n]));
    expect(seen).toEqual([
      ['a1\r\na2\r\n', 'linux/amd64', 2],
      ['s\r\n', undefined, 1],
      ['r1\r\nr2\r\n', 'linux/arm64', 2],
      ['a3\r\n', 'linux/amd64', 1],
    ]);
    expect(batchLines(batch)).toBe(6);
    expect(b.take()).toBeUndefined();
  });

  it('keep, of a batch, exactly what a terminal keeping N lines per view can still show', () => {
    const platforms = ['linux/amd64', 'linux/arm64', 'linux/riscv64'];
    const b = new TerminalBatchBuilder();
    const lines: Array<[string, string | undefined]> = [];
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 3000; i++) {
      // bursts of one platform, a few shared lines, and long stretches of riscv64 at the start
      const p = i < 800 ? 'linux/riscv64' : rnd() < 0.05 ? undefined : platforms[Math.floor(rnd() * 2)];
      const n = 1 + Math.floor(rnd() * 3);
      const text = Array.from({ length: n }, (_, k) => `${i}.${k} ${p ?? 'shared'}\r\n`).join('');
      b.add(text, p, n);
      for (let k = 0; k < n; k++) lines.push([`${i}.${k} ${p ?? 'shared'}`, p]);
    }
    const batch = b.take()!;
    const keep = 500;
    const { batch: tail, dropped } = tailOfBatch(batch, keep, [...platforms, 'linux/s390x']);
    const view = (bt: TerminalBatch, p?: string) => {
      const out: string[] = [];
      forEachRun(bt, (text, platform) => {
        if (p === undefined || platform === undefined || platform === p) out.push(...text.split('\r\n').filter(Boolean));
      });
      return out;
    };
    expect(dropped).toBeGreaterThan(0);
    expect(batchLines(tail) + dropped).toBe(batchLines(batch));
    for (const p of [undefined, ...platforms, 'linux/s390x']) {
      const full = view(batch, p);
      expect(view(tail, p).slice(-keep)).toEqual(full.slice(-keep));
    }
    // riscv64 only wrote at the start: its view still gets its last lines
    expect(view(tail, 'linux/riscv64').filter((l) => l.endsWith('riscv64')).length).toBeGreaterThan(0);
    expect(tailOfBatch(tb(['a\r\n']), keep)).toEqual({ batch: tb(['a\r\n']), dropped: 0 });
  });

  it('append whole batches with their platforms re-indexed', () => {
    const b = new TerminalBatchBuilder();
    b.add('r\r\n', 'linux/arm64', 1);
    b.addBatch(tb(['r2\r\n', 'linux/arm64'], ['a\r\n', 'linux/amd64'], ['s\r\n']));
    b.addBatch(tb(['s2\r\n'], ['a2\r\n', 'linux/amd64']));
    const batch = b.take()!;
    expect(batch.text).toBe('r\r\nr2\r\na\r\ns\r\ns2\r\na2\r\n');
    expect(batch.platforms).toEqual(['linux/arm64', 'linux/amd64']);
    expect(batch.runs).toEqual([0, 7, 2, 1, 3, 1, -1, 7, 2, 1, 4, 1]);
  });
});

describe('watcher', () => {
  it('merges queued chunks while a send is in flight, and keeps order', async () => {
    const sent: BuildChunk[] = [];
    let release: () => void = () => undefined;
    const w = new Watcher(async (c) => {
      sent.push(c);
      await new Promise<void>((r) => (release = r));
    });
    w.push({ id: 'a', terminal: tb(['1\r\n']) });
    w.push({ id: 'a', terminal: tb(['2\r\n']) });
    w.push({ id: 'a', terminal: tb(['3\r\n', 'linux/arm64']), status: 'running' });
    expect(sent).toHaveLength(1);
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(sent).toHaveLength(2);
    expect(sent[1]!.terminal).toEqual(tb(['2\r\n'], ['3\r\n', 'linux/arm64']));
    expect(sent[1]!.status).toBe('running');
    release();
    await w.drained();
  });

  it('drops the oldest text of a window far behind, says so, and keeps the latest lanes', async () => {
    const sent: BuildChunk[] = [];
    let release: () => void = () => undefined;
    const w = new Watcher(
      async (c) => {
        sent.push(c);
        await new Promise<void>((r) => (release = r));
      },
      { maxBacklogBytes: 1000, logFile: '/data/builds/x/build.log' },
    );
    w.push({ id: 'a', terminal: tb(['first\r\n']) });
    for (let i = 0; i < 100; i++) w.push({ id: 'a', terminal: tb([`line ${i} ${'x'.repeat(40)}\r\n`]), ...(i === 99 ? { status: 'succeeded' as const } : {}) });
    release();
    await new Promise((r) => setTimeout(r, 0));
    const text = sent[1]!.terminal!.text;
    expect(stripAnsi(text)).toMatch(/^… \d+ lines not shown here: more output than a terminal can show \(the full log is in \/data\/builds\/x\/build\.log\)/);
    expect(text).toContain('line 99 ');
    expect(text.length).toBeLessThan(1000 + 200);
    expect(sent[1]!.status).toBe('succeeded');
    expect(w.droppedLines).toBeGreaterThan(80);
    release();
    await w.drained();
  });

  it('when output floods, spaces sends out and sends only what the terminal can still show', async () => {
    const sent: BuildChunk[] = [];
    const w = new Watcher(async (c) => void sent.push(c), { keep: 50, floodMs: 30, floodLines: 50, platforms: ['linux/amd64', 'linux/arm64'] });
    const all: string[] = [];
    for (let i = 0; i < 40; i++) {
      const parts: Array<[string, string?]> = [];
      for (let k = 0; k < 25; k++) {
        const p = k % 2 ? 'linux/amd64' : 'linux/arm64';
        parts.push([`line ${i}.${k} ${p}\r\n`, p]);
        all.push(`line ${i}.${k} ${p}`);
      }
      w.push({ id: 'a', terminal: tb(...parts) });
      await new Promise((r) => setTimeout(r, 2));
    }
    w.push({ id: 'a', status: 'succeeded' });
    await w.drained();
    const received = sent.flatMap((c) => (c.terminal ? stripAnsi(c.terminal.text).split('\r\n').filter(Boolean) : []));
    const lines = received.filter((l) => l.startsWith('line '));
    expect(lines.length).toBeLessThan(all.length);
    expect(received.some((l) => /^… \d+ lines not shown here/.test(l))).toBe(true);
    // the last 50 lines of the whole and of each platform arrived, in order
    expect(lines.slice(-50)).toEqual(all.slice(-50));
    for (const p of ['linux/amd64', 'linux/arm64']) expect(lines.filter((l) => l.endsWith(p)).slice(-50)).toEqual(all.filter((l) => l.endsWith(p)).slice(-50));
    expect(w.droppedLines + lines.length).toBe(all.length);
    expect(sent[sent.length - 1]!.status).toBe('succeeded');
  });

  it('never merges replayed and live output, and caps the text of a chunk', () => {
    const merged = mergeChunks([
      { id: 'a', terminal: tb(['r\r\n']), replay: true },
      { id: 'a', terminal: tb(['l\r\n']) },
      { id: 'a', terminal: tb(['l2\r\n']) },
    ]);
    expect(merged.map((c) => [c.replay ?? false, c.terminal?.text])).toEqual([
      [true, 'r\r\n'],
      [false, 'l\r\nl2\r\n'],
    ]);
    const big = 'x'.repeat(100 * 1024) + '\r\n';
    const capped = mergeChunks([1, 2, 3, 4, 5].map(() => ({ id: 'a', terminal: tb([big]) })));
    expect(capped.length).toBeGreaterThan(1);
    for (const c of capped) expect(c.terminal!.text.length).toBeLessThanOrEqual(MAX_CHUNK_TEXT);
    expect(capped.reduce((n, c) => n + batchLines(c.terminal!), 0)).toBe(5);
  });
});

describe('context folder', () => {
  it('checks the folder and the Dockerfile, and lists named stages', async () => {
    await writeFile(join(dir, 'Dockerfile'), 'FROM busybox AS base\nRUN true\nFROM --platform=$BUILDPLATFORM golang:1.22 AS Build\nFROM base\n');
    const info = await inspectContext(dir);
    expect(info).toMatchObject({ ok: true, context: dir, dockerfile: join(dir, 'Dockerfile'), problems: [] });
    expect(info.stages.map((s) => s.name)).toEqual(['base', 'build']);

    expect((await inspectContext(join(dir, 'missing'))).problems[0]).toMatchObject({ field: 'context', message: `The context folder ${join(dir, 'missing')} does not exist.` });
    expect((await inspectContext(join(dir, 'Dockerfile'))).problems[0]).toMatchObject({ field: 'context', message: expect.stringContaining('is a file, not a folder') });
    const other = await inspectContext(dir, 'docker/Dockerfile.arm');
    expect(other.ok).toBe(false);
    expect(other.problems[0]).toMatchObject({ field: 'dockerfile', message: `There is no Dockerfile at ${join(dir, 'docker/Dockerfile.arm')}.` });
  });

  it('scans stages minimally when needed', () => {
    expect(scanStages('FROM a AS one\nfrom --platform=linux/amd64 b as Two\nFROM c\n')).toEqual([
      { name: 'one', line: 1 },
      { name: 'two', line: 2 },
    ]);
  });

  it('browses folders, marking those with a Dockerfile', async () => {
    await mkdir(join(dir, 'app'));
    await writeFile(join(dir, 'app', 'Dockerfile'), 'FROM scratch\n');
    await mkdir(join(dir, 'docs'));
    await mkdir(join(dir, '.git'));
    await writeFile(join(dir, 'README'), 'x');
    const listing = await browseFolders(dir);
    expect(listing.entries).toEqual([
      { name: 'app', path: join(dir, 'app'), hasDockerfile: true },
      { name: 'docs', path: join(dir, 'docs'), hasDockerfile: false },
    ]);
    expect(listing.parent).toBeDefined();
    await expect(browseFolders(join(dir, 'nope'))).rejects.toMatchObject({ code: 'FOLDER_UNREADABLE' });
  });
});

describe('RUN steps a lost engine may leave behind', () => {
  it('knows the command a step runs from its name, flags and exec form included', () => {
    expect(runStepCommand('RUN --network=none echo start; sleep 30; echo done')).toBe('echo start; sleep 30; echo done');
    expect(runStepCommand('[linux/arm64 2/2] RUN --mount=type=cache,target=/c --network=none make -j4')).toBe('make -j4');
    expect(runStepCommand('RUN ["/bin/sleep", "30"]')).toBe('\0/bin/sleep\u000030');
    expect(runStepCommand('COPY . /src')).toBeUndefined();
    expect(runStepCommand('[internal] load build definition from Dockerfile')).toBeUndefined();
  });
});
