import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../electron/core/composition';
import { api } from '../api';
import { connectCoreWithoutEngine } from '../testing/connect-core';
import { useIntegrityStore } from './integrity-store';

// The real core over the in-memory pair, no engine: 127.0.0.1:1 refuses at once, so every call
// fails for real; what is checked is how the store keeps answers apart per image.
let core: Core | undefined;
let dataDir: string;
const initial = useIntegrityStore.getState();

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'mas-integrity-store-'));
  core = await connectCoreWithoutEngine({ dataDir });
  useIntegrityStore.setState(initial, true);
});

afterEach(async () => {
  await core?.dispose();
  await rm(dataDir, { recursive: true, force: true });
});

describe('integrity store', () => {
  it('a check that cannot reach the registry fails with what to do; showing another image clears it', async () => {
    useIntegrityStore.getState().show('127.0.0.1:1/app:1', ['linux/amd64', 'linux/arm64']);
    expect(useIntegrityStore.getState()).toMatchObject({ compareA: 'linux/amd64', compareB: 'linux/arm64' });
    await useIntegrityStore.getState().runCheck(api());
    const check = useIntegrityStore.getState().check;
    expect(check.state).toBe('failed');
    expect(check.problem?.code).toBe('REGISTRY_UNREACHABLE');
    expect(check.problem?.message).toContain('Cannot reach the registry 127.0.0.1:1');

    useIntegrityStore.getState().show('127.0.0.1:1/other:1', ['linux/amd64']);
    expect(useIntegrityStore.getState().check).toEqual({ state: 'idle' });
  });

  it('refuses to compare a platform with itself before asking anything', async () => {
    useIntegrityStore.getState().show('127.0.0.1:1/app:1', ['linux/amd64', 'linux/arm64']);
    useIntegrityStore.getState().setCompare('b', 'linux/amd64');
    await useIntegrityStore.getState().runCompare(api());
    expect(useIntegrityStore.getState().compare).toEqual({ state: 'failed', problem: { code: 'BAD_INPUT', message: 'Pick two different platforms to compare.' } });
  });

  it('an answer for an image no longer shown is dropped', async () => {
    useIntegrityStore.getState().show('127.0.0.1:1/app:1', ['linux/amd64']);
    const pending = useIntegrityStore.getState().readAttestations(api());
    useIntegrityStore.getState().show('127.0.0.1:1/next:1', ['linux/amd64']);
    await pending;
    expect(useIntegrityStore.getState().attestations).toEqual({ state: 'idle' });
  });
});
