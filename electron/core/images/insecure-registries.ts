import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** The part of the engine's `GET /info` that says which registries it reaches over plain HTTP. */
export interface EngineRegistryConfig {
  InsecureRegistryCIDRs?: string[] | null;
  IndexConfigs?: Record<string, { Name?: string; Secure?: boolean }> | null;
}

/** `[::1]:5000` → `::1`, `127.0.0.1:5000` → `127.0.0.1`, `localhost` → `localhost`. */
export function hostOnly(registry: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(registry);
  if (bracketed) return bracketed[1]!.toLowerCase();
  return registry.replace(/:\d+$/, '').toLowerCase();
}

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

function cidrList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [net = '', bits = ''] = cidr.split('/');
    const family = isIP(net);
    const prefix = Number(bits);
    if (family === 0 || !Number.isInteger(prefix)) continue;
    list.addSubnet(net, prefix, family === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

/**
 * Plain HTTP is allowed only for loopback registries and for those the engine is configured to
 * treat as insecure (`--insecure-registry`: IndexConfigs with Secure=false, or an address inside
 * InsecureRegistryCIDRs, resolving host names as the engine does).
 */
export class InsecureRegistries {
  private cached: { at: number; value: EngineRegistryConfig | undefined } | undefined;

  constructor(
    private readonly engineConfig: () => Promise<EngineRegistryConfig | undefined>,
    private readonly resolve: (host: string) => Promise<string[]> = async (host) => (await lookup(host, { all: true })).map((a) => a.address),
    private readonly ttlMs = 30_000,
  ) {}

  private async config(): Promise<EngineRegistryConfig | undefined> {
    if (this.cached && Date.now() - this.cached.at < this.ttlMs) return this.cached.value;
    const value = await this.engineConfig().catch(() => undefined);
    this.cached = { at: Date.now(), value };
    return value;
  }

  async allowsPlainHttp(registry: string): Promise<boolean> {
    const host = hostOnly(registry);
    if (isLoopbackHost(host)) return true;
    const config = await this.config();
    if (!config) return false;
    const index = config.IndexConfigs?.[registry] ?? config.IndexConfigs?.[host];
    if (index && index.Secure === false) return true;
    const cidrs = config.InsecureRegistryCIDRs ?? [];
    if (cidrs.length === 0) return false;
    const list = cidrList(cidrs);
    const addresses = isIP(host) ? [host] : await this.resolve(host).catch(() => []);
    return addresses.some((a) => list.check(a, isIP(a) === 6 ? 'ipv6' : 'ipv4'));
  }
}
