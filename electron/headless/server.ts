import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer } from 'ws';
import type { Core } from '../core/composition';
import { MAX_REQUEST_BYTES } from '../../shared/rpc/frames';
import { contentSecurityPolicy } from '../../shared/security';
import { wsTransport } from './ws-transport';

export interface HeadlessOptions {
  core: Core;
  /** The built renderer (index.html and assets). */
  rendererDir: string;
  port?: number;
  /** Fixed token (tests); a random one otherwise. */
  token?: string;
}

export interface HeadlessServer {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * Serves the renderer and the contract over a WebSocket on 127.0.0.1 only. The token travels in
 * the URL fragment (never sent to the server by the browser's page loads) and comes back on the
 * socket URL; the Origin must be this server's own.
 */
export async function startHeadlessServer(options: HeadlessOptions): Promise<HeadlessServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const http: Server = createServer((req, res) => {
    // A page on another name that resolves to 127.0.0.1 (DNS rebinding) gets nothing.
    if (!ownHost(req, port())) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('Misdirected request');
      return;
    }
    void serveStatic(options.rendererDir, req.url ?? '/').then(
      (file) => {
        if (!file) {
          res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
          return;
        }
        res.writeHead(200, {
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          'content-security-policy': contentSecurityPolicy([`ws://127.0.0.1:${port()}`, `ws://localhost:${port()}`]),
          'x-content-type-options': 'nosniff',
          'referrer-policy': 'no-referrer',
          'cache-control': 'no-store',
        });
        createReadStream(file).pipe(res);
      },
      () => res.writeHead(500).end(),
    );
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_REQUEST_BYTES });
  http.on('upgrade', (req, socket, head) => {
    const refusal = checkUpgrade(req, token, port());
    if (refusal) {
      socket.end(`HTTP/1.1 ${refusal}\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      options.core.server.connect(wsTransport(ws));
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = () => (http.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port()}/#token=${token}`,
    port: port(),
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}

const ownHost = (req: IncomingMessage, port: number): boolean => [`127.0.0.1:${port}`, `localhost:${port}`].includes(req.headers.host ?? '');

function checkUpgrade(req: IncomingMessage, token: string, port: number): string | undefined {
  if (!ownHost(req, port)) return '421 Misdirected Request';
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname !== '/rpc') return '404 Not Found';
  const given = Buffer.from(url.searchParams.get('token') ?? '');
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return '401 Unauthorized';
  const origin = req.headers.origin;
  const allowed = [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
  if (!origin || !allowed.includes(origin)) return '403 Forbidden';
  return undefined;
}

async function serveStatic(root: string, rawUrl: string): Promise<string | undefined> {
  const pathname = decodeURIComponent(new URL(rawUrl, 'http://127.0.0.1').pathname);
  const relative = normalize(pathname === '/' ? '/index.html' : pathname).replace(/^([/\\])+/, '');
  const file = join(root, relative);
  if (!file.startsWith(root.endsWith(sep) ? root : root + sep)) return undefined;
  try {
    return (await stat(file)).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}
