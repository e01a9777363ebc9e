import type { Agent } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { RpcError } from '../../../shared/rpc/errors';
import { isLoopbackHost } from './insecure-registries';

/**
 * The proxy for a registry request, chosen from HTTPS_PROXY / HTTP_PROXY / NO_PROXY with the rules
 * of Go's net/http (what the docker CLI and engine use), so the app reaches a registry exactly when
 * they do: upper case before lower case; never for localhost or a loopback address; NO_PROXY
 * entries are `*`, an IP, a CIDR, or a domain (matching it and its subdomains; a leading "." matches
 * subdomains only), each optionally with a port.
 */
export function proxyFor(url: URL, env: Record<string, string | undefined>): URL | undefined {
  const get = (name: string) => env[name] || env[name.toLowerCase()] || undefined;
  const from = url.protocol === 'https:' ? 'HTTPS_PROXY' : url.protocol === 'http:' ? 'HTTP_PROXY' : undefined;
  const value = from && get(from);
  if (!from || !value) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (isLoopbackHost(host)) return undefined;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  if (bypassed(host, port, get('NO_PROXY') ?? '')) return undefined;
  // Like Go: "proxy:3128" means http://proxy:3128.
  let proxy: URL;
  try {
    proxy = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    throw new RpcError('REGISTRY_ERROR', `${from} is not a proxy address the app can read: "${value.replace(/\/\/[^/@]*@/, '//…@')}".`, {
      hint: `Set ${from} to an address such as http://proxy.example.com:3128, or unset it.`,
    });
  }
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
    throw new RpcError('REGISTRY_ERROR', `The proxy ${proxy.protocol}//${proxy.host} (from ${from}) is not an HTTP proxy, and the app reaches registries only through HTTP proxies.`, {
      hint: `Set ${from} to an http:// proxy, or add ${url.host} to NO_PROXY.`,
    });
  }
  return proxy;
}

function bypassed(host: string, port: string, noProxy: string): boolean {
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    if (entry.includes('/')) {
      const [net = '', bits = ''] = entry.split('/');
      const family = isIP(net);
      const prefix = Number(bits);
      // A malformed CIDR matches nothing, as in Go.
      if (family === 0 || isIP(host) !== family || !/^\d+$/.test(bits) || prefix > (family === 6 ? 128 : 32)) continue;
      const list = new BlockList();
      list.addSubnet(net, prefix, family === 6 ? 'ipv6' : 'ipv4');
      if (list.check(host, family === 6 ? 'ipv6' : 'ipv4')) return true;
      continue;
    }
    const { name, entryPort } = splitPort(entry);
    if (entryPort && entryPort !== port) continue;
    if (isIP(name)) {
      if (name === host) return true;
    } else if (name.startsWith('.')) {
      if (host.endsWith(name)) return true;
    } else if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

function splitPort(entry: string): { name: string; entryPort?: string } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { name: bracketed[1]!, entryPort: bracketed[2] };
  if (isIP(entry) === 6) return { name: entry };
  const m = /^(.*):(\d+)$/.exec(entry);
  return m ? { name: m[1]!.replace(/^\*\./, '.'), entryPort: m[2] } : { name: entry.replace(/^\*\./, '.') };
}

/** One agent per proxy and scheme, so connections to the proxy are reused. */
export class ProxyAgents {
  private readonly agents = new Map<string, Agent>();

  constructor(private readonly env: Record<string, string | undefined>) {}

  proxyFor(url: URL): URL | undefined {
    return proxyFor(url, this.env);
  }

  for(url: URL): Agent | undefined {
    const proxy = proxyFor(url, this.env);
    if (!proxy) return undefined;
    const key = `${url.protocol} ${proxy.href}`;
    let agent = this.agents.get(key);
    if (!agent) {
      // A plain-HTTP target goes to the proxy as an absolute URI; an HTTPS one through a CONNECT tunnel.
      agent = url.protocol === 'https:' ? new HttpsProxyAgent(proxy) : new HttpProxyAgent(proxy);
      this.agents.set(key, agent);
    }
    return agent;
  }
}
