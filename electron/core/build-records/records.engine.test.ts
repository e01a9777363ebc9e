import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BuildChunk } from '../../../shared/contract/builds';
import type { RecordSummary } from '../../../shared/contract/records';
import { buildxHas } from '../../../shared/domain/buildx/capabilities';
import { rejection } from '../testing/rejection';
import { stackEnv } from '../testing/stack';
import { startTestCore, type TestCore } from '../testing/test-core';

const run = promisify(execFile);
const stack = stackEnv();
// The project's DOCKER_CONFIG picks the buildx under test, for the app and for the "terminal" builds alike.
const env = { ...process.env, DOCKER_HOST: stack.dockerHost };
const buildxVersion = inject('buildxVersion');
const hasHistory = buildxHas(buildxVersion, 'history');
const platforms = ['linux/amd64', 'linux/arm64'];

/** A build as a user types it in a terminal: plain `docker buildx build`, no app involved. */
async function terminalBuild(context: string): Promise<{ ok: boolean; output: string }> {
  try {
    const r = await run('docker', ['buildx', 'build', '--platform', platforms.join(','), '--provenance=false', '--output', 'type=cacheonly', '--progress=plain', context], { env, timeout: 300_000 });
    return { ok: true, output: r.stderr };
  } catch (error) {
    return { ok: false, output: String((error as { stderr?: string }).stderr ?? error) };
  }
}

describe(`builder records (buildx ${buildxVersion})`, () => {
  let t: TestCore;
  let work: string;
  let passing: string;
  let failing: string;

  beforeAll(async () => {
    t = await startTestCore({ env });
    work = await mkdtemp(join(tmpdir(), 'mas-test-records-'));
    // Unique folder names: buildx names a record after its context folder.
    passing = await mkdtemp(join(work, 'terminal-ok-'));
    failing = await mkdtemp(join(work, 'terminal-fail-'));
    // --no-cache is not needed: the nonce makes every step new, so the log has real output.
    const nonce = basename(passing);
    await writeFile(join(passing, 'Dockerfile'), `FROM ${stack.baseImage}\nRUN echo "${nonce} on $(uname -m)"\n`);
    await writeFile(join(failing, 'Dockerfile'), `FROM ${stack.baseImage}\nRUN echo "${basename(failing)} step one"\nRUN if [ "$(uname -m)" = aarch64 ]; then echo "no arm64 here" >&2; exit 3; fi\n`);
    const ok = await terminalBuild(passing);
    expect(ok.ok, ok.output).toBe(true);
    const failed = await terminalBuild(failing);
    expect(failed.ok, failed.output).toBe(false);
  });

  afterAll(async () => {
    await t?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** The terminal build's record (the app's own builds of the same folder are marked). */
  const find = (records: RecordSummary[], context: string) => records.find((r) => r.source === 'builder' && r.name === basename(context) && !r.appBuildId);

  it.runIf(hasHistory)('lists a terminal build with its status and duration, and opens it with its platforms and log in lanes', async () => {
    const list = await t.api.records.list({});
    expect(list.available).toBe(true);
    expect(list.problem).toBeUndefined();
    const record = find(list.records, passing);
    expect(record, JSON.stringify(list.records.slice(0, 5))).toBeDefined();
    expect(record!.status).toBe('completed');
    expect(record!.appBuildId).toBeUndefined();
    expect(record!.durationMs).toBeGreaterThan(0);

    const chunks: BuildChunk[] = [];
    const call = t.api.records.open({ key: record!.key }, { onChunk: (c) => void chunks.push(c) });
    const detail = await call.result;
    expect(detail.platforms).toEqual(platforms);
    expect(detail.status).toBe('completed');
    expect(detail.durationMs).toBeGreaterThan(0);
    expect(detail.context).toBe(passing);
    const text = chunks.map((c) => c.terminal?.text ?? '').join('');
    expect(text).toContain(`${basename(passing)} on x86_64`);
    expect(text).toContain(`${basename(passing)} on aarch64`);
    const lanes = chunks.at(-1)!.progress!.lanes;
    expect(lanes.map((l) => [l.platform, l.status]).sort()).toEqual([
      ['linux/amd64', 'done'],
      ['linux/arm64', 'done'],
    ]);
  });

  it.runIf(hasHistory)('marks the builder record of a build the app ran with its History id', async () => {
    const call = t.api.builds.run(
      { context: passing, platforms, tags: [], buildArgs: [], output: { type: 'cacheonly' }, provenance: false, sbom: false, noCache: true, pull: false, cacheFrom: [], cacheTo: [] },
      { onChunk: () => undefined },
    );
    const own = await call.result;
    expect(own.status).toBe('succeeded');
    expect(own.buildxRef).toMatch(/^default\/default\/[a-z0-9]+$/);
    const list = await t.api.records.list({});
    const record = list.records.find((r) => r.ref === own.buildxRef);
    expect(record?.appBuildId).toBe(own.id);
    // the terminal build of the same folder stays unmarked
    expect(find(list.records, passing)?.ref).not.toBe(own.buildxRef);
  });

  it.runIf(hasHistory)('opens a failed terminal build with its platform, step, Dockerfile line and log', async () => {
    const list = await t.api.records.list({});
    const record = find(list.records, failing)!;
    expect(record.status).toBe('failed');
    const chunks: BuildChunk[] = [];
    const detail = await t.api.records.open({ key: record.key }, { onChunk: (c) => void chunks.push(c) }).result;
    expect(detail.error?.platform).toBe('linux/arm64');
    expect(detail.error?.step).toMatch(/^\[linux\/arm64 3\/3\] RUN /);
    expect(detail.error?.logs).toContain('no arm64 here');
    expect(detail.error?.source?.line).toBe(3);
    expect(detail.error?.source?.lines.find((l) => l.marked)?.text).toMatch(/^RUN if \[/);
    const lanes = chunks.at(-1)!.progress!.lanes;
    expect(lanes.find((l) => l.platform === 'linux/arm64')?.status).toBe('error');
    expect(chunks.map((c) => c.terminal?.text ?? '').join('')).toContain('no arm64 here');
  });

  it.runIf(buildxHas(buildxVersion, 'history-export'))('exports the record to a .dockerbuild file, asks before replacing it, and the imported file shows the same build', async () => {
    const list = await t.api.records.list({});
    const record = find(list.records, passing)!;
    const dest = join(work, 'terminal-ok.dockerbuild');
    const first = await t.api.records.export({ ref: record.ref, dest });
    expect(first.path).toBe(dest);
    expect((await stat(dest)).size).toBe(first.bytes);
    expect(first.command).toContain(`history export --builder ${record.builder} ${record.id} -o ${dest}`);

    const exists = await rejection(t.api.records.export({ ref: record.ref, dest }));
    expect(exists.code).toBe('FILE_EXISTS');
    expect((await t.api.records.export({ ref: record.ref, dest, overwrite: true })).bytes).toBeGreaterThan(0);

    const imported = await t.api.records.import({ file: dest });
    expect(imported.records).toHaveLength(1);
    const same = imported.records[0]!;
    expect(same).toMatchObject({ source: 'imported', id: record.id, name: record.name, status: 'completed', platforms, file: dest });
    expect(Math.abs(same.durationMs! - record.durationMs!)).toBeLessThanOrEqual(2);

    const again = await t.api.records.list({});
    expect(again.records.filter((r) => r.source === 'imported' && r.id === record.id)).toHaveLength(1);
    // the log travels in the file: the same lanes and output as the builder's record
    const chunks: BuildChunk[] = [];
    const opened = await t.api.records.open({ key: same.key }, { onChunk: (c) => void chunks.push(c) }).result;
    expect(opened).toMatchObject({ platforms, context: passing, status: 'completed' });
    expect(opened.logsNote).toBeUndefined();
    const text = chunks.map((c) => c.terminal?.text ?? '').join('');
    expect(text).toContain(`${basename(passing)} on x86_64`);
    expect(text).toContain(`${basename(passing)} on aarch64`);
    expect(chunks.at(-1)!.progress!.lanes.map((l) => [l.platform, l.status]).sort()).toEqual([
      ['linux/amd64', 'done'],
      ['linux/arm64', 'done'],
    ]);
  });

  it('refuses files that are not build records before keeping anything', async () => {
    const notRecord = join(work, 'not-a-record.dockerbuild');
    await writeFile(notRecord, 'hello');
    expect((await rejection(t.api.records.import({ file: notRecord }))).code).toBe('RECORD_FILE_INVALID');
    expect((await rejection(t.api.records.import({ file: work }))).code).toBe('RECORD_FILE_INVALID');
    expect((await rejection(t.api.records.import({ file: 'relative.dockerbuild' }))).code).toBe('BAD_INPUT');
  });

  it.runIf(!hasHistory)('says why the builder records are missing, and refuses to export', async () => {
    const list = await t.api.records.list({});
    expect(list.available).toBe(false);
    expect(list.reason).toMatch(/needs buildx 0\.21\.0 or newer; this is 0\.13\.1/);
    expect(list.records.every((r) => r.source === 'imported')).toBe(true);
    expect(list.export.available).toBe(false);
    const refused = await rejection(t.api.records.export({ ref: 'default/default/abcdefghij0123456789', dest: join(work, 'x.dockerbuild') }));
    expect(refused.code).toBe('NOT_AVAILABLE');
  });
});
