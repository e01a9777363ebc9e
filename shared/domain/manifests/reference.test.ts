import { describe, expect, it } from 'vitest';
import { manifestReference, parseImageReference, pullCommand, referenceProblem } from './reference';

const ok = (text: string) => {
  const parsed = parseImageReference(text);
  if (!parsed.ok) throw new Error(`expected ${text} to parse: ${parsed.error}`);
  return parsed.ref;
};

describe('parseImageReference: Docker normalisation', () => {
  it.each([
    ['alpine', 'docker.io', 'library/alpine', 'latest', 'docker.io/library/alpine:latest', 'alpine:latest'],
    ['alpine:3.20', 'docker.io', 'library/alpine', '3.20', 'docker.io/library/alpine:3.20', 'alpine:3.20'],
    ['user/app:1', 'docker.io', 'user/app', '1', 'docker.io/user/app:1', 'user/app:1'],
    ['docker.io/library/alpine:3.20', 'docker.io', 'library/alpine', '3.20', 'docker.io/library/alpine:3.20', 'alpine:3.20'],
    ['index.docker.io/library/busybox', 'docker.io', 'library/busybox', 'latest', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['docker.io/library/sub/x:1', 'docker.io', 'library/sub/x', '1', 'docker.io/library/sub/x:1', 'library/sub/x:1'],
    ['127.0.0.1:5000/app:1', '127.0.0.1:5000', 'app', '1', '127.0.0.1:5000/app:1', '127.0.0.1:5000/app:1'],
    ['127.0.0.1:5000/stack/busybox:1', '127.0.0.1:5000', 'stack/busybox', '1', '127.0.0.1:5000/stack/busybox:1', '127.0.0.1:5000/stack/busybox:1'],
    ['localhost/app', 'localhost', 'app', 'latest', 'localhost/app:latest', 'localhost/app:latest'],
    ['localhost:5000/a/b/c:v1.2-rc_3', 'localhost:5000', 'a/b/c', 'v1.2-rc_3', 'localhost:5000/a/b/c:v1.2-rc_3', 'localhost:5000/a/b/c:v1.2-rc_3'],
    ['ghcr.io/owner/repo.name__x-y:tag', 'ghcr.io', 'owner/repo.name__x-y', 'tag', 'ghcr.io/owner/repo.name__x-y:tag', 'ghcr.io/owner/repo.name__x-y:tag'],
    ['[::1]:5000/app:1', '[::1]:5000', 'app', '1', '[::1]:5000/app:1', '[::1]:5000/app:1'],
    // An upper-case first component is a host, as in Docker.
    ['Registry/app', 'Registry', 'app', 'latest', 'Registry/app:latest', 'Registry/app:latest'],
  ])('%s', (text, registry, repository, tag, canonical, familiar) => {
    const ref = ok(text);
    expect(ref).toMatchObject({ registry, repository, tag, canonical, familiar, name: `${registry}/${repository}` });
    expect(manifestReference(ref)).toBe(tag);
  });

  it('keeps a digest, adds no tag to a digest-only reference, and asks for the digest', () => {
    const digest = 'sha256:0524d1a3315d5b5c5ac2a46aa68e7149bac2b9faecfe636f29aac063c8178903';
    const byDigest = ok(`127.0.0.1:5000/capture@${digest}`);
    expect(byDigest.tag).toBeUndefined();
    expect(byDigest.digest).toBe(digest);
    expect(byDigest.canonical).toBe(`127.0.0.1:5000/capture@${digest}`);
    expect(manifestReference(byDigest)).toBe(digest);
    const both = ok(`alpine:3.20@${digest}`);
    expect(both).toMatchObject({ tag: '3.20', digest, familiar: `alpine:3.20@${digest}` });
    expect(manifestReference(both)).toBe(digest);
  });

  it('builds the pull command from the familiar form', () => {
    expect(pullCommand(ok('alpine:3.20'), 'linux/arm/v7')).toBe('docker pull --platform linux/arm/v7 alpine:3.20');
  });
});

describe('parseImageReference: refusals say why', () => {
  it.each([
    ['', /Enter an image reference/],
    ['   ', /Enter an image reference/],
    ['alpine 3.20', /no spaces/],
    ['Alpine', /must be lower-case/],
    ['user/App:1', /must be lower-case/],
    ['127.0.0.1:5000/UPPER/x', /must be lower-case/],
    ['alpine:', /Invalid tag ""/],
    ['alpine:-x', /Invalid tag "-x"/],
    [`alpine:${'a'.repeat(129)}`, /Invalid tag/],
    ['alpine@sha256:abc', /Invalid digest: a sha256 digest has 64/],
    [`alpine@md5:${'a'.repeat(32)}`, /algorithm "md5" is not supported/],
    [`alpine@sha256:${'A'.repeat(64)}`, /lower-case hex/],
    ['alpine@', /Invalid digest/],
    ['a//b', /empty path component/],
    ['/alpine', /empty path component|Invalid registry/],
    ['app_/x', /path component "app_"/],
    ['-bad.host:5000/x', /Invalid registry host "-bad.host:5000"/],
    ['host:port/x', /Invalid registry host "host:port"/],
    [':1', /no repository name/],
    ['0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', /image ID, not a reference/],
    [`x/${'a'.repeat(260)}`, /more than 255 characters/],
    ['a'.repeat(600), /at most 512 characters/],
  ])('%j', (text, reason) => {
    const parsed = parseImageReference(text);
    expect(parsed.ok).toBe(false);
    expect(referenceProblem(text)).toMatch(reason);
  });

  it('answers at once for inputs that make backtracking patterns explode', () => {
    // A published port of the Go grammar spends minutes on this one (an empty-matching separator).
    expect(referenceProblem(`${'a'.repeat(18)}!`)).toMatch(/path component/);
    expect(referenceProblem(`${'a-'.repeat(200)}!`)).toMatch(/path component/);
    expect(referenceProblem(`${'a'.repeat(250)}-.x/y`)).toMatch(/registry host/);
  });
});
