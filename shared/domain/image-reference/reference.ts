import { isDigestText, isDomain, isIdentifier, isPathComponent, isTag, splitHostPort, splitName, splitReference } from './grammar';

/**
 * Image references with Docker's rules, as github.com/distribution/reference has them
 * (`Parse`, `ParseNormalizedNamed`, familiar names) with digests checked as go-digest does:
 * `alpine` → `docker.io/library/alpine:latest`, `user/app` → `docker.io/user/app`,
 * `127.0.0.1:5000/app:1` and `[::1]:5000/app` keep their registry. One parser for build tags,
 * the installer and BuildKit images and the Results field.
 *
 * One rule is the app's own: a registry port outside 1–65535 is refused here, before any process
 * runs, where the library lets it through to fail at connection time.
 */

export const DEFAULT_REGISTRY = 'docker.io';
const LEGACY_DEFAULT_REGISTRY = 'index.docker.io';
/** The namespace of Docker Hub's official images, left out of familiar names. */
export const OFFICIAL_PREFIX = 'library/';
/** The library's limit: the repository path (without the registry) has at most 255 characters. */
export const REPOSITORY_PATH_MAX = 255;
/**
 * Longest text worth parsing: a DNS host (253) with a port, a path of 255, a tag of 128 and a
 * sha512 digest. Longer input is refused before anything else looks at it.
 */
export const MAX_REFERENCE_LENGTH = 253 + ':65535'.length + 1 + REPOSITORY_PATH_MAX + 1 + 128 + '@sha512:'.length + 128;

/**
 * Digest algorithms go-digest v1.0.0 (the version distribution/reference requires) knows, with
 * their hex length; the docker CLI and engine link all three hashes, so all three are available.
 */
export const DIGEST_ALGORITHMS: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

/** Why a text is not a reference: the library's errors, plus the app's input limit and port check. */
export type ReferenceErrorCode =
  | 'EMPTY' // ErrNameEmpty
  | 'INVALID_FORMAT' // ErrReferenceInvalidFormat
  | 'UPPERCASE' // ErrNameContainsUppercase, and ParseNormalizedNamed's "must be lowercase"
  | 'NAME_TOO_LONG' // ErrNameTooLong
  | 'IDENTIFIER' // ParseNormalizedNamed: "cannot specify 64-byte hexadecimal strings"
  | 'DIGEST_INVALID_FORMAT' // digest.ErrDigestInvalidFormat
  | 'DIGEST_INVALID_LENGTH' // digest.ErrDigestInvalidLength
  | 'DIGEST_UNSUPPORTED' // digest.ErrDigestUnsupported
  | 'PORT_OUT_OF_RANGE'
  | 'TOO_LONG';

export interface ReferenceError {
  code: ReferenceErrorCode;
  message: string;
}

/** A reference as `Parse` reads it: no normalisation (`ubuntu` has no domain). */
export interface RawReference {
  /** The first path component when it can be a registry host, else empty. */
  domain: string;
  path: string;
  tag?: string;
  digest?: string;
}

export interface ImageReference {
  /** `docker.io`, `ghcr.io`, `127.0.0.1:5000`, `[::1]:5000`. */
  registry: string;
  /** Repository path inside the registry: `library/alpine`, `mas-test-1/app`. */
  repository: string;
  /** As given; absent when the reference names none (`canonical` then says `latest` unless there is a digest). */
  tag?: string;
  digest?: string;
  /** `registry/repository`. */
  name: string;
  /** Fully qualified, `latest` added when neither tag nor digest was given: `docker.io/library/alpine:latest`. */
  canonical: string;
  /** As the docker CLI prints it: `alpine:3.20`, `user/app:1`, `127.0.0.1:5000/app:1`. */
  familiar: string;
}

export type Parsed<T> = { ok: true; ref: T } | { ok: false; code: ReferenceErrorCode; error: string };

const EXAMPLES = 'e.g. alpine:3.20, user/app:1 or 127.0.0.1:5000/app:1';

const fail = <T>(code: ReferenceErrorCode, error: string): Parsed<T> => ({ ok: false, code, error });

/** go-digest's `Digest.Validate` for the algorithms above; undefined when the digest is valid. */
export function digestProblem(digest: string): ReferenceError | undefined {
  const colon = digest.indexOf(':');
  const algorithm = digest.slice(0, Math.max(colon, 0));
  const hex = digest.slice(colon + 1);
  const expected = `expected algorithm:hex, e.g. sha256: and 64 hex digits`;
  if (colon <= 0 || hex === '') return { code: 'DIGEST_INVALID_FORMAT', message: `"${digest}" is not a digest (${expected})` };
  const length = DIGEST_ALGORITHMS[algorithm];
  if (length === undefined) {
    return /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(digest)
      ? { code: 'DIGEST_UNSUPPORTED', message: `digest algorithm "${algorithm}" is not supported (${Object.keys(DIGEST_ALGORITHMS).join(', ')})` }
      : { code: 'DIGEST_INVALID_FORMAT', message: `"${digest}" is not a digest (${expected})` };
  }
  if (hex.length !== length) return { code: 'DIGEST_INVALID_LENGTH', message: `a ${algorithm} digest has ${length} lower-case hex characters, not ${hex.length}` };
  if (!/^[a-f0-9]+$/.test(hex)) return { code: 'DIGEST_INVALID_FORMAT', message: `a ${algorithm} digest has ${length} lower-case hex characters` };
  return undefined;
}

/** Why the text is not a digest the app accepts, in words; undefined when it is one (for zod refinements). */
export const checkDigest = (digest: string): string | undefined => digestProblem(digest)?.message;

/** The first part of an invalid reference that breaks the grammar, in words. */
function formatProblem(text: string): string {
  if (/\s/.test(text)) return 'An image reference has no spaces.';
  if (text.startsWith('-')) return `"${text}" starts with "-"; an image reference cannot (it would be read as an option).`;
  const at = text.indexOf('@');
  if (at !== -1) {
    const digest = text.slice(at + 1);
    if (!isDigestText(digest)) return `Invalid digest: ${digestProblem(digest)?.message ?? `"${digest}" is not a digest (algorithm:hex with at least 32 hex digits)`}.`;
  }
  const rest = at === -1 ? text : text.slice(0, at);
  const colon = rest.lastIndexOf(':');
  const slash = rest.lastIndexOf('/');
  if (colon > slash) {
    const tag = rest.slice(colon + 1);
    if (!isTag(tag)) return `Invalid tag "${tag}": up to 128 letters, digits, "_", "." or "-", not starting with "." or "-".`;
  }
  const name = colon > slash ? rest.slice(0, colon) : rest;
  if (name === '') return `The reference has no repository name, ${EXAMPLES}.`;
  // The first component names a registry as splitDockerDomain decides it.
  const first = name.indexOf('/');
  const domain = first === -1 ? '' : name.slice(0, first);
  const host = domain !== '' && (/[.:[\]]/.test(domain) || domain === 'localhost' || domain !== domain.toLowerCase());
  if (host && !isDomain(domain)) {
    return `Invalid registry host "${domain}": a host name or IP address (IPv6 in brackets), optionally with :port.`;
  }
  const path = host ? name.slice(first + 1) : name;
  for (const component of path.split('/')) {
    if (component === '') return `Invalid repository "${path}": it has an empty path component (check the slashes).`;
    if (!isPathComponent(component)) {
      return `Invalid repository path component "${component}": lower-case letters and digits, separated by ".", "_", "__" or "-".`;
    }
  }
  return `"${text}" is not an image reference, ${EXAMPLES}.`;
}

const uppercase = (remote: string): string => `Invalid repository "${remote}": repository names must be lower-case (no capital letters).`;

/** The library's `Parse`: the grammar, the uppercase and length checks, the digest; no normalisation. */
export function parseReference(text: string): Parsed<RawReference> {
  if (text === '') return fail('EMPTY', `Enter an image reference, ${EXAMPLES}.`);
  if (text.length > MAX_REFERENCE_LENGTH) return fail('TOO_LONG', `An image reference has at most ${MAX_REFERENCE_LENGTH} characters.`);
  const parts = splitReference(text);
  if (!parts) {
    const lower = text.toLowerCase();
    if (lower !== text && splitReference(lower)) return fail('UPPERCASE', uppercase(splitReference(lower)?.name ?? text));
    return fail('INVALID_FORMAT', formatProblem(text));
  }
  const { domain, path } = splitName(parts.name) ?? { domain: '', path: parts.name };
  if (path.length > REPOSITORY_PATH_MAX) {
    return fail('NAME_TOO_LONG', `The repository path "${path.slice(0, 40)}…" has ${path.length} characters, more than ${REPOSITORY_PATH_MAX} characters.`);
  }
  if (parts.digest !== undefined) {
    const problem = digestProblem(parts.digest);
    if (problem) return fail(problem.code, `Invalid digest: ${problem.message}.`);
  }
  return { ok: true, ref: { domain, path, ...(parts.tag !== undefined ? { tag: parts.tag } : {}), ...(parts.digest !== undefined ? { digest: parts.digest } : {}) } };
}

/** The library's splitDockerDomain: which registry a familiar name means. */
function splitDockerDomain(text: string): [string, string] {
  const slash = text.indexOf('/');
  if (slash === -1) return [DEFAULT_REGISTRY, OFFICIAL_PREFIX + text];
  const first = text.slice(0, slash);
  let domain = first;
  let remainder = text.slice(slash + 1);
  if (first === LEGACY_DEFAULT_REGISTRY) domain = DEFAULT_REGISTRY;
  // A domain is localhost, or has a `.` or a `:`, or has capitals (repository names cannot).
  else if (first !== 'localhost' && !/[.:]/.test(first) && first.toLowerCase() === first) {
    domain = DEFAULT_REGISTRY;
    remainder = text;
  }
  if (domain === DEFAULT_REGISTRY && !remainder.includes('/')) remainder = OFFICIAL_PREFIX + remainder;
  return [domain, remainder];
}

/** The library's familiar name: Docker Hub's registry and `library/` left out. */
export function familiarName(registry: string, repository: string): string {
  if (registry !== DEFAULT_REGISTRY) return `${registry}/${repository}`;
  const rest = repository.startsWith(OFFICIAL_PREFIX) ? repository.slice(OFFICIAL_PREFIX.length) : undefined;
  return rest !== undefined && !rest.includes('/') ? rest : repository;
}

/** A registry port the app can connect to: 1–65535. */
function portProblem(registry: string): string | undefined {
  const { port } = splitHostPort(registry);
  if (port === undefined) return undefined;
  const n = Number(port);
  return n >= 1 && n <= 65535 ? undefined : `Invalid registry port ${port} in "${registry}": a port is a number from 1 to 65535.`;
}

/** The library's `ParseNormalizedNamed` plus the app's port check; never throws. */
export function parseImageReference(text: string): Parsed<ImageReference> {
  if (text.trim() === '') return fail('EMPTY', `Enter an image reference, ${EXAMPLES}.`);
  if (text.length > MAX_REFERENCE_LENGTH) return fail('TOO_LONG', `An image reference has at most ${MAX_REFERENCE_LENGTH} characters.`);
  if (isIdentifier(text)) {
    return fail('IDENTIFIER', 'A 64-character hex string is an image ID, not a reference: add the repository (name@sha256:…).');
  }
  const [domain, remainder] = splitDockerDomain(text);
  const colon = remainder.indexOf(':');
  const remote = colon === -1 ? remainder : remainder.slice(0, colon);
  if (remote.toLowerCase() !== remote) return fail('UPPERCASE', uppercase(remote));
  const parsed = parseReference(`${domain}/${remainder}`);
  if (!parsed.ok) return parsed.code === 'INVALID_FORMAT' ? fail('INVALID_FORMAT', formatProblem(text)) : parsed;
  const { domain: registry, path: repository, tag, digest } = parsed.ref;
  const port = portProblem(registry);
  if (port) return fail('PORT_OUT_OF_RANGE', port);
  const name = `${registry}/${repository}`;
  const suffix = `${tag !== undefined ? `:${tag}` : ''}${digest !== undefined ? `@${digest}` : ''}`;
  const ref: ImageReference = {
    registry,
    repository,
    name,
    // Docker adds `latest` only when neither a tag nor a digest was given.
    canonical: `${name}${tag === undefined && digest === undefined ? ':latest' : suffix}`,
    familiar: `${familiarName(registry, repository)}${suffix}`,
  };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return { ok: true, ref };
}

/** Why the text is not a valid reference, or undefined when it is (for zod refinements and forms). */
export function referenceProblem(text: string): string | undefined {
  const parsed = parseImageReference(text);
  return parsed.ok ? undefined : parsed.error;
}

/** The tag or digest to ask the registry for; a digest wins, as with `docker pull name:tag@digest` (ParseDockerRef). */
export function manifestReference(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

/** The command a user types to fetch one platform of the image. */
export function pullCommand(ref: ImageReference, platform: string): string {
  return `docker pull --platform ${platform} ${ref.familiar}`;
}
