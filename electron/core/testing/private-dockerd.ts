import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openSync, closeSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A Docker engine of the test's own, for faults the shared one must not suffer (stopping it
 * mid-build): own socket, data-root, exec-root (where it starts its own managed containerd),
 * pidfile, and its own bridge interface made for it. Never `--bridge=none`: dockerd then deletes
 * `docker0`, the shared engine's bridge, since both live in the same network namespace. No
 * iptables, masquerading or ip_forward changes either. It starts empty: `pull` copies images from
 * the stack's registry.
 */
export interface PrivateDockerd {
  readonly host: string;
  readonly env: NodeJS.ProcessEnv;
  start(): Promise<void>;
  /** SIGTERM, as `systemctl stop docker` does; resolves once the process is gone. */
  stop(): Promise<void>;
  pull(image: string): Promise<void>;
  /** Stops it and removes everything it kept. */
  dispose(): Promise<void>;
}

export async function privateDockerd(): Promise<PrivateDockerd> {
  const dir = await mkdtemp(join(tmpdir(), 'mas-dockerd-'));
  const socket = join(dir, 'docker.sock');
  const pidfile = join(dir, 'docker.pid');
  const host = `unix://${socket}`;
  const env = { ...process.env, DOCKER_HOST: host };
  await writeFile(join(dir, 'daemon.json'), JSON.stringify({ features: { 'containerd-snapshotter': true } }));
  await mkdir(join(dir, 'data'));
  // Interface names are at most 15 characters; 10.251.x.0/24 is far from docker's default pools.
  const id = randomBytes(3);
  const bridge = `masbr${id.toString('hex')}`;
  await run('ip', ['link', 'add', 'name', bridge, 'type', 'bridge']);
  await run('ip', ['addr', 'add', `10.251.${id[0]! % 200}.1/24`, 'dev', bridge]);
  await run('ip', ['link', 'set', bridge, 'up']);

  const ping = () =>
    new Promise<boolean>((resolve) => {
      const req = request({ socketPath: socket, path: '/_ping', timeout: 1000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
      req.end();
    });
  const pid = async () => Number((await readFile(pidfile, 'utf8').catch(() => '')).trim()) || undefined;
  const alive = (p: number) => {
    try {
      process.kill(p, 0);
      return true;
    } catch {
      return false;
    }
  };
  const until = async (what: string, test: () => Promise<boolean> | boolean, ms: number) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (await test()) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`private dockerd: ${what} within ${ms / 1000} s (log: ${join(dir, 'dockerd.log')})`);
  };

  const daemon: PrivateDockerd = {
    host,
    env,
    async start() {
      const log = openSync(join(dir, 'dockerd.log'), 'a');
      const child = spawn(
        'dockerd',
        [
          '--host', host,
          '--data-root', join(dir, 'data'),
          '--exec-root', join(dir, 'exec'),
          '--pidfile', pidfile,
          '--config-file', join(dir, 'daemon.json'),
          `--bridge=${bridge}`, '--iptables=false', '--ip6tables=false', '--ip-masq=false', '--ip-forward=false',
        ],
        { detached: true, stdio: ['ignore', log, log] },
      );
      child.unref();
      closeSync(log);
      await until('did not answer', ping, 60_000);
    },
    async stop() {
      const p = await pid();
      if (p === undefined || !alive(p)) return;
      process.kill(p, 'SIGTERM');
      await until('did not stop', () => !alive(p), 60_000);
    },
    async pull(image) {
      await run('docker', ['pull', '-q', image], { env });
    },
    async dispose() {
      await daemon.stop().catch(() => undefined);
      await run('ip', ['link', 'del', bridge]).catch(() => undefined);
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    },
  };
  return daemon;
}
