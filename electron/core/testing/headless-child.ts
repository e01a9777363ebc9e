import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import type { Api } from '../../../shared/contract';
import { contract } from '../../../shared/contract';
import { createClient } from '../../../shared/rpc/client';
import type { Frame, Transport } from '../../../shared/rpc/frames';
import { bundleForNode } from '../../../scripts/node-bundle.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The real headless app (`electron/headless/serve.ts`) as a separate process, for faults that need
 * another user: tests run as root, which no file permission stops, so the child runs as `nobody`
 * (spawn's uid/gid). It is bundled once into node_modules/.cache (where its npm dependencies
 * resolve, readable by every user) and removed by `dispose`.
 */
export async function bundleHeadless(): Promise<{ script: string; dispose(): Promise<void> }> {
  const out = join(root, 'node_modules', '.cache', `mas-headless-${randomBytes(4).toString('hex')}`);
  await mkdir(out, { recursive: true });
  await bundleForNode({ root, outDir: out, input: { serve: join(root, 'electron/headless/serve.ts') } });
  return { script: join(out, 'serve.mjs'), dispose: () => rm(out, { recursive: true, force: true }) };
}

export interface HeadlessChild {
  api: Api;
  /** What the child printed (its start-up notices). */
  output(): string;
  close(): Promise<void>;
}

/** Starts the bundled app as `uid:gid` on `dataDir` and connects to it as the browser page would. */
export async function startHeadlessChild(script: string, options: { dataDir: string; uid: number; gid: number }): Promise<HeadlessChild> {
  const child: ChildProcess = spawn(process.execPath, [script, '--data-dir', options.dataDir, '--port', '0'], {
    uid: options.uid,
    gid: options.gid,
    cwd: '/',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent', DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const url = await new Promise<URL>((resolveUrl, reject) => {
    const look = () => {
      const m = /http:\/\/127\.0\.0\.1:\d+\/#token=\S+/.exec(output);
      if (m) resolveUrl(new URL(m[0]));
    };
    child.stdout!.on('data', look);
    child.once('exit', (code) => reject(new Error(`the headless app exited (${code}) before serving:\n${output}`)));
  });
  const token = new URLSearchParams(url.hash.slice(1)).get('token')!;
  const socket = new WebSocket(`ws://127.0.0.1:${url.port}/rpc?token=${encodeURIComponent(token)}`, { origin: `http://127.0.0.1:${url.port}` });
  await new Promise<void>((resolveOpen, reject) => {
    socket.once('open', () => resolveOpen());
    socket.once('error', reject);
  });
  const transport: Transport = {
    send: (frame: Frame) => socket.send(JSON.stringify(frame)),
    onFrame(listener) {
      const handler = (data: WebSocket.RawData) => listener(JSON.parse(data.toString()) as Frame);
      socket.on('message', handler);
      return () => socket.off('message', handler);
    },
    onClose(listener) {
      socket.on('close', listener);
      return () => socket.off('close', listener);
    },
  };
  return {
    api: createClient(contract, transport),
    output: () => output,
    async close() {
      socket.close();
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
    },
  };
}
