import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCore, type TestCore } from '../testing/test-core';

// No engine at all: what must be refused is refused before anything touches one.
describe('emulators: refusals that need no engine', () => {
  let t: TestCore;
  beforeAll(async () => {
    t = await startTestCore({ env: { DOCKER_HOST: 'unix:///nonexistent/mas-test/docker.sock' }, settingsOverrides: { emulators: { installerImage: 'example.test/binfmt:1' } } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses a privileged run without consent for that exact image', async () => {
    await expect(t.api.emulators.install({ architectures: ['arm64'] }).result).rejects.toMatchObject({ code: 'CONSENT_REQUIRED' });
    await expect(t.api.emulators.uninstall({ architectures: ['arm64'], consent: { image: 'tonistiigi/binfmt:latest' } }).result).rejects.toMatchObject({
      code: 'CONSENT_REQUIRED',
      data: { image: 'example.test/binfmt:1' },
    });
    await expect(t.api.emulators.restore({}).result).rejects.toMatchObject({ code: 'CONSENT_REQUIRED' });
  });

  it('refuses unknown architectures and malformed consent as bad input', async () => {
    await expect(t.api.emulators.install({ architectures: ['sparc64' as never], consent: { image: 'example.test/binfmt:1' } }).result).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(t.api.emulators.install({ architectures: [], consent: { image: 'example.test/binfmt:1' } }).result).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(t.api.emulators.test({ architecture: 'all' as never })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(t.api.app.updateSettings({ emulators: { installerImage: '--privileged' } })).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });

  it('with consent but no engine, fails on the engine and records no consent', async () => {
    await expect(t.api.emulators.install({ architectures: ['arm64'], consent: { image: 'example.test/binfmt:1' } }).result).rejects.toMatchObject({
      code: 'ENGINE_UNAVAILABLE',
    });
    expect((await t.api.app.settings({})).emulators.consentedImage).toBeUndefined();
  });
});
