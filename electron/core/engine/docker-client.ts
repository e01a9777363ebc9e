import { readFileSync } from 'node:fs';
import Docker from 'dockerode';
import { RpcError } from '../../../shared/rpc/errors';
import type { ResolvedEndpoint } from './endpoint';

/** Turns an endpoint URL into dockerode options; refuses schemes the engine API cannot be reached by. */
export function dockerOptionsFor(endpoint: ResolvedEndpoint): Docker.DockerOptions {
  const { host } = endpoint;
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  if (host.startsWith('npipe://')) return { socketPath: host.slice('npipe://'.length).replace(/\//g, '\\') };
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    throw new RpcError('ENDPOINT_INVALID', `"${host}" (${endpoint.detail}) is not a Docker endpoint URL.`, {
      hint: 'Use unix:///path/to/docker.sock, tcp://host:port or ssh://user@host.',
    });
  }
  if (url.protocol === 'tcp:' || url.protocol === 'http:' || url.protocol === 'https:') {
    const tls = endpoint.tls || url.protocol === 'https:';
    const files = endpoint.tlsFiles;
    const read = (p?: string) => (p ? readFileSync(p) : undefined);
    return {
      host: url.hostname,
      port: url.port || (tls ? 2376 : 2375),
      protocol: tls ? 'https' : 'http',
      ...(tls && files ? { ca: read(files.ca), cert: read(files.cert), key: read(files.key) } : {}),
    };
  }
  if (url.protocol === 'ssh:') {
    return {
      protocol: 'ssh',
      host: url.hostname,
      port: url.port || 22,
      username: url.username || undefined,
      sshOptions: { agent: process.env.SSH_AUTH_SOCK },
    };
  }
  throw new RpcError('ENDPOINT_INVALID', `Unsupported Docker endpoint scheme "${url.protocol}" in ${host}.`, {
    hint: 'Use unix://, tcp://, ssh:// or npipe://.',
  });
}
