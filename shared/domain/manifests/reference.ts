/**
 * Image references with Docker's normalisation rules (distribution/reference `ParseNormalizedNamed`):
 * `alpine` → `docker.io/library/alpine:latest`, `user/app` → `docker.io/user/app:latest`,
 * `127.0.0.1:5000/app:1` keeps its registry; a first path component is a registry host only when
 * it has a `.` or a `:`, is `localhost`, or has upper-case letters.
 *
 * Hand-written rather than taken from an npm port of the Go grammar: the port tried here lets a
 * separator match the empty string, so a 19-character input like `aaaaaaaaaaaaaaaaaa!` backtracks
 * for minutes. Here the input is split first and each part checked by a linear pattern.
 */

export const DEFAULT_REGISTRY = 'docker.io';
const LEGACY_DEFAULT_REGISTRY = 'index.docker.io';
const OFFICIAL_PREFIX = 'library/';
/** Longest text accepted at all, before any pattern runs (name 255 + tag 128 + digest). */
export const MAX_REFERENCE_LENGTH = 512;
const NAME_MAX_LENGTH = 255;

export interface ImageReference {
  /** `docker.io`, `ghcr.io`, `127.0.0.1:5000`, `[::1]:5000`. */
  registry: string;
  /** Repository path inside the registry: `library/alpine`, `mas-test-1/app`. */
  repository: string;
  /** Always set unless the reference is by digest only (then Docker adds no tag either). */
  tag?: string;
  digest?: string;
  /** `registry/repository`. */
  name: string;
  /** Fully qualified: `docker.io/library/alpine:3.20`, `127.0.0.1:5000/app:1@sha256:…`. */
  canonical: string;
  /** As the docker CLI prints it: `alpine:3.20`, `user/app:1`, `127.0.0.1:5000/app:1`. */
  familiar: string;
}

export type ReferenceParse = { ok: true; ref: ImageReference } | { ok: false; error: string };

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_LABEL = '[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?';
const REGISTRY_HOST = new RegExp(`^(?:${DOMAIN_LABEL}(?:\\.${DOMAIN_LABEL})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]{1,5})?$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[-_+.][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const IMAGE_ID = /^[a-f0-9]{64}$/;
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

const EXAMPLES = 'e.g. alpine:3.20, user/app:1 or 127.0.0.1:5000/app:1';

/** Splits off the registry the way Docker does (splitDockerDomain). */
function splitRegistry(name: string): [string, string] {
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  let registry: string;
  let rest: string;
  if (slash === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    registry = DEFAULT_REGISTRY;
    rest = name;
  } else {
    registry = first;
    rest = name.slice(slash + 1);
  }
  if (registry === LEGACY_DEFAULT_REGISTRY) registry = DEFAULT_REGISTRY;
  if (registry === DEFAULT_REGISTRY && !rest.includes('/')) rest = OFFICIAL_PREFIX + rest;
  return [registry, rest];
}

export function checkDigest(digest: string): string | undefined {
  if (!DIGEST.test(digest)) return `"${digest}" is not a digest (expected algorithm:hex, e.g. sha256:` + '0'.repeat(8) + '…)';
  const [algorithm = '', hex = ''] = digest.split(':');
  const length = DIGEST_HEX_LENGTH[algorithm];
  if (length === undefined) return `digest algorithm "${algorithm}" is not supported (sha256, sha384 or sha512)`;
  if (!/^[a-f0-9]+$/.test(hex) || hex.length !== length) return `a ${algorithm} digest has ${length} lower-case hex characters`;
  return undefined;
}

/** Parses and normalises an image reference; never throws. */
export function parseImageReference(input: string): ReferenceParse {
  const fail = (error: string): ReferenceParse => ({ ok: false, error });
  const text = input;
  if (text.trim() === '') return fail(`Enter an image reference, ${EXAMPLES}.`);
  if (text.length > MAX_REFERENCE_LENGTH) return fail(`An image reference has at most ${MAX_REFERENCE_LENGTH} characters.`);
  if (/\s/.test(text)) return fail('An image reference has no spaces.');
  if (IMAGE_ID.test(text)) return fail('A 64-character hex string is an image ID, not a reference: add the repository (name@sha256:…).');

  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    const problem = checkDigest(digest);
    if (problem) return fail(`Invalid digest: ${problem}.`);
  }
  let tag: string | undefined;
  const colon = rest.indexOf(':', rest.lastIndexOf('/') + 1);
  if (colon !== -1) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return fail(`Invalid tag "${tag}": up to 128 letters, digits, "_", "." or "-", not starting with "." or "-".`);
  }
  if (rest === '') return fail(`The reference has no repository name, ${EXAMPLES}.`);

  const [registry, repository] = splitRegistry(rest);
  if (!REGISTRY_HOST.test(registry)) return fail(`Invalid registry host "${registry}": a host name or IP address, optionally with :port.`);
  const port = /:(\d+)$/.exec(registry)?.[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return fail(`Invalid registry port ${port} in "${registry}": ports run from 1 to 65535.`);
  if (repository.toLowerCase() !== repository) return fail(`Invalid repository "${repository}": repository names must be lower-case.`);
  for (const component of repository.split('/')) {
    if (!PATH_COMPONENT.test(component)) {
      return fail(
        component === ''
          ? `Invalid repository "${repository}": it has an empty path component (check the slashes).`
          : `Invalid repository path component "${component}": lower-case letters and digits, separated by ".", "_", "__" or "-".`,
      );
    }
  }
  const name = `${registry}/${repository}`;
  if (name.length > NAME_MAX_LENGTH) return fail(`The repository name has more than ${NAME_MAX_LENGTH} characters.`);

  // Docker adds `latest` only when neither a tag nor a digest was given.
  if (tag === undefined && digest === undefined) tag = 'latest';
  const suffix = `${tag !== undefined ? `:${tag}` : ''}${digest !== undefined ? `@${digest}` : ''}`;
  const ref: ImageReference = { registry, repository, name, canonical: `${name}${suffix}`, familiar: `${familiarName(registry, repository)}${suffix}` };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return { ok: true, ref };
}

/** Why the text is not a valid reference, or undefined when it is (for zod refinements and forms). */
export function referenceProblem(input: string): string | undefined {
  const parsed = parseImageReference(input);
  return parsed.ok ? undefined : parsed.error;
}

function familiarName(registry: string, repository: string): string {
  if (registry !== DEFAULT_REGISTRY) return `${registry}/${repository}`;
  return repository.startsWith(OFFICIAL_PREFIX) && repository.indexOf('/', OFFICIAL_PREFIX.length) === -1
    ? repository.slice(OFFICIAL_PREFIX.length)
    : repository;
}

/** The tag or digest to ask the registry for; a digest wins, as with `docker pull name:tag@digest`. */
export function manifestReference(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

/** `familiar` with a given digest instead of the tag (to pin one platform's manifest). */
export function withDigest(ref: ImageReference, digest: string): string {
  return `${familiarName(ref.registry, ref.repository)}@${digest}`;
}

/** The command a user types to fetch one platform of the image. */
export function pullCommand(ref: ImageReference, platform: string): string {
  return `docker pull --platform ${platform} ${ref.familiar}`;
}
