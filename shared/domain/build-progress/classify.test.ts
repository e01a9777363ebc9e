import { describe, expect, it } from 'vitest';
import { classifyFailure } from './classify';
import { builderContainerRemoved, engineStopped, riscv64Fails, splitCapture } from './fixtures/captures';
import { parseBuildProgress } from './tracker';

describe('classifyFailure', () => {
  it.each([
    [
      'docker-driver-multiplatform',
      'ERROR: Multi-platform build is not supported for the docker driver.\nSwitch to a different driver, or turn on the containerd image store, and try again.',
    ],
    [
      'docker-driver-multiplatform',
      'error: multiple platforms feature is currently not supported for docker driver. Please switch to a different driver (eg. "docker buildx create --use")',
    ],
    [
      'load-manifest-list',
      '#12 ERROR: docker exporter does not currently support exporting manifest lists\nERROR: failed to solve: docker exporter does not currently support exporting manifest lists',
    ],
    [
      'base-image-platform-missing',
      'ERROR: failed to solve: ppc64le/ubuntu:22.04: failed to resolve source metadata for docker.io/ppc64le/ubuntu:22.04: no match for platform in manifest: not found',
    ],
    [
      'base-image-platform-missing',
      'ERROR: failed to solve: ubuntu:22.04: no match for platform in manifest sha256:9a0bdde4188b896a372804be2384015e90e3f84906b750c1a53539b585fbbe7f: not found',
    ],
    [
      'file-not-found',
      'ERROR: failed to solve: failed to compute cache key: failed to calculate checksum of ref 8b5c4f6e::q1w2: "/app/target/app.jar": not found',
    ],
    ['dockerfile-missing', 'ERROR: failed to solve: failed to read dockerfile: open Dockerfile.prod: no such file or directory'],
    ['dockerfile-syntax', 'ERROR: failed to solve: dockerfile parse error on line 3: unknown instruction: RUNN'],
    [
      'image-not-found',
      'ERROR: failed to solve: nosuch/image:1: failed to resolve source metadata for docker.io/nosuch/image:1: pull access denied, repository does not exist or may require authorization',
    ],
    [
      'image-not-found',
      'ERROR: failed to solve: docker.io/library/alpine:9.99: failed to resolve source metadata for docker.io/library/alpine:9.99: docker.io/library/alpine:9.99: not found',
    ],
    [
      'registry-insecure',
      'ERROR: failed to solve: failed to push 10.0.0.5:5000/app:1: failed to do request: Head "https://10.0.0.5:5000/v2/app/blobs/sha256:ab": http: server gave HTTP response to HTTPS client',
    ],
    ['registry-auth', 'ERROR: failed to solve: failed to push docker.io/someone/app:1: unauthorized: authentication required'],
    [
      'registry-unreachable',
      'ERROR: failed to solve: failed to push 127.0.0.1:5000/app:1: failed to do request: Head "http://127.0.0.1:5000/v2/": dial tcp 127.0.0.1:5000: connect: connection refused',
    ],
    [
      'registry-server-error',
      '#16 ERROR: unexpected status from HEAD request to http://127.0.0.1:5000/v2/app/manifests/oci: 500 Internal Server Error\nERROR: unexpected status from HEAD request to http://127.0.0.1:5000/v2/app/manifests/oci: 500 Internal Server Error',
    ],
    ['out-of-space', '#9 12.3 write /usr/lib/libfoo.so: no space left on device'],
    ['daemon-unreachable', 'ERROR: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?'],
    ['builder-missing', 'ERROR: no builder "multibuilder" found'],
    ['emulator-crash', '#8 3.2 qemu: uncaught target signal 11 (Segmentation fault) - core dumped'],
    ['canceled', 'ERROR: failed to solve: Canceled: context canceled'],
  ])('%s: %s', (kind, text) => {
    const c = classifyFailure(text);
    expect(c.kind).toBe(kind);
    expect(c.explanation.length).toBeGreaterThan(10);
    expect(c.fix.length).toBeGreaterThan(10);
    expect(text).toContain(c.evidence!);
  });

  it('puts the missing emulator first, and names the platform for the Emulators page', () => {
    // What a RUN under an unregistered emulator prints: the log line and the generic exit error.
    const text = [
      'process "/bin/sh -c uname -m" did not complete successfully: exit code: 255',
      'exec /bin/sh: exec format error',
      'ERROR: failed to solve: process "/bin/sh -c uname -m" did not complete successfully: exit code: 255',
    ].join('\n');
    const c = classifyFailure(text, { platforms: ['linux/arm64'] });
    expect(c.kind).toBe('emulator-missing');
    expect(c.evidence).toBe('exec /bin/sh: exec format error');
    expect(c.fix).toContain('linux/arm64');
    expect(c.fix).toContain('Emulators page');
    expect(c.platforms).toEqual(['linux/arm64']);
  });

  it('finds the platform in bracketed vertex names when not told', () => {
    const c = classifyFailure(
      ' > [linux/riscv64 internal] load metadata for docker.io/library/ubuntu:22.04:\nERROR: failed to solve: ubuntu:22.04: no match for platform in manifest sha256:9a0b: not found',
    );
    expect(c.kind).toBe('base-image-platform-missing');
    expect(c.platforms).toEqual(['linux/riscv64']);
    expect(c.explanation).toBe('The base image ubuntu:22.04 is not published for linux/riscv64.');
  });

  it('reads the real failure text: a RUN that exits 3', () => {
    const text = splitCapture(riscv64Fails).text.join('\n');
    const c = classifyFailure(text, { platforms: ['linux/riscv64'] });
    expect(c.kind).toBe('command-failed');
    expect(c.explanation).toBe('A RUN command failed on linux/riscv64 with exit code 3.');
    expect(c.evidence).toMatch(/^ERROR: failed to solve: process/);
  });

  it('explains well-known exit codes', () => {
    expect(classifyFailure('process "/bin/sh -c cc" did not complete successfully: exit code: 132').explanation).toContain(
      'illegal instruction',
    );
    expect(classifyFailure('process "/bin/sh -c foo" did not complete successfully: exit code: 127').explanation).toContain(
      'command not found',
    );
  });

  it('falls back to the first ERROR line', () => {
    const c = classifyFailure('something\nERROR: the flux capacitor is empty\n');
    expect(c).toMatchObject({ kind: 'unknown', evidence: 'ERROR: the flux capacitor is empty' });
    expect(c.explanation).toContain('the flux capacitor is empty');
    expect(classifyFailure('').kind).toBe('unknown');
  });

  it('says BuildKit went away when the connection broke, and names the engine or builder when told which', () => {
    for (const capture of [engineStopped, builderContainerRemoved]) {
      const snap = parseBuildProgress(capture, { exitCode: 1 });
      // from the text alone: the generic loss of BuildKit, not "unknown"
      expect(snap.failure?.cause.kind).toBe('builder-lost');
      expect(snap.failure?.cause.evidence).toMatch(/code = Unavailable desc = error reading from server: EOF/);
    }
    const text = 'ERROR: failed to receive status: rpc error: code = Unavailable desc = error reading from server: EOF';
    expect(classifyFailure(text, { lost: { engine: 'unix:///var/run/docker.sock' } })).toMatchObject({
      kind: 'engine-lost',
      explanation: expect.stringContaining('The Docker engine (unix:///var/run/docker.sock) stopped answering during the build'),
      fix: expect.stringMatching(/^Start the Docker engine again/),
    });
    expect(classifyFailure(text, { lost: { builder: 'multiarch', driver: 'docker-container', container: 'buildx_buildkit_multiarch0' } })).toMatchObject({
      kind: 'builder-lost',
      explanation: expect.stringContaining('builder "multiarch" (container buildx_buildkit_multiarch0) went away during the build'),
      fix: expect.stringContaining('Start "multiarch" again on the Builders page'),
    });
  });
});
