/**
 * The reference grammar of github.com/distribution/reference (regexp.go), checked piece by piece
 * instead of as one regular expression: a backtracking engine takes minutes on some inputs of the
 * Go pattern (its separator `[-]*` may match nothing), while each piece here is checked in linear
 * time and the split points are the only ones the grammar allows.
 *
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [domain '/'] remote-name
 *   domain     := host [':' port-number]
 *   host       := domain-name | '[' IPv6 hex and colons ']'
 *   remote-name := path-component ['/' path-component]*
 */

// alpha-numeric [separator alpha-numeric]*, separator := [_.] | __ | -+ (the grammar's `[-]*`
// without its empty match, which adds nothing to the language).
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
const IPV6 = /^\[[a-fA-F0-9:]+\]$/;
const PORT = /^[0-9]+$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const IDENTIFIER = /^[a-f0-9]{64}$/;

/** A registry host with an optional port, as the grammar allows it (DomainRegexp). */
export function isDomain(text: string): boolean {
  const { host, port } = splitHostPort(text);
  if (port !== undefined && !PORT.test(port)) return false;
  if (host.startsWith('[')) return IPV6.test(host);
  return host.split('.').every((c) => DOMAIN_COMPONENT.test(c));
}

/** Host and port of a domain (`[::1]:5000` → `[::1]`, `5000`); no port when it has none. */
export function splitHostPort(domain: string): { host: string; port?: string } {
  const close = domain.startsWith('[') ? domain.indexOf(']') : -1;
  const colon = domain.indexOf(':', close + 1);
  return colon === -1 ? { host: domain } : { host: domain.slice(0, colon), port: domain.slice(colon + 1) };
}

export const isPathComponent = (text: string): boolean => PATH_COMPONENT.test(text);
export const isRemoteName = (text: string): boolean => text.split('/').every(isPathComponent);
export const isTag = (text: string): boolean => TAG.test(text);
/** A digest as the reference grammar writes it (algorithm, `:`, at least 32 hex digits); go-digest checks the rest. */
export const isDigestText = (text: string): boolean => DIGEST.test(text);
/** 64 lower-case hex digits: an image ID, never a name (IdentifierRegexp). */
export const isIdentifier = (text: string): boolean => IDENTIFIER.test(text);

/** The name split into domain and path as anchoredNameRegexp does: the first component is the domain whenever it can be one. */
export function splitName(name: string): { domain: string; path: string } | undefined {
  const slash = name.indexOf('/');
  if (slash !== -1) {
    const domain = name.slice(0, slash);
    const path = name.slice(slash + 1);
    if (isDomain(domain) && isRemoteName(path)) return { domain, path };
  }
  return isRemoteName(name) ? { domain: '', path: name } : undefined;
}

export interface ReferenceParts {
  name: string;
  tag?: string;
  digest?: string;
}

/**
 * Name, tag and digest as ReferenceRegexp captures them, or undefined when the text is not in the
 * grammar. `@` occurs only before the digest, and a tag is whatever follows the last `:` after the
 * last `/` (a domain's `:` always has a `/` after it), so each split point is the only possible one.
 */
export function splitReference(text: string): ReferenceParts | undefined {
  const at = text.indexOf('@');
  const digest = at === -1 ? undefined : text.slice(at + 1);
  if (digest !== undefined && !isDigestText(digest)) return undefined;
  const rest = at === -1 ? text : text.slice(0, at);
  const colon = rest.lastIndexOf(':');
  const hasTag = colon > rest.lastIndexOf('/');
  const name = hasTag ? rest.slice(0, colon) : rest;
  const tag = hasTag ? rest.slice(colon + 1) : undefined;
  if (tag !== undefined && !isTag(tag)) return undefined;
  if (!splitName(name)) return undefined;
  return { name, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}
