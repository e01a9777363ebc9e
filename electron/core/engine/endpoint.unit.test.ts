import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnvFor, resolveEndpoint } from './endpoint';

// Every home folder lives under one temporary root, removed after the tests.
let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mas-test-endpoint-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function home(config?: object, contexts: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(join(root, 'home-'));
  await mkdir(join(dir, '.docker'), { recursive: true });
  if (config) await writeFile(join(dir, '.docker', 'config.json'), JSON.stringify(config));
  for (const [name, host] of Object.entries(contexts)) {
    const meta = join(dir, '.docker', 'contexts', 'meta', createHash('sha256').update(name).digest('hex'));
    await mkdir(meta, { recursive: true });
    await writeFile(join(meta, 'meta.json'), JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }));
  }
  return dir;
}

const none = () => false;

describe('resolveEndpoint', () => {
  it('prefers DOCKER_HOST over DOCKER_CONTEXT and the config', async () => {
    const dir = await home({ currentContext: 'remote' }, { remote: 'tcp://10.0.0.9:2375' });
    const ep = resolveEndpoint({ env: { DOCKER_HOST: 'unix:///tmp/x.sock', DOCKER_CONTEXT: 'remote' }, homeDir: dir, platform: 'linux', fileExists: none });
    expect(ep).toMatchObject({ host: 'unix:///tmp/x.sock', source: 'DOCKER_HOST', tls: false });
    expect(cliEnvFor(ep, { DOCKER_CONTEXT: 'remote' })).toMatchObject({ DOCKER_HOST: 'unix:///tmp/x.sock' });
    expect(cliEnvFor(ep, { DOCKER_CONTEXT: 'remote' }).DOCKER_CONTEXT).toBeUndefined();
  });

  it('reads DOCKER_CONTEXT through the context meta.json (sha256 of the name)', async () => {
    const dir = await home({ currentContext: 'other' }, { colima: 'unix:///home/u/.colima/docker.sock', other: 'unix:///o.sock' });
    const ep = resolveEndpoint({ env: { DOCKER_CONTEXT: 'colima' }, homeDir: dir, platform: 'darwin', fileExists: none });
    expect(ep).toMatchObject({ host: 'unix:///home/u/.colima/docker.sock', source: 'DOCKER_CONTEXT', context: 'colima' });
    expect(cliEnvFor(ep, { DOCKER_HOST: 'x' })).toMatchObject({ DOCKER_CONTEXT: 'colima' });
  });

  it('uses the current context of config.json, honouring DOCKER_CONFIG', async () => {
    const dir = await home({ currentContext: 'desktop-linux' }, { 'desktop-linux': 'unix:///home/u/.docker/desktop/docker.sock' });
    const ep = resolveEndpoint({ env: {}, homeDir: dir, platform: 'linux', fileExists: none });
    expect(ep).toMatchObject({ source: 'config', context: 'desktop-linux', host: 'unix:///home/u/.docker/desktop/docker.sock' });
    expect(ep.detail).toContain('config.json');
    const elsewhere = resolveEndpoint({ env: { DOCKER_CONFIG: join(dir, '.docker') }, homeDir: '/nonexistent', platform: 'linux', fileExists: none });
    expect(elsewhere.host).toBe(ep.host);
  });

  it('treats the "default" context as the platform default', async () => {
    const dir = await home({ currentContext: 'default' });
    const ep = resolveEndpoint({ env: {}, homeDir: dir, platform: 'linux', fileExists: (p) => p === '/var/run/docker.sock' });
    expect(ep).toMatchObject({ host: 'unix:///var/run/docker.sock', source: 'default' });
  });

  it("falls back to Docker Desktop's socket, then rootless, per platform", async () => {
    const dir = await home();
    const desktop = join(dir, '.docker', 'run', 'docker.sock');
    expect(resolveEndpoint({ env: {}, homeDir: dir, platform: 'darwin', fileExists: (p) => p === desktop })).toMatchObject({
      host: `unix://${desktop}`,
      detail: "Docker Desktop's socket",
    });
    expect(resolveEndpoint({ env: { XDG_RUNTIME_DIR: '/run/user/1000' }, homeDir: dir, platform: 'linux', fileExists: (p) => p === '/run/user/1000/docker.sock' }).host).toBe(
      'unix:///run/user/1000/docker.sock',
    );
    expect(resolveEndpoint({ env: {}, homeDir: dir, platform: 'win32', fileExists: none }).host).toBe('npipe:////./pipe/docker_engine');
  });

  it('explains a context that does not exist and a broken config.json', async () => {
    const dir = await home({ currentContext: 'gone' });
    expect(() => resolveEndpoint({ env: {}, homeDir: dir, platform: 'linux', fileExists: none })).toThrow(/Docker context "gone" does not exist/);
    const broken = await home();
    await writeFile(join(broken, '.docker', 'config.json'), '{ not json');
    expect(() => resolveEndpoint({ env: {}, homeDir: broken, platform: 'linux', fileExists: none })).toThrow(/not valid JSON/);
  });

  it('marks tcp endpoints TLS when DOCKER_TLS_VERIFY / DOCKER_CERT_PATH say so', async () => {
    const ep = resolveEndpoint({ env: { DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' }, homeDir: '/x', platform: 'linux', fileExists: none });
    expect(ep.tls).toBe(true);
    expect(ep.tlsFiles).toEqual({ ca: '/certs/ca.pem', cert: '/certs/cert.pem', key: '/certs/key.pem', verify: true });
  });
});
