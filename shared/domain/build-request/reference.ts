/**
 * Image references as `docker buildx build -t` accepts them, after the distribution/reference
 * grammar: `[host[:port]/]path[:tag]`. A tag names what the build produces, so a digest is refused
 * (the registry computes it). Checked before anything runs, with the reason in words.
 */
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST = /^(?:localhost|\[[0-9A-Fa-f:.]+\]|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*)(?::[0-9]{1,5})?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const MAX_NAME = 255;

export interface ParsedReference {
  /** Registry host (and port) when the reference names one. */
  host?: string;
  /** Repository path without the host: `library/busybox`, `team/app`. */
  path: string;
  tag?: string;
}

export type ReferenceCheck = { ok: true; reference: ParsedReference } | { ok: false; reason: string };

/** Whether the first path component is a registry host, as the docker CLI decides it. */
function looksLikeHost(first: string): boolean {
  return first === 'localhost' || first.includes('.') || first.includes(':') || first.startsWith('[');
}

export function checkTagReference(raw: string): ReferenceCheck {
  const text = raw.trim();
  if (text === '') return { ok: false, reason: 'A tag cannot be empty.' };
  if (/\s/.test(text)) return { ok: false, reason: `"${text}" contains a space; an image reference has none.` };
  if (text.startsWith('-')) return { ok: false, reason: `"${text}" starts with "-"; an image reference cannot.` };
  if (text.includes('@')) return { ok: false, reason: `"${text}" has a digest (@sha256:…); a build is tagged by name and tag, the registry gives the digest.` };

  const slash = text.indexOf('/');
  let host: string | undefined;
  let rest = text;
  if (slash > 0 && looksLikeHost(text.slice(0, slash))) {
    host = text.slice(0, slash);
    rest = text.slice(slash + 1);
    if (!HOST.test(host)) return { ok: false, reason: `"${host}" is not a valid registry host (name or IP, optionally with :port).` };
    const port = /:(\d+)$/.exec(host)?.[1];
    if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return { ok: false, reason: `Port ${port} of "${host}" is out of range: ports run from 1 to 65535.` };
  }
  let path = rest;
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0) {
    path = rest.slice(0, colon);
    tag = rest.slice(colon + 1);
    if (!TAG.test(tag)) {
      return { ok: false, reason: `":${tag}" is not a valid tag: up to 128 letters, digits, "_", "." or "-", not starting with "." or "-".` };
    }
  }
  if (path === '') return { ok: false, reason: `"${text}" has no repository name.` };
  for (const component of path.split('/')) {
    if (component !== component.toLowerCase() && COMPONENT.test(component.toLowerCase())) {
      return { ok: false, reason: `"${component}" has capital letters; repository names are lower case.` };
    }
    if (!COMPONENT.test(component)) {
      return {
        ok: false,
        reason: `"${component || '(empty)'}" is not a valid repository name part: lower-case letters and digits, separated by ".", "_", "__" or "-".`,
      };
    }
  }
  const name = host ? `${host}/${path}` : path;
  if (name.length > MAX_NAME) return { ok: false, reason: `The repository name is ${name.length} characters long; the limit is ${MAX_NAME}.` };
  const reference: ParsedReference = { path };
  if (host) reference.host = host;
  if (tag !== undefined) reference.tag = tag;
  return { ok: true, reference };
}

export const isTagReference = (text: string): boolean => checkTagReference(text).ok;

/** Registry a reference pushes to: its host, or Docker Hub when it names none. */
export function registryOf(reference: ParsedReference): string {
  return reference.host ?? 'docker.io';
}
