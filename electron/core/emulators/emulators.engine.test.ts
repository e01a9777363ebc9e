import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeChunk, EmulatorStatus } from '../../../shared/contract/emulators';
import { RpcError } from '../../../shared/rpc/errors';
import { stackEnv } from '../testing/stack';
import { startTestCore, waitForEngine, type TestCore } from '../testing/test-core';
import { ROLE_LABEL } from './containers';

const run = promisify(execFile);
const restoreScript = resolve(__dirname, '../../../scripts/stack/restore-binfmt.sh');
const BINFMT = '/proc/sys/fs/binfmt_misc';
/** A binfmt_misc entry of the test's own that is not an emulator. */
const NON_QEMU = 'mas-test-nonqemu';

/** Puts binfmt_misc back the way the stack expects it (other engineers build on this machine too). */
async function restoreHost(): Promise<void> {
  await run(restoreScript, ['--quiet']);
}

/** Removes an entry the way a reboot would: behind the app's back (the stand-in, run by the docker CLI). */
async function removeBehindTheBack(image: string, entry: string): Promise<void> {
  await run('docker', ['run', '--rm', '--privileged', '--network', 'none', image, '--uninstall', entry]);
}

const entryOnHost = async (name: string): Promise<string | undefined> => readFile(`${BINFMT}/${name}`, 'utf8').catch(() => undefined);

const row = (status: EmulatorStatus, arch: string) => {
  const found = status.rows.find((r) => r.architecture === arch);
  if (!found) throw new Error(`no row ${arch}`);
  return found;
};

/** Container create events of the app's own containers (by label), to prove what ran and what did not. */
async function watchCreates(docker: Docker): Promise<{ roles: string[]; stop(): void; until(role: string): Promise<void> }> {
  const roles: string[] = [];
  const waiters: { role: string; resolve(): void }[] = [];
  const stream = (await docker.getEvents({ filters: { type: ['container'], event: ['create'], label: [ROLE_LABEL] } })) as NodeJS.ReadableStream & { destroy(): void };
  let buffer = '';
  stream.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (!line.trim()) continue;
      const event = JSON.parse(line) as { Actor?: { Attributes?: Record<string, string> } };
      const role = event.Actor?.Attributes?.[ROLE_LABEL] ?? '?';
      roles.push(role);
      for (const w of waiters.filter((x) => x.role === role)) w.resolve();
    }
  });
  return {
    roles,
    stop: () => stream.destroy(),
    until: (role) => (roles.includes(role) ? Promise.resolve() : new Promise<void>((r) => waiters.push({ role, resolve: r }))),
  };
}

describe('emulators against the real engine, kernel binfmt_misc and QEMU', () => {
  const stack = stackEnv();
  const env = { ...process.env, DOCKER_HOST: stack.dockerHost };
  const settingsOverrides = { emulators: { installerImage: stack.binfmtImage, testImage: stack.baseImage } };
  const docker = new Docker({ socketPath: stack.dockerHost.replace('unix://', '') });
  let t: TestCore;
  const consent = { image: stack.binfmtImage };

  beforeAll(async () => {
    await restoreHost();
    t = await startTestCore({ env, settingsOverrides });
    await waitForEngine(t.api, 'connected');
  });
  afterEach(async () => {
    await restoreHost();
  });
  afterAll(async () => {
    await t?.close();
    await restoreHost();
  });

  it('reads the host table the same way from /proc and through an unprivileged container', async () => {
    // An entry that is not QEMU's, registered by the test itself (a machine's own, such as Java's
    // `jar` from binfmt-support, is there only where that package registered it since boot).
    await writeFile(`${BINFMT}/register`, `:${NON_QEMU}:E::masnq::/bin/true:`);
    try {
      await readsTheSameWay();
    } finally {
      await writeFile(`${BINFMT}/${NON_QEMU}`, '-1').catch(() => undefined);
    }
  });

  async function readsTheSameWay(): Promise<void> {
    const local = await t.api.emulators.status({});
    expect(local.host.source).toBe('local');
    expect(local.mounted).toBe(true);
    // The stack registers Debian's emulators with PF.
    const arm64 = row(local, 'arm64');
    expect(arm64.state).toBe('emulated');
    expect(arm64.entry?.name).toBe('qemu-aarch64');
    expect(arm64.entry?.flags).toBe((await entryOnHost('qemu-aarch64'))?.match(/^flags: (.*)$/m)?.[1]);
    expect(row(local, 'amd64').state).toBe('native');
    expect(local.nonQemu.find((e) => e.name === NON_QEMU)).toMatchObject({ name: NON_QEMU, enabled: true, interpreter: '/bin/true', extension: '.masnq' });

    const engine = await startTestCore({ env, settingsOverrides, emulators: { reader: 'engine' } });
    try {
      await waitForEngine(engine.api, 'connected');
      const through = await engine.api.emulators.status({});
      expect(through.host.source).toBe('engine');
      expect(through.rows).toEqual(local.rows);
      expect(through.nonQemu).toEqual(local.nonQemu);
      expect(through.otherQemu).toEqual(local.otherQemu);
    } finally {
      await engine.close();
    }
  }

  it('install arm64 and riscv64 → emulated with F → Test prints aarch64; uninstall arm64 → exec format error', async () => {
    const startedAt = Math.floor(Date.now() / 1000) - 1;
    // Start from "not registered" so the installer really registers them.
    const removed = await t.api.emulators.uninstall({ architectures: ['arm64', 'riscv64'], consent }).result;
    expect(removed.outcomes.map((o) => [o.architecture, o.outcome])).toEqual([
      ['arm64', 'ok'],
      ['riscv64', 'ok'],
    ]);
    const chunks: ChangeChunk[] = [];
    const installed = await t.api.emulators.install({ architectures: ['arm64', 'riscv64'] }, { onChunk: (c) => chunks.push(c) }).result;
    expect(installed.outcomes.map((o) => [o.architecture, o.outcome, o.verified])).toEqual([
      ['arm64', 'ok', true],
      ['riscv64', 'ok', true],
    ]);
    expect(installed.exitCode).toBe(0);
    expect(installed.restartBuildersAdvised).toBe(true);
    expect(installed.command).toBe(`docker run --rm --privileged --network none ${stack.binfmtImage} --install arm64,riscv64`);
    expect(chunks).toContainEqual({ kind: 'output', stream: 'stderr', line: 'installing: arm64 OK' });
    for (const arch of ['arm64', 'riscv64']) {
      const r = row(installed.status, arch);
      expect(r.state).toBe('emulated');
      expect(r.entry?.flags).toContain('F');
      expect(r.issues).toEqual([]);
    }
    // The kernel agrees, read independently of the app.
    expect(await entryOnHost('qemu-aarch64')).toMatch(/^enabled\ninterpreter \/usr\/bin\/qemu-aarch64\nflags: POCF/);
    expect(installed.status.remembered).toEqual(['arm64', 'riscv64']);

    const test = await t.api.emulators.test({ architecture: 'arm64' });
    expect(test).toMatchObject({ ok: true, machine: 'aarch64', platform: 'linux/arm64' });

    const uninstalled = await t.api.emulators.uninstall({ architectures: ['arm64'] }).result;
    expect(uninstalled.outcomes).toMatchObject([{ architecture: 'arm64', outcome: 'ok', entry: 'qemu-aarch64', verified: true }]);
    expect(row(uninstalled.status, 'arm64').state).toBe('unavailable');
    expect(row(uninstalled.status, 'arm64').entry).toBeUndefined();
    expect(uninstalled.status.remembered).toEqual(['riscv64']);
    expect(await entryOnHost('qemu-aarch64')).toBeUndefined();

    const failed = await t.api.emulators.test({ architecture: 'arm64' });
    expect(failed.ok).toBe(false);
    expect(failed.failure?.kind).toBe('exec-format');
    expect(failed.failure?.message).toMatch(/exec format error/);
    expect(failed.failure?.hint).toMatch(/no working emulator/);

    const status = await t.api.emulators.status({});
    expect(status.rows.find((r) => r.entry?.name === 'qemu-aarch64')).toBeUndefined();
    // Nothing this test created is left behind (each run is removed, even the failed one).
    const left = await docker.listContainers({ all: true, filters: { label: [ROLE_LABEL] } });
    expect(left.filter((c) => c.Created >= startedAt)).toEqual([]);
  });

  it('installing without consent runs nothing, not even a pull', async () => {
    const fresh = await startTestCore({ env, settingsOverrides });
    const creates = await watchCreates(docker);
    try {
      await waitForEngine(fresh.api, 'connected');
      const before = await entryOnHost('qemu-riscv64');
      await expect(fresh.api.emulators.install({ architectures: ['riscv64'] }).result).rejects.toMatchObject({ code: 'CONSENT_REQUIRED' });
      // Consent for another image is no consent for this one.
      await expect(fresh.api.emulators.install({ architectures: ['riscv64'], consent: { image: 'tonistiigi/binfmt:latest' } }).result).rejects.toMatchObject({
        code: 'CONSENT_REQUIRED',
      });
      await expect(fresh.api.emulators.uninstall({ architectures: ['riscv64'] }).result).rejects.toMatchObject({ code: 'CONSENT_REQUIRED' });
      // Prove the event stream sees the app's containers: a Test creates one, and it arrives.
      await fresh.api.emulators.test({ architecture: 'amd64' });
      await creates.until('emulator-test');
      expect(creates.roles).not.toContain('binfmt-installer');
      expect(await entryOnHost('qemu-riscv64')).toBe(before);
      expect((await fresh.api.app.settings({})).emulators.consentedImage).toBeUndefined();
    } finally {
      creates.stop();
      await fresh.close();
    }
  });

  it('refuses an unknown architecture before anything runs', async () => {
    const creates = await watchCreates(docker);
    try {
      const bad = t.api.emulators.install({ architectures: ['sparc64' as never], consent });
      await expect(bad.result).rejects.toMatchObject({ code: 'BAD_INPUT' });
      const injected = t.api.emulators.uninstall({ architectures: ['arm64,qemu-*' as never], consent });
      await expect(injected.result).rejects.toMatchObject({ code: 'BAD_INPUT' });
      await expect(t.api.emulators.test({ architecture: 'linux/arm64' as never })).rejects.toMatchObject({ code: 'BAD_INPUT' });
      await t.api.emulators.test({ architecture: 'amd64' });
      await creates.until('emulator-test');
      expect(creates.roles).toContain('emulator-test');
      expect(creates.roles).not.toContain('binfmt-installer');
    } finally {
      creates.stop();
    }
  });

  it('refuses to install an emulator for the host architecture', async () => {
    const status = await t.api.emulators.status({});
    const native = status.host.platform.replace('linux/', '');
    await expect(t.api.emulators.install({ architectures: [native as 'amd64'], consent }).result).rejects.toMatchObject({ code: 'NATIVE_ARCHITECTURE' });
  });

  it('emulators removed behind the app\'s back → restore needed (event + status) → restore works', async () => {
    const kept = await t.api.emulators.install({ architectures: ['riscv64'], consent }).result;
    expect(['ok', 'already-registered']).toContain(kept.outcomes[0]?.outcome);
    expect(kept.status.remembered).toContain('riscv64');

    const needed: { missing: string[] }[] = [];
    const off = t.api.emulators.onRestoreNeeded((p) => needed.push(p));
    try {
      await removeBehindTheBack(stack.binfmtImage, 'qemu-riscv64');
      const status = await t.api.emulators.status({});
      expect(status.missing).toEqual(['riscv64']);
      expect(row(status, 'riscv64').state).toBe('unavailable');
      await expect.poll(() => needed.length).toBe(1);
      expect(needed[0]).toMatchObject({ missing: ['riscv64'], image: stack.binfmtImage, consented: true });

      const plan = await t.api.emulators.plan({ action: 'restore', architectures: [] });
      expect(plan.args).toEqual(['--install', 'riscv64']);
      const restored = await t.api.emulators.restore({}).result;
      expect(restored.outcomes).toMatchObject([{ architecture: 'riscv64', outcome: 'ok', verified: true }]);
      expect(restored.status.missing).toEqual([]);
      expect(await t.api.emulators.test({ architecture: 'riscv64' })).toMatchObject({ ok: true, machine: 'riscv64' });
    } finally {
      off();
    }
  });

  it('restores by itself at start-up only when allowed and consented', async () => {
    const remembered = { remembered: ['riscv64'], autoRestore: true };
    await removeBehindTheBack(stack.binfmtImage, 'qemu-riscv64');

    // Auto-restore on, but no consent for this image: it asks instead of running.
    const asking = await startTestCore({ env, settingsOverrides: { emulators: { ...settingsOverrides.emulators, ...remembered } } });
    try {
      await waitForEngine(asking.api, 'connected');
      const status = await asking.api.emulators.status({});
      expect(status.missing).toEqual(['riscv64']);
      expect(status.lastAutoRestore).toBeUndefined();
    } finally {
      await asking.close();
    }
    expect(await entryOnHost('qemu-riscv64')).toBeUndefined();

    const auto = await startTestCore({
      env,
      settingsOverrides: { emulators: { ...settingsOverrides.emulators, ...remembered, consentedImage: stack.binfmtImage } },
    });
    try {
      await waitForEngine(auto.api, 'connected');
      await expect
        .poll(async () => (await auto.api.emulators.status({})).lastAutoRestore?.ok, { timeout: 30_000, interval: 200 })
        .toBe(true);
      const status = await auto.api.emulators.status({});
      expect(status.missing).toEqual([]);
      expect(row(status, 'riscv64').state).toBe('emulated');
      expect(await entryOnHost('qemu-riscv64')).toMatch(/^enabled/);
    } finally {
      await auto.close();
    }
  });

  it('pulls a missing installer image with visible progress before running it', async () => {
    const image = `${stack.registry}/mas-test/emulators-binfmt:1`;
    await run('docker', ['tag', stack.binfmtImage, image], { env });
    await run('docker', ['push', '-q', image], { env });
    await run('docker', ['rmi', image], { env });
    const pulling = await startTestCore({ env, settingsOverrides: { emulators: { installerImage: image, testImage: stack.baseImage } } });
    try {
      await waitForEngine(pulling.api, 'connected');
      const chunks: ChangeChunk[] = [];
      const result = await pulling.api.emulators.install({ architectures: ['riscv64'], consent: { image } }, { onChunk: (c) => chunks.push(c) }).result;
      expect(chunks.find((c) => c.kind === 'phase' && c.phase === 'pull')).toBeDefined();
      expect(chunks.filter((c) => c.kind === 'pull').map((c) => (c.kind === 'pull' ? c.status : ''))).toContainEqual(expect.stringMatching(/Status: Downloaded newer image|Pull complete|Already exists/));
      // The stack keeps riscv64 registered, so the installer answers in its own words.
      expect(result.outcomes).toMatchObject([{ architecture: 'riscv64', outcome: 'already-registered', verified: true }]);
    } finally {
      await pulling.close();
      await run('docker', ['rmi', image], { env }).catch(() => undefined);
    }
  });

  it('pulls the test image for the tested platform when the engine lacks it', async () => {
    const image = `${stack.registry}/mas-test/emulators-busybox:1`;
    await run('docker', ['buildx', 'imagetools', 'create', '-t', image, stack.baseImage], { env });
    await run('docker', ['rmi', image], { env }).catch(() => undefined);
    const pulling = await startTestCore({ env, settingsOverrides: { emulators: { installerImage: stack.binfmtImage, testImage: image } } });
    try {
      await waitForEngine(pulling.api, 'connected');
      expect(await pulling.api.emulators.test({ architecture: 's390x' })).toMatchObject({ ok: true, machine: 's390x', pulled: true });
      expect(await pulling.api.emulators.test({ architecture: 's390x' })).toMatchObject({ ok: true, pulled: false });
    } finally {
      await pulling.close();
      await run('docker', ['rmi', image], { env }).catch(() => undefined);
    }
  });

  it('an installer image that cannot be pulled says so and how to load it; nothing changes', async () => {
    const image = '127.0.0.1:5999/mas-test-missing/binfmt:1';
    const offline = await startTestCore({ env, settingsOverrides: { emulators: { installerImage: image, testImage: stack.baseImage } } });
    try {
      await waitForEngine(offline.api, 'connected');
      const before = await entryOnHost('qemu-riscv64');
      const error = await offline.api.emulators.install({ architectures: ['riscv64'], consent: { image } }).result.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RpcError);
      expect(error).toMatchObject({ code: 'INSTALLER_IMAGE_UNAVAILABLE' });
      expect((error as RpcError).message).toMatch(/registry cannot be reached/);
      expect((error as RpcError).hint).toContain('docker load -i');
      expect(await entryOnHost('qemu-riscv64')).toBe(before);
    } finally {
      await offline.close();
    }
  });

  it('an image that is not an installer never counts as success, whatever its exit code', async () => {
    const notAnInstaller = await startTestCore({ env, settingsOverrides: { emulators: { installerImage: stack.baseImage, testImage: stack.baseImage } } });
    try {
      await waitForEngine(notAnInstaller.api, 'connected');
      const result = await notAnInstaller.api.emulators.install({ architectures: ['riscv64'], consent: { image: stack.baseImage } }).result;
      expect(result.outcomes).toMatchObject([{ architecture: 'riscv64', outcome: 'failed', verified: false }]);
      expect(result.fatal).toMatch(/--install/);
      expect(result.restartBuildersAdvised).toBe(false);
    } finally {
      await notAnInstaller.close();
    }
  });

  it('a test image missing for a platform is reported with what to do', async () => {
    const image = '127.0.0.1:5999/mas-test-missing/busybox:1';
    const missing = await startTestCore({ env, settingsOverrides: { emulators: { installerImage: stack.binfmtImage, testImage: image } } });
    try {
      await waitForEngine(missing.api, 'connected');
      const result = await missing.api.emulators.test({ architecture: 'riscv64' });
      expect(result.ok).toBe(false);
      expect(result.failure?.kind).toBe('image-missing');
      expect(result.failure?.hint).toContain('docker pull --platform linux/riscv64');
    } finally {
      await missing.close();
    }
  });
});
