import { request as httpRequest, type Agent, type IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { request as httpsRequest } from 'node:https';
import { RpcError } from '../../../shared/rpc/errors';

/**
 * One HTTP exchange with a registry, on node:http(s) rather than fetch(): fetch refuses the
 * "bad ports" of the Fetch standard (1, 6000, 6665–6669, …) where the Docker engine happily pulls
 * from a registry, and a registry client has no browser page to protect.
 */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: Buffer;
  /** With `stream`, a 2xx answer's body, not read yet (`body` is then empty). */
  stream?: Readable;
}

export interface HttpRequest {
  method?: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  /** The body is refused past this size (a manifest or config is small; a hostile server is not). */
  maxBytes: number;
  /** Hand a 2xx body over as a stream instead of reading it (a layer blob); other answers are read as usual. */
  stream?: boolean;
}

export type HttpTransport = (url: string, init: HttpRequest) => Promise<HttpAnswer>;

function toHeaders(message: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [key, value] of Object.entries(message.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(key, v);
  }
  return headers;
}

/** `agentFor` picks the connection for a URL (a proxy's, see proxy.ts); none means a direct one. */
export function createHttpTransport(agentFor: (url: URL) => Agent | undefined = () => undefined): HttpTransport {
  return (url, init) =>
    new Promise<HttpAnswer>((resolve, reject) => {
      const target = new URL(url);
      const send = target.protocol === 'https:' ? httpsRequest : target.protocol === 'http:' ? httpRequest : undefined;
      if (!send) {
        reject(new RpcError('REGISTRY_ERROR', `Unsupported URL scheme in ${url}.`));
        return;
      }
      const headers: Record<string, string> = { ...init.headers };
      if (init.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(init.body));
      let agent: Agent | undefined;
      try {
        agent = agentFor(target);
      } catch (error) {
        reject(error as Error);
        return;
      }
      const req = send(target, { method: init.method ?? 'GET', headers, signal: init.signal, ...(agent ? { agent } : {}) }, (res) => {
        const status = res.statusCode ?? 0;
        if (init.stream && status >= 200 && status < 300) {
          resolve({ status, headers: toHeaders(res), body: Buffer.alloc(0), stream: res });
          return;
        }
        const declared = Number(res.headers['content-length'] ?? NaN);
        if (Number.isFinite(declared) && declared > init.maxBytes) {
          res.destroy();
          reject(new RpcError('REGISTRY_ERROR', `${url} answered with ${declared} bytes, more than the ${init.maxBytes} expected.`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > init.maxBytes) {
            res.destroy();
            reject(new RpcError('REGISTRY_ERROR', `${url} sent more than ${init.maxBytes} bytes.`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => resolve({ status, headers: toHeaders(res), body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      // A refused CONNECT is a connection failure, as in the docker CLI (the proxy agent would
      // otherwise hand the proxy's own 502 over as if the registry had answered it).
      req.once('proxyConnect', (connect: { statusCode: number; statusText?: string }) => {
        if (connect.statusCode !== 200) req.destroy(Object.assign(new Error(`the proxy refused the tunnel (${connect.statusCode} ${connect.statusText ?? ''})`.trim()), { code: 'EPROXYCONNECT' }));
      });
      req.on('error', reject);
      req.end(init.body);
    });
}

/** Aborts when a stream stays silent for `ms` (and until its answer starts); stops when it ends. */
export class IdleTimeout {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout;
  constructor(private readonly ms: number) {
    this.timer = this.arm();
  }
  get signal(): AbortSignal {
    return this.controller.signal;
  }
  watch(stream: Readable): void {
    stream.on('data', () => {
      clearTimeout(this.timer);
      this.timer = this.arm();
    });
    stream.once('close', () => this.stop());
    this.timer.refresh();
  }
  stop(): void {
    clearTimeout(this.timer);
  }
  private arm(): NodeJS.Timeout {
    return setTimeout(() => this.controller.abort(Object.assign(new Error(`no data for ${this.ms} ms`), { name: 'TimeoutError' })), this.ms);
  }
}
