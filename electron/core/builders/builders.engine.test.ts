import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBinfmtEntry, type BinfmtEntry } from '../../../shared/domain/binfmt/entries';
import { classify, emulatorFactsFromRows, verdictOf } from '../../../shared/domain/platform-support';
import type { BuilderList, BuildersChanged, CommandRun } from '../../../shared/contract/builders';
import { RpcError } from '../../../shared/rpc/errors';
import { scratchDockerConfig } from '../testing/docker-config';
import { stackEnv } from '../testing/stack';
import { startTestCore, waitForEngine, type TestCore } from '../testing/test-core';

const exec = promisify(execFile);
const stack = stackEnv();
const BINFMT = '/proc/sys/fs/binfmt_misc';
const suffix = randomBytes(3).toString('hex');
const uniq = (what: string) => `mas-test-${what}-${suffix}`;

/**
 * buildx keeps its builders and the current-builder pointer under DOCKER_CONFIG. A scratch one
 * keeps these tests from moving the current builder under other people's builds on this engine;
 * the containers still run on the shared engine, so every one is named uniquely and removed.
 */
let dockerConfig: string;
let env: NodeJS.ProcessEnv;
let t: TestCore;
let docker: Docker;
const created = new Set<string>();
const contexts = new Set<string>();
const events: BuildersChanged[] = [];

/** The real CLI, outside the app: what the app says is checked against this. */
async function docker_(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec('docker', args, { env, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Builder names as buildx itself lists them (read with JSON.parse, not with the app's parser). */
async function buildxNames(): Promise<string[]> {
  const { stdout } = await docker_(['buildx', 'ls', '--format', 'json']);
  return [...new Set(stdout.trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { Name: string }).Name))];
}

async function buildxCurrent(): Promise<string> {
  const { stdout } = await docker_(['buildx', 'inspect']);
  return /^Name:\s+(\S+)/m.exec(stdout)?.[1] ?? '';
}

async function containerState(name: string): Promise<'running' | 'stopped' | 'absent'> {
  try {
    const info = await docker.getContainer(name).inspect();
    return info.State.Running ? 'running' : 'stopped';
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return 'absent';
    throw error;
  }
}

async function volumeExists(name: string): Promise<boolean> {
  try {
    await docker.getVolume(name).inspect();
    return true;
  } catch {
    return false;
  }
}

const byName = (list: BuilderList, name: string) => list.builders.find((b) => b.name === name);

/** The `register` line that recreates a magic entry as /proc shows it (the kernel un-escapes `\x..` itself). */
const registrationLine = (e: BinfmtEntry): string => {
  const escape = (hex = '') => hex.replace(/(..)/g, '\\x$1');
  return `:${e.name}:M:${e.offset ?? 0}:${escape(e.magic)}:${escape(e.mask)}:${e.interpreter}:${e.flags}`;
};

async function rejection(promise: Promise<unknown>): Promise<RpcError> {
  try {
    await promise;
  } catch (error) {
    return error as RpcError;
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  dockerConfig = await scratchDockerConfig();
  env = { ...process.env, DOCKER_HOST: stack.dockerHost, DOCKER_CONFIG: dockerConfig };
  delete env.DOCKER_CONTEXT;
  docker = new Docker({ socketPath: stack.dockerHost.replace('unix://', '') });
  t = await startTestCore({ env, settingsOverrides: { builders: { buildkitImage: stack.buildkitImage } } });
  await waitForEngine(t.api, 'connected');
  t.api.builders.onChanged((e) => events.push(e));
});

afterAll(async () => {
  // Leave the engine as found, even after a failed test: builders, their containers, contexts.
  for (const name of created) {
    await docker_(['buildx', 'rm', name]);
    for (const c of await docker.listContainers({ all: true, filters: { name: [`buildx_buildkit_${name}`] } })) {
      await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
    }
  }
  for (const name of contexts) await docker_(['context', 'rm', '--force', name]);
  await docker_(['buildx', 'use', 'default']);
  await t?.close();
  await rm(dockerConfig, { recursive: true, force: true });
});

describe('builders against the real engine and buildx', () => {
  it('lists the default builder with its real platforms, classified', async () => {
    const list = await t.api.builders.list({});
    const { stdout: version } = await docker_(['buildx', 'version']);
    expect(version).toContain(list.buildxVersion);
    expect(list.source).toBe('ls-json');
    expect(list.current).toBe('default');

    const builder = byName(list, 'default');
    expect(builder).toMatchObject({ driver: 'docker', current: true, status: 'running', healthy: true });
    // The platforms buildx itself reports, read here without the app's parser.
    const { stdout } = await docker_(['buildx', 'ls', '--format', 'json']);
    const raw = JSON.parse(stdout.trim().split('\n')[0]!) as { Name: string; Nodes: { Platforms: string[] }[] };
    expect(raw.Name).toBe('default');
    const node = builder!.nodes[0]!;
    expect(node.platforms).toEqual(raw.Nodes[0]!.Platforms);
    // QEMU is registered on the stack: emulated platforms show up beside the native one.
    expect(node.platforms).toEqual(expect.arrayContaining(['linux/amd64', 'linux/arm64', 'linux/riscv64']));
    expect(node.local).toBe(true);
    const support = Object.fromEntries(node.support.platforms.map((s) => [s.platform, s.support]));
    expect(list.enginePlatform).toBe('linux/amd64');
    expect(list.emulatorsProblem).toBeUndefined();
    expect(support['linux/amd64']).toBe('native');
    expect(support['linux/arm64']).toBe('emulated');
    expect(support['linux/riscv64']).toBe('emulated');
    // The docker driver leaves 386, arm/v7 and arm/v6 out; the core reads the emulators and says they build.
    // (Engine 26's BuildKit leaves them all out; newer ones list arm/v7 and arm/v6.)
    expect(raw.Nodes[0]!.Platforms).not.toContain('linux/386');
    expect(node.support.platforms.find((s) => s.platform === 'linux/386')).toMatchObject({ support: 'native', listed: false, reason: 'docker-driver-omits' });
    const armv7Listed = raw.Nodes[0]!.Platforms.includes('linux/arm/v7');
    expect(node.support.platforms.find((s) => s.platform === 'linux/arm/v7')).toMatchObject(
      armv7Listed ? { support: 'emulated', listed: true } : { support: 'emulated', listed: false, reason: 'docker-driver-omits' },
    );
    // Served as the one classifier makes it from the engine host's emulators as the Emulators page reads them.
    const emulators = emulatorFactsFromRows((await t.api.emulators.status({})).rows);
    expect(node.support).toEqual(
      classify({ name: node.name, driver: 'docker', reported: node.platforms, preferred: node.preferredPlatforms, local: true, enginePlatform: list.enginePlatform, running: true }, emulators),
    );
    // Every command the app ran is shown as the user would type it.
    expect(list.commands.map((c) => c.command)).toContain('docker buildx ls --format json');
  });

  it('says the default builder builds several platforms at once on the containerd store', async () => {
    const check = await t.api.builders.multiPlatform({});
    expect(check).toMatchObject({ builder: 'default', driver: 'docker', verdict: 'yes', suggestContainerBuilder: false });
  });

  it('create → bootstrap → running → use → current moves → stop → start → logs → restart → remove, leaving no container', async () => {
    const name = uniq('dc');
    created.add(name);
    const container = `buildx_buildkit_${name}0`;
    const made = await t.api.builders.create({ name, driverOpts: ['network=host'], bootstrap: true });
    expect(made.commands[0]!.command).toBe(
      `docker buildx create --name ${name} --driver docker-container --driver-opt network=host --driver-opt image=${stack.buildkitImage} --bootstrap`,
    );
    expect(made.commands[0]!.exitCode).toBe(0);
    expect(made.builder).toMatchObject({ name, driver: 'docker-container', status: 'running', healthy: true, current: false });
    const node = made.builder!.nodes[0]!;
    expect(node).toMatchObject({ name: `${name}0`, status: 'running', local: true, container, driverOpts: { network: 'host', image: stack.buildkitImage } });
    expect(node.buildkitVersion).toMatch(/^v\d/);
    // A container builder lists what the docker driver leaves out.
    expect(node.platforms).toEqual(expect.arrayContaining(['linux/arm64', 'linux/arm/v7', 'linux/386']));
    expect(await containerState(container)).toBe('running');
    expect(await buildxNames()).toContain(name);

    const listed = byName(await t.api.builders.list({}), name);
    expect(listed).toMatchObject({ status: 'running', current: false, healthy: true });
    expect((await t.api.builders.multiPlatform({ name })).verdict).toBe('yes');

    const used = await t.api.builders.use({ name });
    expect(used.commands[0]!.command).toBe(`docker buildx use ${name}`);
    expect(await buildxCurrent()).toBe(name);
    const afterUse = await t.api.builders.list({});
    expect(afterUse.current).toBe(name);
    expect(byName(afterUse, name)!.current).toBe(true);
    expect(byName(afterUse, 'default')!.current).toBe(false);

    const stopped = await t.api.builders.stop({ name });
    expect(stopped.commands[0]!.command).toBe(`docker buildx stop ${name}`);
    expect(stopped.builder!.status).toBe('stopped');
    expect(stopped.builder!.healthy).toBe(false);
    expect(await containerState(container)).toBe('stopped');

    const started = await t.api.builders.inspect({ name, bootstrap: true });
    expect(started.builder.status).toBe('running');
    expect(started.text).toMatch(new RegExp(`^Name:\\s+${name}$`, 'm'));
    expect(started.commands.map((c) => c.command)).toContain(`docker buildx inspect --bootstrap ${name}`);
    expect(await containerState(container)).toBe('running');

    const logs = await t.api.builders.logs({ name, tail: 200 });
    expect(logs).toMatchObject({ container, node: `${name}0`, command: `docker logs --tail 200 ${container}` });
    expect(logs.text).toMatch(/running server on/);

    // The Emulators page's "restart running builders": this scratch config holds only ours and default.
    const restartedAll = await t.api.builders.restartRunning({});
    expect(restartedAll.results.map((r) => [r.name, r.ok])).toEqual([[name, true]]);
    expect(restartedAll.results[0]!.commands.map((c) => c.command)).toEqual([`docker buildx stop ${name}`, `docker buildx inspect --bootstrap ${name}`]);
    expect(await containerState(container)).toBe('running');

    const removed = await t.api.builders.remove({ name, keepState: false });
    expect(removed.commands[0]!.command).toBe(`docker buildx rm ${name}`);
    expect(removed.notes.join(' ')).toMatch(/current builder/);
    created.delete(name);
    expect(await buildxNames()).not.toContain(name);
    expect(await containerState(container)).toBe('absent');
    expect(await volumeExists(`${container}_state`)).toBe(false);
    // buildx falls back to the default builder once the current one is gone.
    expect((await t.api.builders.list({})).current).toBe('default');
    expect(events.filter((e) => e.name === name).map((e) => e.reason)).toEqual(
      expect.arrayContaining(['created', 'used', 'stopped', 'started', 'removed']),
    );
  });

  it('creates and uses in one go, then keeps the state volume when asked', async () => {
    const name = uniq('keep');
    created.add(name);
    const made = await t.api.builders.create({ name, driverOpts: ['network=host'], use: true });
    expect(made.commands.map((c) => c.command)).toEqual([expect.stringContaining(`docker buildx create --name ${name}`), `docker buildx use ${name}`]);
    expect(made.builder!.current).toBe(true);
    expect(await buildxCurrent()).toBe(name);
    await t.api.builders.use({ name: 'default' });
    expect(await buildxCurrent()).toBe('default');
    const removed = await t.api.builders.remove({ name, keepState: true });
    expect(removed.commands[0]!.command).toBe(`docker buildx rm --keep-state ${name}`);
    created.delete(name);
    expect(await containerState(`buildx_buildkit_${name}0`)).toBe('absent');
    expect(await volumeExists(`buildx_buildkit_${name}0_state`)).toBe(true);
    await docker.getVolume(`buildx_buildkit_${name}0_state`).remove();
  });

  it('appends a node from another endpoint (a Docker context) and takes it out again, container included', async () => {
    const name = uniq('multi');
    const ctx = uniq('ctx');
    const { code } = await docker_(['context', 'create', ctx, '--docker', `host=${stack.dockerHost}`]);
    expect(code).toBe(0);
    contexts.add(ctx);
    created.add(name);
    await t.api.builders.create({ name, driverOpts: ['network=host'], bootstrap: true });
    const taken = await rejection(t.api.builders.create({ name, bootstrap: true }));
    expect(taken.code).toBe('BUILDER_EXISTS');

    const appended = await t.api.builders.appendNode({ builder: name, endpoint: ctx, driverOpts: ['network=host'] });
    expect(appended.commands[0]!.command).toBe(
      `docker buildx create --append --name ${name} --node ${name}1 --driver-opt network=host --bootstrap ${ctx}`,
    );
    const nodes = appended.builder!.nodes;
    expect(nodes.map((n) => [n.name, n.endpoint, n.status])).toEqual([
      [`${name}0`, stack.dockerHost, 'running'],
      [`${name}1`, ctx, 'running'],
    ]);
    // The context points at this very engine, so the node counts as local.
    expect(nodes[1]!.local).toBe(true);
    expect(await containerState(`buildx_buildkit_${name}1`)).toBe('running');

    const dup = await rejection(t.api.builders.appendNode({ builder: name, endpoint: ctx, node: `${name}1` }));
    expect(dup.code).toBe('BUILDER_NODE_EXISTS');

    const left = await t.api.builders.removeNode({ builder: name, node: `${name}1` });
    expect(left.commands[0]!.command).toBe(`docker buildx create --leave --name ${name} --node ${name}1`);
    expect(left.builder!.nodes.map((n) => n.name)).toEqual([`${name}0`]);
    // `--leave` alone would leave the BuildKit container running.
    expect(await containerState(`buildx_buildkit_${name}1`)).toBe('absent');

    const last = await rejection(t.api.builders.removeNode({ builder: name, node: `${name}0` }));
    expect(last.code).toBe('BUILDER_LAST_NODE');
    await t.api.builders.remove({ name, keepState: false });
    created.delete(name);
    expect(await containerState(`buildx_buildkit_${name}0`)).toBe('absent');
  });

  it('cleans up a failed create (image unavailable) and never lists it', async () => {
    const name = uniq('noimg');
    created.add(name);
    const error = await rejection(t.api.builders.create({ name, buildkitImage: 'mas-test/nonexistent:1', bootstrap: true }));
    expect(error.code).toBe('BUILDER_CREATE_FAILED');
    expect(error.message).toMatch(/failed to resolve reference|pull/i);
    expect(error.hint).toMatch(/could not be pulled/);
    expect(error.hint).toMatch(/removed/);
    const commands = (error.data as { commands: CommandRun[] }).commands;
    expect(commands.map((c) => [c.command, c.exitCode === 0])).toEqual([
      [`docker buildx create --name ${name} --driver docker-container --driver-opt image=mas-test/nonexistent:1 --bootstrap`, false],
      [`docker buildx rm ${name}`, true],
    ]);
    expect(commands[0]!.output).toMatch(/ERROR/);
    expect(await buildxNames()).not.toContain(name);
    expect(byName(await t.api.builders.list({}), name)).toBeUndefined();
    expect(await containerState(`buildx_buildkit_${name}0`)).toBe('absent');
    created.delete(name);
  });

  it('shows a builder that failed to start as not healthy, with why', async () => {
    const name = uniq('ghost');
    created.add(name);
    const made = await t.api.builders.create({ name, buildkitImage: 'mas-test/nonexistent:1', bootstrap: false });
    expect(made.builder).toMatchObject({ status: 'inactive', healthy: false });
    const error = await rejection(t.api.builders.inspect({ name, bootstrap: true }));
    expect(error.code).toBe('BUILDER_COMMAND_FAILED');
    const ghost = byName(await t.api.builders.list({}), name);
    expect(ghost).toMatchObject({ status: 'inactive', healthy: false });
    expect(ghost!.problem?.message).toMatch(/did not start/);
    expect(ghost!.problem?.command).toBe(`docker buildx inspect --bootstrap ${name}`);
    await t.api.builders.remove({ name, keepState: false });
    created.delete(name);
    expect(await buildxNames()).not.toContain(name);
  });

  it('refuses bad names before anything runs', async () => {
    const before = await buildxNames();
    const cli = t.core.context.cli;
    const original = cli.run.bind(cli);
    let calls = 0;
    cli.run = (args, options) => {
      calls++;
      return original(args, options);
    };
    const marker = join(dockerConfig, 'pwned');
    try {
      for (const name of ['bad name', '-x', '--help', `a;touch ${marker}`, 'a$(id)', 'a`id`', '1abc', '']) {
        const error = await rejection(t.api.builders.create({ name }));
        expect(error.code, name).toBe('BAD_INPUT');
        expect(error.message).toMatch(/name/);
      }
      for (const call of [
        t.api.builders.remove({ name: 'x y' }),
        t.api.builders.use({ name: '-h' }),
        t.api.builders.appendNode({ builder: 'ok', endpoint: '--help' }),
        t.api.builders.create({ name: 'ok', endpoint: 'tcp://h;reboot' }),
        t.api.builders.create({ name: 'ok', driverOpts: ['network=host,image=evil'] }),
      ]) {
        expect((await rejection(call)).code).toBe('BAD_INPUT');
      }
    } finally {
      cli.run = original;
    }
    expect(calls).toBe(0);
    expect(existsSync(marker)).toBe(false);
    expect(await buildxNames()).toEqual(before);
  });

  it('refuses a name that is taken and actions on the docker driver that buildx cannot do', async () => {
    expect((await rejection(t.api.builders.remove({ name: 'default' }))).code).toBe('BUILDER_NOT_REMOVABLE');
    expect((await rejection(t.api.builders.stop({ name: 'default' }))).code).toBe('BUILDER_NOT_STOPPABLE');
    expect((await rejection(t.api.builders.logs({ name: 'default' }))).code).toBe('BUILDER_NO_CONTAINER');
    expect((await rejection(t.api.builders.use({ name: uniq('missing') }))).code).toBe('BUILDER_NOT_FOUND');
  });
});

describe('the remote driver against a buildkitd process', () => {
  let buildkitd: ChildProcess | undefined;
  let dir: string;
  let socket: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mas-test-buildkitd-'));
    socket = join(dir, 'buildkitd.sock');
    buildkitd = spawn(stack.buildkitd, ['--addr', `unix://${socket}`, '--root', join(dir, 'root'), '--oci-worker=true', '--containerd-worker=false'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`buildkitd did not start in 30 s:\n${log}`)), 30_000);
      buildkitd!.stderr!.on('data', (d: Buffer) => {
        log += d.toString();
        if (log.includes('running server on')) {
          clearTimeout(timer);
          resolve();
        }
      });
      buildkitd!.once('exit', (code) => reject(new Error(`buildkitd exited with ${code}:\n${log}`)));
    });
  });

  afterAll(async () => {
    if (buildkitd && buildkitd.exitCode === null) {
      const exited = new Promise((r) => buildkitd!.once('exit', r));
      buildkitd.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('classifies a platform whose emulator is registered after the builder started as emulated, and a build uses it', async () => {
    const name = uniq('late');
    created.add(name);
    const context = await mkdtemp(join(tmpdir(), 'mas-test-late-'));
    // The entry exactly as the stack has it, so it can be put back as it was whatever registered it.
    const entry = parseBinfmtEntry('qemu-s390x', await readFile(`${BINFMT}/qemu-s390x`, 'utf8'));
    const reRegister = async () => {
      if (existsSync(`${BINFMT}/${entry.name}`)) return;
      await writeFile(`${BINFMT}/register`, registrationLine(entry));
      if (!entry.enabled) await writeFile(`${BINFMT}/${entry.name}`, '0');
    };
    try {
      await writeFile(join(context, 'Dockerfile'), `FROM ${stack.baseImage}\nRUN uname -m\n`);
      await writeFile(`${BINFMT}/${entry.name}`, '-1');
      const made = await t.api.builders.create({ name, driver: 'docker-container', driverOpts: ['network=host'], bootstrap: true });
      expect(verdictOf(made.builder!.nodes[0]!.support, 'linux/s390x')).toMatchObject({ support: 'unavailable', reason: 'no-emulator' });

      await reRegister();
      const after = byName(await t.api.builders.list({}), name)!.nodes[0]!.support;
      // BuildKit may refresh its list by itself; listed or not, the verdict is emulated.
      expect(verdictOf(after, 'linux/s390x')).toMatchObject({ support: 'emulated' });
      const build = await docker_(['buildx', 'build', '--builder', name, '--platform', 'linux/s390x', '--progress', 'plain', '--no-cache', '--output', 'type=cacheonly', context]);
      expect(build.code, build.stderr).toBe(0);
      expect(build.stderr).toMatch(/\bs390x\b/);
    } finally {
      await reRegister();
      await rm(context, { recursive: true, force: true });
    }
    await t.api.builders.remove({ name, keepState: false });
    created.delete(name);
  });

  it('creates a remote builder on the socket, lists its platforms, restarts it and removes it', async () => {
    const name = uniq('remote');
    created.add(name);
    const made = await t.api.builders.create({ name, driver: 'remote', endpoint: `unix://${socket}`, bootstrap: true });
    expect(made.commands[0]!.command).toBe(`docker buildx create --name ${name} --driver remote --bootstrap unix://${socket}`);
    expect(made.builder).toMatchObject({ driver: 'remote', status: 'running', healthy: true });
    const node = made.builder!.nodes[0]!;
    expect(node.endpoint).toBe(`unix://${socket}`);
    expect(node.container).toBeUndefined();
    expect(node.local).toBe(true);
    expect(node.platforms).toEqual(expect.arrayContaining(['linux/amd64', 'linux/arm64', 'linux/arm/v7']));
    expect(node.support.platforms.find((s) => s.platform === 'linux/arm64')!.support).toBe('emulated');
    expect((await rejection(t.api.builders.logs({ name }))).code).toBe('BUILDER_NO_CONTAINER');

    const restarted = await t.api.builders.restart({ name });
    expect(restarted.builder!.status).toBe('running');

    await t.api.builders.remove({ name, keepState: false });
    created.delete(name);
    expect(await buildxNames()).not.toContain(name);
    // buildx never owned that daemon: it is still running.
    expect(buildkitd!.exitCode).toBeNull();
  });
});
