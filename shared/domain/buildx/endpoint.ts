/**
 * Builder endpoints (`docker buildx create <endpoint>`, `--append`): a Docker context name, or an
 * address. buildx hands `ssh://` addresses to the ssh client and percent-decodes the user and host
 * first (Go's url.Parse), so a check of the raw text alone lets `ssh://%2DoProxyCommand=…@host`
 * through as `-oProxyCommand=…`, an option that runs a command. Addresses are therefore checked
 * after decoding, the way the tools that use them will read them, and refused before any process runs.
 */

export type EndpointCheck = { ok: true } | { ok: false; reason: string };

const CONTEXT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.+-]{0,127}$/;
const SCHEMES = ['unix', 'tcp', 'ssh', 'npipe', 'docker-container', 'kube-pod'] as const;
/** Characters never meant in an address, whether typed or percent-encoded. */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const FORBIDDEN = /[\s'"`$;&|<>\\(){}*?!#\u0000-\u001f\u007f]/;
/** Hosts: a name (letters, digits, `.`, `-`, `_`) or an IPv4/IPv6 address. */
const HOST_NAME = /^[a-zA-Z0-9_](?:[a-zA-Z0-9_.-]{0,251}[a-zA-Z0-9_])?$/;
const IPV6 = /^\[[0-9a-fA-F:.]+(?:%[a-zA-Z0-9_.-]+)?\]$/;
const USER = /^[a-zA-Z0-9_.][a-zA-Z0-9_.+-]{0,63}$/;

const fail = (reason: string): EndpointCheck => ({ ok: false, reason });

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** A port as TCP knows it: 1–65535, digits only. */
export function checkPort(port: string, where: string): EndpointCheck {
  if (!/^\d{1,5}$/.test(port)) return fail(`"${port}" is not a port number${where}: use digits only, 1 to 65535.`);
  const n = Number(port);
  if (n < 1 || n > 65535) return fail(`Port ${port}${where} is out of range: ports run from 1 to 65535.`);
  return { ok: true };
}

export function checkEndpoint(raw: string): EndpointCheck {
  const text = raw.trim();
  if (text === '') return fail('The endpoint is empty.');
  if (text.length > 512) return fail('The endpoint is longer than 512 characters.');
  if (!text.includes('://')) {
    return CONTEXT_NAME.test(text)
      ? { ok: true }
      : fail(`"${text}" is neither a Docker context name (letters, digits, "_", ".", "+", "-") nor an address such as tcp://host:2376.`);
  }
  const scheme = text.slice(0, text.indexOf('://'));
  if (!(SCHEMES as readonly string[]).includes(scheme)) return fail(`"${scheme}://" is not an endpoint type buildx knows (${SCHEMES.map((s) => `${s}://`).join(', ')}).`);
  const decoded = decode(text);
  if (decoded === undefined) return fail('The endpoint has a broken percent-encoding (a "%" not followed by two hex digits).');
  if (FORBIDDEN.test(text) || FORBIDDEN.test(decoded)) return fail('The endpoint holds spaces, quotes, control or shell characters (typed or percent-encoded); an address has none.');
  // Encoded twice is never meant: what the tool decodes must be what was checked.
  if (/%[0-9a-fA-F]{2}/.test(decoded)) return fail('The endpoint is percent-encoded twice; write it once, plainly.');

  const rest = decoded.slice(scheme.length + 3);
  if (scheme === 'unix' || scheme === 'npipe') {
    return rest.startsWith('/') ? { ok: true } : fail(`A ${scheme}:// address names an absolute path, e.g. ${scheme === 'unix' ? 'unix:///run/buildkit/buildkitd.sock' : 'npipe:////./pipe/docker_engine'}.`);
  }
  const authority = rest.split('/')[0] ?? '';
  if (scheme === 'docker-container' || scheme === 'kube-pod') {
    return CONTEXT_NAME.test(authority) ? { ok: true } : fail(`"${authority}" is not a container or pod name (letters, digits, "_", ".", "-").`);
  }
  // tcp:// and ssh://: [user@]host[:port]
  const at = authority.lastIndexOf('@');
  const user = at >= 0 ? authority.slice(0, at) : undefined;
  const hostPort = at >= 0 ? authority.slice(at + 1) : authority;
  if (user !== undefined) {
    if (scheme !== 'ssh') return fail('Only ssh:// addresses carry a user name.');
    if (user.startsWith('-')) return fail(`The user "${user}" starts with "-": ssh would read it as an option.`);
    if (!USER.test(user)) return fail(`"${user}" is not a user name (letters, digits, "_", ".", "-").`);
  }
  const bracket = hostPort.startsWith('[') ? hostPort.indexOf(']') : -1;
  const colon = bracket >= 0 ? hostPort.indexOf(':', bracket) : hostPort.lastIndexOf(':');
  const host = colon >= 0 ? hostPort.slice(0, colon) : hostPort;
  const port = colon >= 0 ? hostPort.slice(colon + 1) : undefined;
  if (host === '') return fail(`A ${scheme}:// address names a host, e.g. ${scheme}://${scheme === 'ssh' ? 'user@build-host' : 'build-host:1234'}.`);
  if (host.startsWith('-')) return fail(`The host "${host}" starts with "-": ${scheme === 'ssh' ? 'ssh' : 'a tool'} would read it as an option.`);
  if (!HOST_NAME.test(host) && !IPV6.test(host)) return fail(`"${host}" is not a host name or IP address.`);
  if (port !== undefined) {
    const p = checkPort(port, ` in ${scheme}://${hostPort}`);
    if (!p.ok) return p;
  }
  return { ok: true };
}

export const isEndpoint = (text: string): boolean => checkEndpoint(text).ok;
