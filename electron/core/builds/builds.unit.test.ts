import { mkdir, mkdtemp, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BuildChunk, BuildRecord } from '../../../shared/contract/builds';
import { TerminalBatchBuilder, batchLines, forEachRun, type TerminalBatch } from '../../../shared/domain/terminal-batch';
import { stripAnsi } from '../../../shared/domain/build-progress';
import { browseFolders, inspectContext, scanStages } from './context-folder';
import { HistoryStore } from './history-store';
import { runStepCommand } from './leftovers';
import { LogPipeline, replayLog, replayTail } from './log-pipeline';
import { MAX_CHUNK_TEXT, Watcher, drainText } from './watcher';

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

describe('replay of a long log', () => {
  it('sends the last lines of every view in chunk-sized pieces, after one line saying how many it left out', async () => {
    const digest = (n: number) => `sha256:${String(n).padStart(64, '0')}`;
    const ts = '2026-11-27T23:45:00.000000000Z';
    const platforms = ['linux/amd64', 'linux/arm64'];
    const rows = [JSON.stringify({ vertexes: platforms.map((p, i) => ({ digest: digest(i + 1), name: `[${p} 1/1] RUN make`, started: ts })) })];
    for (let i = 0; i < 30_000; i++) {
      // arm64 goes quiet after its first 100 lines: its view still gets its own last lines
      const v = i < 200 ? i % 2 : 0;
      rows.push(JSON.stringify({ logs: [{ vertex: digest(v + 1), stream: 1, data: Buffer.from(`line ${i}\n`).toString('base64'), timestamp: ts }] }));
    }
    const file = join(dir, 'build.log');
    await writeFile(file, rows.join('\n') + '\n');
    const { text } = await replayTail(record('20261127-230000-00000009', { platforms, logFile: file }), {});
    const chunks = drainText(text, file);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(c.text.length).toBeLessThanOrEqual(MAX_CHUNK_TEXT + 200);
    const lines = chunks.flatMap((c) => stripAnsi(c.text).split('\r\n').filter(Boolean));
    expect(lines[0]).toMatch(new RegExp(`^\\.\\.\\. \\d+ lines not shown here: more output than the terminal shows \\(it keeps the last 5000 of each view\\); the full log is in ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    expect(lines.at(-1)).toMatch(/line 29999$/);
    const arm = chunks.flatMap((c) => {
      const out: string[] = [];
      forEachRun(c, (t, p) => p === 'linux/arm64' && out.push(...stripAnsi(t).split('\r\n').filter((l) => / line \d+$/.test(l))));
      return out;
    });
    expect(arm.at(-1)).toMatch(/line 199$/);
    expect(arm).toHaveLength(100);
  });
});

/** Lets queued promise callbacks run; no clock involved. */
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
};

/** A window whose sends resolve when the test says its terminal has taken them. */
function slowWindow() {
  const sent: BuildChunk[] = [];
  const waiting: Array<() => void> = [];
  const send = (c: BuildChunk) => {
    sent.push(c);
    return new Promise<void>((r) => waiting.push(r));
  };
  const consume = () => waiting.splice(0).forEach((r) => r());
  const lines = () => sent.flatMap((c) => (c.terminal ? stripAnsi(c.terminal.text).split('\r\n').filter(Boolean) : []));
  return { sent, send, consume, lines };
}

describe('watcher', () => {
  it('sends at once while the window keeps up, and what came meanwhile in one chunk, in order', async () => {
    const win = slowWindow();
    const w = new Watcher(win.send);
    w.push({ id: 'a', terminal: tb(['1\r\n']) });
    w.push({ id: 'a', terminal: tb(['2\r\n']) });
    w.push({ id: 'a', terminal: tb(['3\r\n', 'linux/arm64']), status: 'running' });
    expect(win.sent).toHaveLength(1);
    win.consume();
    await settle();
    expect(win.sent).toHaveLength(2);
    expect(win.sent[1]!.terminal).toEqual(tb(['2\r\n'], ['3\r\n', 'linux/arm64']));
    expect(win.sent[1]!.status).toBe('running');
    win.consume();
    await w.drained();
  });

  it('while the window is behind keeps only what a terminal can show, says once how much it left out, and sends the latest lanes', async () => {
    const win = slowWindow();
    const keep = 50;
    const platforms = ['linux/amd64', 'linux/arm64'];
    const w = new Watcher(win.send, { keep, platforms, logFile: '/data/builds/x/build.log' });
    const all: string[] = [];
    for (let i = 0; i < 40; i++) {
      const parts: Array<[string, string?]> = [];
      for (let k = 0; k < 25; k++) {
        const p = k % 2 ? platforms[0] : platforms[1];
        parts.push([`line ${i}.${k} ${p}\r\n`, p]);
        all.push(`line ${i}.${k} ${p}`);
      }
      w.push({ id: 'a', terminal: tb(...parts), progress: { n: i } as unknown as BuildChunk['progress'] });
    }
    w.push({ id: 'a', status: 'succeeded' });
    for (let i = 0; i < 10 && win.sent.at(-1)?.status === undefined; i++) {
      win.consume();
      await settle();
    }
    const received = win.lines();
    const lines = received.filter((l) => l.startsWith('line '));
    const notices = received.filter((l) => l.startsWith('... '));
    expect(notices).toEqual([`... ${all.length - lines.length} lines not shown here: more output than the terminal shows (it keeps the last 50 of each view); the full log is in /data/builds/x/build.log`]);
    expect(lines.length).toBeLessThan(all.length);
    // the last `keep` lines of the whole and of each platform arrived, in order
    expect(lines.slice(-keep)).toEqual(all.slice(-keep));
    for (const p of platforms) expect(lines.filter((l) => l.endsWith(p)).slice(-keep)).toEqual(all.filter((l) => l.endsWith(p)).slice(-keep));
    expect(w.droppedLines + lines.length).toBe(all.length);
    expect(win.sent[1]!.progress).toEqual({ n: 39 });
    expect(win.sent.at(-1)!.status).toBe('succeeded');
    win.consume();
    await w.drained();
  });

  it('cuts a large backlog into chunks of at most MAX_CHUNK_TEXT, and the status comes after the last of the text', async () => {
    const win = slowWindow();
    const w = new Watcher(win.send, { keep: 100_000 });
    w.push({ id: 'a', terminal: tb(['first\r\n']) });
    const line = `${'x'.repeat(1000)}\r\n`;
    for (let i = 0; i < 300; i++) w.push({ id: 'a', terminal: tb([line]) });
    w.push({ id: 'a', status: 'failed' });
    for (let i = 0; i < 20 && win.sent.at(-1)?.status === undefined; i++) {
      win.consume();
      await settle();
    }
    expect(win.sent.length).toBeGreaterThan(5);
    for (const c of win.sent) expect(c.terminal?.text.length ?? 0).toBeLessThanOrEqual(MAX_CHUNK_TEXT);
    expect(win.sent.filter((c) => c.status)).toHaveLength(1);
    expect(win.sent.reduce((n, c) => n + (c.terminal ? batchLines(c.terminal) : 0), 0)).toBe(301);
    win.consume();
    await w.drained();
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
