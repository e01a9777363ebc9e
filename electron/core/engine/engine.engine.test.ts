import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { carryBuildxPlugin } from '../testing/docker-config';
import { enginePlatform, stackEnv } from '../testing/stack';
import { startTestCore, waitForEngine, type TestCore } from '../testing/test-core';

const run = promisify(execFile);
const dockerdScript = resolve(__dirname, '../../../scripts/stack/dockerd.sh');

/** Pings the socket every 50 ms; resolves with the time of the first failure. */
function firstFailedPing(socketPath: string): Promise<number> {
  return new Promise((resolve) => {
    const tick = () => {
      const req = request({ socketPath, path: '/_ping', timeout: 500 }, (res) => {
        res.resume();
        if (res.statusCode === 200) setTimeout(tick, 50);
        else resolve(Date.now());
      });
      req.on('error', () => resolve(Date.now()));
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.end();
    };
    tick();
  });
}

async function engineVersion(): Promise<string> {
  const { stdout } = await run('docker', ['version', '--format', '{{.Server.Version}}']);
  return stdout.trim();
}

describe('engine against the real Docker engine', () => {
  const stack = stackEnv();
  let t: TestCore;

  beforeAll(async () => {
    t = await startTestCore({ env: { ...process.env, DOCKER_HOST: stack.dockerHost } });
    await waitForEngine(t.api, 'connected');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('reports the real engine facts', async () => {
    const info = await t.api.engine.info({});
    expect(info.serverVersion).toBe(await engineVersion());
    expect(info.endpoint).toMatchObject({ host: stack.dockerHost, source: 'DOCKER_HOST' });
    expect(info.platform).toBe(enginePlatform(stack.dockerHost));
    expect(info.apiVersion).toMatch(/^1\.\d+$/);
    expect(info.containerdImageStore).toBe(true);
    expect(info.storageDriver).toBe('overlayfs');
    expect(info.kernelVersion).toBe((await run('uname', ['-r'])).stdout.trim());
    expect(info.cpus).toBeGreaterThan(0);
    expect(info.memoryBytes).toBeGreaterThan(0);
    expect(info.buildx.installed).toBe(true);
    expect(info.buildx.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("lists this buildx's features, each missing one with the version it needs (run once per buildx project)", async () => {
    const { buildx } = await t.api.engine.info({});
    expect(buildx.version).toBe(inject('buildxVersion'));
    const byFeature = Object.fromEntries(buildx.features.map((f) => [f.feature, f]));
    if (buildx.version!.startsWith('0.13.')) {
      expect(buildx.features.filter((f) => f.available).map((f) => f.feature)).toEqual(['ls-json', 'buildkitd-config-flag']);
      expect(byFeature['build-checks']).toMatchObject({ available: false, reason: 'needs buildx 0.15.0 or newer; this is 0.13.1' });
      expect(byFeature['history']).toMatchObject({ available: false, reason: 'needs buildx 0.21.0 or newer; this is 0.13.1' });
    } else {
      expect(buildx.features.every((f) => f.available && f.reason === undefined)).toBe(true);
      expect(byFeature['build-checks']?.usage).toBe('docker buildx build --call=check');
    }
  });

  it('resolves the endpoint from a context file in a temporary HOME and connects through it', async () => {
    const home = await mkdtemp(join(tmpdir(), 'mas-home-'));
    const meta = join(home, '.docker', 'contexts', 'meta', createHash('sha256').update('stack').digest('hex'));
    await mkdir(meta, { recursive: true });
    await writeFile(join(meta, 'meta.json'), JSON.stringify({ Name: 'stack', Endpoints: { docker: { Host: stack.dockerHost } } }));
    await writeFile(join(home, '.docker', 'config.json'), JSON.stringify({ currentContext: 'stack' }));
    await carryBuildxPlugin(join(home, '.docker'));
    const env: Record<string, string | undefined> = { ...process.env, HOME: home };
    delete env.DOCKER_HOST;
    delete env.DOCKER_CONFIG; // ~/.docker of the temporary HOME, with this project's buildx plugin
    delete env.DOCKER_CONTEXT;
    const viaContext = await startTestCore({ env, homeDir: home });
    try {
      await waitForEngine(viaContext.api, 'connected');
      const info = await viaContext.api.engine.info({});
      expect(info.endpoint).toMatchObject({ source: 'config', context: 'stack', host: stack.dockerHost });
      // The CLI children follow the same context: buildx answers through it.
      expect(info.buildx.installed).toBe(true);
    } finally {
      await viaContext.close();
    }
  });

  it('reports a missing engine clearly and stays up', async () => {
    const nowhere = await startTestCore({ env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    try {
      const state = await waitForEngine(nowhere.api, 'disconnected');
      expect(state.problem?.message).toContain('No Docker engine socket at unix:///nonexistent/docker.sock');
      expect(state.problem?.hint).toMatch(/Start the Docker daemon/);
      await expect(nowhere.api.engine.info({})).rejects.toMatchObject({ code: 'ENGINE_UNAVAILABLE' });
    } finally {
      await nowhere.close();
    }
  });

  it('sees the daemon stop within 2 s and reconnects by itself when it comes back', async () => {
    const before = (await t.api.engine.state({})).generation;
    const stopped = waitForEngine(t.api, 'disconnected', 60_000).then((s) => ({ s, at: Date.now() }));
    // Watch the daemon ourselves to know when it really stopped answering (dockerd takes a while to stop).
    const gone = firstFailedPing(stack.dockerHost.replace('unix://', ''));
    await run(dockerdScript, ['stop']);
    const [{ s: state, at }, goneAt] = await Promise.all([stopped, gone]);
    expect(state.problem?.message).toMatch(/not running|No Docker engine socket/);
    console.info(`engine: disconnect reported ${at - goneAt} ms after the daemon stopped answering`);
    expect(at - goneAt).toBeLessThan(2000);
    await expect(t.api.engine.info({})).rejects.toMatchObject({ code: 'ENGINE_UNAVAILABLE' });

    const back = waitForEngine(t.api, 'connected', 90_000);
    await run(dockerdScript, ['start']);
    const again = await back;
    expect(again.generation).toBeGreaterThan(before);
    const info = await t.api.engine.info({});
    expect(info.serverVersion).toBe(await engineVersion());
  });
});
