import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PickedPaths } from '../picked-paths';
import { startTestCore } from '../testing/test-core';
import { looksLikeDockerfile, readDockerfile } from './dockerfile-file';
import { rejection } from '../testing/rejection';

let dir: string;
let context: string;
let outside: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mas-dockerfile-file-'));
  context = join(dir, 'project');
  outside = join(dir, 'elsewhere');
  await mkdir(join(context, 'docker'), { recursive: true });
  await mkdir(outside, { recursive: true });
  await writeFile(join(context, 'Dockerfile'), 'FROM busybox\n');
  await writeFile(join(context, 'docker', 'api.Dockerfile'), 'FROM busybox AS api\n');
  await writeFile(join(context, 'secrets.txt'), 'password=hunter2\n');
  await writeFile(join(outside, 'Dockerfile'), 'FROM busybox AS outside\n');
  await writeFile(join(outside, 'notes.txt'), 'private\n');
  // links that look like Dockerfiles but lead elsewhere
  await symlink('/etc/passwd', join(context, 'Dockerfile.passwd'));
  await symlink(join(outside, 'Dockerfile'), join(context, 'Dockerfile.out'));
  await symlink(join(context, 'secrets.txt'), join(context, 'Dockerfile.secrets'));
  await symlink(join(context, 'docker', 'api.Dockerfile'), join(context, 'Dockerfile.api'));
  await symlink('/proc/self', join(context, 'proc'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));


describe('what main reads as a Dockerfile', () => {
  it('knows the names people give Dockerfiles', () => {
    for (const name of ['Dockerfile', 'dockerfile', 'Dockerfile.dev', 'Dockerfile-alpine', 'Dockerfile_ci', 'api.Dockerfile', 'web.dockerfile', 'Containerfile', 'Containerfile.arm64', 'x.containerfile']) {
      expect(looksLikeDockerfile(name), name).toBe(true);
    }
    for (const name of ['passwd', 'shadow', 'status', 'Dockerfiles', 'MyDockerfile', 'Dockerfile.', '.Dockerfile', 'notes.txt', 'docker-compose.yml']) {
      expect(looksLikeDockerfile(name), name).toBe(false);
    }
  });

  it('reads a Dockerfile inside the context, directly or through a link that stays inside', async () => {
    expect((await readDockerfile({ contextDir: context })).text).toBe('FROM busybox\n');
    expect((await readDockerfile({ contextDir: context, dockerfile: join(context, 'docker', 'api.Dockerfile') })).text).toContain('AS api');
    expect((await readDockerfile({ contextDir: context, dockerfile: join(context, 'Dockerfile.api') })).text).toContain('AS api');
  });

  it('refuses any other file, whatever path the renderer names', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/etc/passwd', /not named like a Dockerfile/],
      ['/etc/shadow', /not named like a Dockerfile|There is no Dockerfile/],
      ['/proc/self/status', /not named like a Dockerfile/],
      [join(context, 'proc', 'status'), /not named like a Dockerfile/],
      [join(context, 'secrets.txt'), /not named like a Dockerfile/],
      [join(context, 'Dockerfile.secrets'), /not named like a Dockerfile/],
      [join(context, 'Dockerfile.passwd'), /not named like a Dockerfile/],
      [join(outside, 'Dockerfile'), /outside the build context/],
      [join(context, 'Dockerfile.out'), /leads to .*elsewhere\/Dockerfile, outside the build context/],
      [join(context, '..', 'elsewhere', 'Dockerfile'), /outside the build context/],
    ];
    for (const [dockerfile, message] of cases) {
      const error = await rejection(readDockerfile({ contextDir: context, dockerfile }));
      expect(error.code, dockerfile).toBe('BAD_INPUT');
      expect(error.message, dockerfile).toMatch(message);
      expect(error.hint, dockerfile).toBeTruthy();
      // nothing of the file travels back in the refusal
      expect(JSON.stringify(error), dockerfile).not.toMatch(/hunter2|root:x:0|AS outside/);
    }
    // a context of "/" does not make every file a Dockerfile
    expect((await rejection(readDockerfile({ contextDir: '/', dockerfile: '/etc/passwd' }))).message).toMatch(/not named like a Dockerfile/);
  });

  it('reads a file outside the context once the user picked it in the native dialog, and that file only', async () => {
    const picked = new PickedPaths();
    picked.grant({ path: join(outside, 'Dockerfile'), kind: 'file' });
    expect((await readDockerfile({ contextDir: context, dockerfile: join(outside, 'Dockerfile') }, picked)).text).toContain('AS outside');
    expect((await rejection(readDockerfile({ contextDir: context, dockerfile: join(outside, 'notes.txt') }, picked))).message).toMatch(/not named like a Dockerfile/);
    // a picked kernel file is still no Dockerfile
    picked.grant({ path: '/proc/self/status', kind: 'file' });
    expect((await rejection(readDockerfile({ contextDir: context, dockerfile: '/proc/self/status' }, picked))).message).toMatch(/kernel file/);
  });

  it('reads no picked file in headless mode: there is no native dialog to grant one', async () => {
    const headless = await startTestCore({ env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock', PATH: process.env.PATH } });
    try {
      expect((await rejection(headless.api.app.pickPath({ kind: 'file', title: 'Dockerfile' }))).code).toBe('NOT_AVAILABLE');
      expect((await rejection(headless.api.dockerfile.analyze({ contextDir: context, dockerfile: join(outside, 'Dockerfile') }))).message).toMatch(/outside the build context/);
    } finally {
      await headless.close();
    }
  });
});
