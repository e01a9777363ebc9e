import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rejection } from '../testing/rejection';
import { readDockerbuildFile } from './dockerbuild-file';
import { ImportedRecords } from './imported-records';

// A real `docker buildx history export` of a single-platform push (buildx 0.29.1, Docker 28.5).
const REAL = new URL('./fixtures/history-export-push-0.29.1.dockerbuild', import.meta.url).pathname;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mas-test-imported-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('.dockerbuild files', () => {
  it('reads the record and its build log from a real export', async () => {
    const { digest, records } = await readDockerbuildFile(REAL);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ id: 'yba2ayvhz6atti1kudtz7eyos', status: 'completed', platforms: ['linux/arm64'] });
    expect(records[0]!.statusLog?.length).toBe(3783);
  });

  it('keeps imported records and their log in its folder; importing the same file again adds nothing', async () => {
    const store = new ImportedRecords(join(dir, 'imported'));
    const [summary] = await store.import(REAL);
    expect(summary).toMatchObject({ source: 'imported', id: 'yba2ayvhz6atti1kudtz7eyos', file: REAL });
    expect(summary!.key).toMatch(/^imported\/[0-9a-f]{16}\/yba2ayvhz6atti1kudtz7eyos$/);
    await store.import(REAL);
    expect(await store.list()).toHaveLength(1);
    const detail = await store.get(summary!.key);
    expect(detail.logsNote).toBeUndefined();
    const log = await store.log(summary!.key);
    expect(await readFile(log!, 'utf8')).toContain('"name":"[2/2] RUN uname -m > /arch"');
  });

  it('refuses what is not a build record file, with the reason', async () => {
    const store = new ImportedRecords(join(dir, 'imported'));
    const text = join(dir, 'text.dockerbuild');
    await writeFile(text, 'hello');
    expect((await rejection(store.import(text))).message).toMatch(/is not a build record file/);
    const emptyGzip = join(dir, 'empty.dockerbuild');
    await writeFile(emptyGzip, gzipSync(Buffer.alloc(1024)));
    expect((await rejection(store.import(emptyGzip))).message).toMatch(/has no index\.json/);
    expect((await rejection(store.import(dir))).code).toBe('RECORD_FILE_INVALID');
    expect((await rejection(store.import('/proc/self/status'))).message).toMatch(/is empty/);
    expect((await rejection(store.import(join(dir, 'missing.dockerbuild')))).code).toBe('RECORD_FILE_INVALID');
    expect(await store.list()).toEqual([]);
  });
});
