import { describe, expect, it } from 'vitest';
import { isDomain, isIdentifier, splitName, splitReference } from './grammar';
import {
  MAX_REFERENCE_LENGTH,
  manifestReference,
  parseImageReference,
  parseReference,
  pullCommand,
  referenceProblem,
  type ImageReference,
  type ReferenceErrorCode,
} from './reference';
import normalizeTests from './upstream/normalize_test.json';
import referenceTests from './upstream/reference_test.json';
import regexpTests from './upstream/regexp_test.json';

/** The library's error values, as the app's codes. */
const CODE: Record<string, ReferenceErrorCode> = {
  ErrNameEmpty: 'EMPTY',
  ErrReferenceInvalidFormat: 'INVALID_FORMAT',
  ErrNameContainsUppercase: 'UPPERCASE',
  ErrNameTooLong: 'NAME_TOO_LONG',
  'digest.ErrDigestInvalidLength': 'DIGEST_INVALID_LENGTH',
  'digest.ErrDigestUnsupported': 'DIGEST_UNSUPPORTED',
  'digest.ErrDigestInvalidFormat': 'DIGEST_INVALID_FORMAT',
};

const SHA512 = `sha512:${'f'.repeat(128)}`;

/**
 * Rows where the app answers otherwise than the library's own test binary, and why. The test
 * binary imports only crypto/sha256; the docker CLI and engine link sha512 too, so for them (and
 * the app) a sha512 digest of the right length is valid.
 */
const DEVIATIONS: Record<string, { why: string }> = {
  [`validname@${SHA512}`]: { why: 'sha512 is registered in the docker CLI and engine' },
};

type Err = { error: string };
const errorOf = (value: unknown): string | undefined => (value && typeof value === 'object' && 'error' in value ? (value as Err).error : undefined);

/** The library's `Named.String()`: name, tag, digest as given (no `latest` added). */
const stringOf = (ref: ImageReference): string => `${ref.name}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;

function normalized(text: string): ImageReference {
  const parsed = parseImageReference(text);
  if (!parsed.ok) throw new Error(`expected ${text} to parse: ${parsed.error}`);
  return parsed.ref;
}

describe('distribution/reference reference_test.go', () => {
  it.each(referenceTests.TestReferenceParse.map((t) => [t.input, t] as const))('Parse(%j)', (input, t) => {
    const parsed = parseReference(input);
    const err = errorOf('err' in t ? t.err : undefined);
    if (DEVIATIONS[input]) {
      expect(parsed.ok, DEVIATIONS[input].why).toBe(true);
      return;
    }
    if (err) {
      expect(parsed).toMatchObject({ ok: false, code: CODE[err] });
      return;
    }
    if (!parsed.ok) throw new Error(parsed.error);
    const { domain, path, tag, digest } = parsed.ref;
    expect(domain ? `${domain}/${path}` : path).toBe('repository' in t ? t.repository : '');
    expect(domain).toBe('domain' in t ? t.domain : '');
    expect(tag).toBe('tag' in t ? t.tag : undefined);
    expect(digest).toBe('digest' in t ? t.digest : undefined);
  });

  it.each(referenceTests.TestWithNameFailure.map((t) => [t.input, errorOf(t.err)] as const))('WithName(%j) fails with %s', (input, err) => {
    // WithName is the name grammar plus the path length limit.
    const split = splitName(input);
    if (err === 'ErrNameTooLong') expect(split && split.path.length).toBeGreaterThan(255);
    else expect(split).toBeUndefined();
  });

  it.each(referenceTests.TestDomainAndPath.map((t) => [t.input, t] as const))('WithName(%j) splits domain and path', (input, t) => {
    expect(splitName(input)).toEqual({ domain: t.domain, path: t.path });
  });

  it.each(referenceTests.TestSerialization.map((t) => [t.description, t] as const))('Field round trip: %s', (_description, t) => {
    const input = ('input' in t ? t.input : undefined) ?? '';
    const parsed = parseReference(input);
    const err = errorOf('err' in t ? t.err : undefined);
    if (err) {
      expect(parsed).toMatchObject({ ok: false, code: CODE[err] });
      return;
    }
    if (!parsed.ok) throw new Error(parsed.error);
    expect(`${parsed.ref.domain}/${parsed.ref.path}`).toBe('name' in t ? t.name : '');
    expect(parsed.ref.tag).toBe('tag' in t ? t.tag : undefined);
    expect(parsed.ref.digest).toBe('digest' in t ? t.digest : undefined);
  });

  it.each(referenceTests.TestParseNamed.map((t) => [t.input, t] as const))('ParseNamed(%j)', (input, t) => {
    // ParseNamed: ParseNormalizedNamed, and the input must already be the canonical string.
    const parsed = parseImageReference(input);
    const canonical = parsed.ok && stringOf(parsed.ref) === input;
    if ('err' in t) {
      expect(errorOf(t.err)).toBe('ErrNameNotCanonical');
      expect(canonical).toBe(false);
      return;
    }
    expect(canonical).toBe(true);
    expect(parsed.ok && [parsed.ref.registry, parsed.ref.repository]).toEqual([t.domain, t.path]);
  });
});

describe('distribution/reference normalize_test.go', () => {
  const { TestValidateReferenceName: names, TestValidateRemoteName: remotes } = normalizeTests;
  it.each([...names.valid, ...remotes.valid])('ParseNormalizedNamed(%j) is valid', (text) => {
    expect(referenceProblem(text)).toBeUndefined();
  });

  it.each([...names.invalid, ...remotes.invalid, ...normalizeTests.TestInvalidReferenceComponents.invalid])('ParseNormalizedNamed(%j) is invalid', (text) => {
    expect(parseImageReference(text).ok).toBe(false);
  });

  it.each(normalizeTests.TestParseRepositoryInfo.flatMap((t) => [t.FamiliarName, t.FullName, t.AmbiguousName].filter(Boolean).map((r) => [r, t] as const)))(
    'repository info of %j',
    (text, t) => {
      const ref = normalized(text);
      expect({ familiar: ref.familiar, full: ref.name, domain: ref.registry, remote: ref.repository }).toEqual({
        familiar: t.FamiliarName,
        full: t.FullName,
        domain: t.Domain,
        remote: t.RemoteName,
      });
    },
  );

  it.each(normalizeTests.TestParseReferenceWithTagAndDigest)('tag and digest: $input', (t) => {
    const ref = normalized(t.input);
    expect(stringOf(ref)).toBe(t.canonical);
    expect(ref.familiar).toBe(t.familiar);
    expect(ref.tag).toBeDefined();
    expect(ref.digest).toBeDefined();
  });

  it.each(normalizeTests.TestParseAnyReference.map((t) => [t.Reference, t] as const))('ParseAnyReference(%j)', (text, t) => {
    const parsed = parseImageReference(text);
    if ('Expected' in t) {
      // A bare image ID or digest is never an image to the app: the ID is refused (name it), and
      // `sha256:<hex>` reads as ParseNormalizedNamed reads it, the image `sha256` with that tag.
      if (isIdentifier(text)) expect(parsed).toMatchObject({ ok: false, code: 'IDENTIFIER' });
      else expect(parsed.ok && [parsed.ref.repository, parsed.ref.tag, parsed.ref.digest]).toEqual(['library/sha256', text.slice(7), undefined]);
      return;
    }
    expect(parsed.ok && stringOf(parsed.ref)).toBe(t.Equivalent);
  });

  it.each(normalizeTests.TestNormalizedSplitHostname.map((t) => [t.input, t] as const))('domain and path of %j', (text, t) => {
    expect(normalized(text)).toMatchObject({ registry: t.domain, repository: t.path });
  });

  it.each(normalizeTests.TestParseDockerRef.map((t) => [t.input, t] as const))('ParseDockerRef(%j)', (text, t) => {
    // ParseDockerRef: a digest wins over a tag, and a bare name gets `latest`.
    const ref = normalized(text);
    const pinned = ref.digest ? `${ref.name}@${manifestReference(ref)}` : `${ref.name}:${manifestReference(ref)}`;
    expect(pinned).toBe(t.expected);
    expect(parseReference(pinned).ok).toBe(true);
  });
});

describe('distribution/reference regexp_test.go', () => {
  it.each(regexpTests.TestDomainRegexp.map((t) => [t.input, t.match] as const))('DomainRegexp %j → %s', (text, match) => {
    expect(isDomain(text)).toBe(match);
  });

  it.each(regexpTests.TestFullNameRegexp.map((t) => [t.input, t] as const))('anchoredNameRegexp %j', (text, t) => {
    const split = splitName(text);
    expect(split !== undefined).toBe(t.match);
    if ('subs' in t && t.subs) expect(split && [split.domain, split.path]).toEqual(t.subs);
  });

  it.each(regexpTests.TestReferenceRegexp.map((t) => [t.input, t] as const))('ReferenceRegexp %j', (text, t) => {
    const parts = splitReference(text);
    expect(parts !== undefined).toBe(t.match);
    if ('subs' in t && t.subs) expect(parts && [parts.name, parts.tag ?? '', parts.digest ?? '']).toEqual(t.subs);
  });

  it.each(regexpTests.TestIdentifierRegexp.map((t) => [t.input, t.match] as const))('IdentifierRegexp %j → %s', (text, match) => {
    expect(isIdentifier(text)).toBe(match);
  });
});

describe('parseImageReference: the app on top of the library', () => {
  it.each([
    ['alpine', 'docker.io', 'library/alpine', undefined, 'docker.io/library/alpine:latest', 'alpine'],
    ['alpine:3.20', 'docker.io', 'library/alpine', '3.20', 'docker.io/library/alpine:3.20', 'alpine:3.20'],
    ['docker.io/library/sub/x:1', 'docker.io', 'library/sub/x', '1', 'docker.io/library/sub/x:1', 'library/sub/x:1'],
    ['index.docker.io/library/busybox', 'docker.io', 'library/busybox', undefined, 'docker.io/library/busybox:latest', 'busybox'],
    ['127.0.0.1:5000/stack/busybox:1', '127.0.0.1:5000', 'stack/busybox', '1', '127.0.0.1:5000/stack/busybox:1', '127.0.0.1:5000/stack/busybox:1'],
    ['[::1]:5000/app:1', '[::1]:5000', 'app', '1', '[::1]:5000/app:1', '[::1]:5000/app:1'],
    ['localhost:65535/a', 'localhost:65535', 'a', undefined, 'localhost:65535/a:latest', 'localhost:65535/a'],
  ])('%s', (text, registry, repository, tag, canonical, familiar) => {
    const ref = normalized(text);
    expect(ref).toMatchObject({ registry, repository, canonical, familiar, name: `${registry}/${repository}` });
    expect(ref.tag).toBe(tag);
    expect(manifestReference(ref)).toBe(tag ?? 'latest');
  });

  it('keeps a digest, adds no tag to a digest-only reference, and asks for the digest', () => {
    const digest = 'sha256:0524d1a3315d5b5c5ac2a46aa68e7149bac2b9faecfe636f29aac063c8178903';
    const byDigest = normalized(`127.0.0.1:5000/capture@${digest}`);
    expect(byDigest).toMatchObject({ digest, canonical: `127.0.0.1:5000/capture@${digest}` });
    expect(byDigest.tag).toBeUndefined();
    expect(manifestReference(byDigest)).toBe(digest);
    expect(pullCommand(normalized('alpine:3.20'), 'linux/arm/v7')).toBe('docker pull --platform linux/arm/v7 alpine:3.20');
  });

  it.each([
    ['', 'EMPTY', /Enter an image reference/],
    ['   ', 'EMPTY', /Enter an image reference/],
    ['alpine 3.20', 'INVALID_FORMAT', /no spaces/],
    ['-app', 'INVALID_FORMAT', /starts with "-"/],
    ['Alpine', 'UPPERCASE', /must be lower-case/],
    ['127.0.0.1:5000/UPPER/x', 'UPPERCASE', /"UPPER\/x".*lower-case/],
    ['alpine:', 'INVALID_FORMAT', /Invalid tag ""/],
    ['alpine:-x', 'INVALID_FORMAT', /Invalid tag "-x"/],
    [`alpine:${'a'.repeat(129)}`, 'INVALID_FORMAT', /Invalid tag/],
    ['alpine@sha256:abc', 'INVALID_FORMAT', /Invalid digest: a sha256 digest has 64 lower-case hex characters, not 3/],
    [`alpine@sha256:${'a'.repeat(40)}`, 'DIGEST_INVALID_LENGTH', /has 64 lower-case hex characters, not 40/],
    [`alpine@md5:${'a'.repeat(32)}`, 'DIGEST_UNSUPPORTED', /algorithm "md5" is not supported/],
    [`alpine@sha256:${'A'.repeat(64)}`, 'DIGEST_INVALID_FORMAT', /lower-case hex/],
    ['alpine@', 'INVALID_FORMAT', /Invalid digest/],
    ['a//b', 'INVALID_FORMAT', /empty path component/],
    ['app_/x', 'INVALID_FORMAT', /path component "app_"/],
    ['a.b-/x', 'INVALID_FORMAT', /Invalid registry host "a.b-"/],
    ['host:port/x', 'INVALID_FORMAT', /Invalid registry host "host:port"/],
    ['[fe80::1%eth0]:5000/x', 'INVALID_FORMAT', /Invalid registry host/],
    [':1', 'INVALID_FORMAT', /no repository name/],
    ['0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'IDENTIFIER', /image ID, not a reference/],
    [`x/${'a'.repeat(260)}`, 'NAME_TOO_LONG', /262 characters, more than 255/],
    // The library counts the path only, `library/` included.
    ['a'.repeat(250), 'NAME_TOO_LONG', /258 characters/],
    ['a'.repeat(MAX_REFERENCE_LENGTH + 1), 'TOO_LONG', /at most/],
    ['localhost:65536/app', 'PORT_OUT_OF_RANGE', /port 65536.*1 to 65535/],
    ['127.0.0.1:0/app', 'PORT_OUT_OF_RANGE', /port 0/],
    ['[::1]:99999/app', 'PORT_OUT_OF_RANGE', /port 99999/],
  ])('refuses %j (%s) and says why', (text, code, reason) => {
    const parsed = parseImageReference(text);
    expect(parsed).toMatchObject({ ok: false, code });
    expect(referenceProblem(text)).toMatch(reason);
  });

  it('accepts the longest names the library does', () => {
    expect(parseImageReference(`example.com/${'a'.repeat(255)}:tag`).ok).toBe(true);
    expect(parseImageReference(`${'a'.repeat(247)}:tag`).ok).toBe(true);
    expect(parseImageReference(`alpine@${SHA512}`).ok).toBe(true);
    expect(parseImageReference(`alpine@sha384:${'0'.repeat(96)}`).ok).toBe(true);
  });

  it('answers at once for inputs that make backtracking patterns explode', () => {
    // A published port of the Go grammar spends minutes on these (an empty-matching separator).
    expect(referenceProblem(`${'a'.repeat(18)}!`)).toMatch(/path component/);
    expect(referenceProblem(`${'a-'.repeat(200)}!`)).toMatch(/path component/);
    expect(referenceProblem(`${'a'.repeat(250)}-.x/y`)).toMatch(/registry host/);
  });
});
