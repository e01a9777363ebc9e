import { afterEach, describe, expect, it } from 'vitest';
import type { PickPathInput } from '../../shared/contract/app';
import { startTestCore, type TestCore } from './testing/test-core';

const noEngine = { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock', PATH: process.env.PATH } };
let t: TestCore | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('app.pickPath', () => {
  it('says there is no native dialog in headless mode, and what to do instead', async () => {
    t = await startTestCore(noEngine);
    await expect(t.api.app.pickPath({ kind: 'folder', title: 'Build context' })).rejects.toMatchObject({ code: 'NOT_AVAILABLE', hint: /folder browser/ });
  });

  it('asks the shell’s picker with the validated input; a cancelled dialog answers no path', async () => {
    const asked: PickPathInput[] = [];
    const answers = ['/home/me/app', undefined];
    t = await startTestCore({ ...noEngine, mode: 'desktop', pickPath: async (input) => (asked.push(input), answers.shift()) });
    expect(await t.api.app.pickPath({ kind: 'folder', title: 'Build context', defaultPath: '/home/me' })).toEqual({ path: '/home/me/app' });
    expect(await t.api.app.pickPath({ kind: 'file', title: 'Dockerfile' })).toEqual({});
    expect(asked).toEqual([
      { kind: 'folder', title: 'Build context', defaultPath: '/home/me' },
      { kind: 'file', title: 'Dockerfile' },
    ]);
    await expect(t.api.app.pickPath({ kind: 'device', title: 'x' } as never)).rejects.toMatchObject({ code: 'BAD_INPUT' });
    expect(asked).toHaveLength(2);
  });
});
