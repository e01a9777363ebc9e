import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuildkitdConfig, MAX_BUILDKITD_CONFIG_BYTES } from './builder-actions';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mas-test-bkcfg-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const code = (p: Promise<void>) => p.then(() => 'ok', (e: { code?: string }) => e.code);

describe('the buildkitd.toml a builder is created with', () => {
  it('is a regular file of at most 1 MiB, checked before buildx reads it', async () => {
    const ok = join(dir, 'buildkitd.toml');
    await writeFile(ok, 'debug = true\n');
    expect(await code(assertBuildkitdConfig(ok))).toBe('ok');

    const big = join(dir, 'big.toml');
    await writeFile(big, '');
    await truncate(big, MAX_BUILDKITD_CONFIG_BYTES + 1);
    expect(await code(assertBuildkitdConfig(big))).toBe('BAD_INPUT');

    expect(await code(assertBuildkitdConfig(dir))).toBe('BAD_INPUT');
    expect(await code(assertBuildkitdConfig('/dev/zero'))).toBe('BAD_INPUT');
    expect(await code(assertBuildkitdConfig(join(dir, 'missing.toml')))).toBe('BAD_INPUT');
  });
});
