import { describe, expect, it } from 'vitest';
import { buildRequestInput, type BuildRequestInput } from '../build-request/request';
import { displayArgv, digestOutput, laneArgv, laneCache, mergeArgv, nodeBuilderArgs, nodeBuilderName, nodeEndpoint, platformCache } from './plan';

const request = (patch: Partial<BuildRequestInput> = {}) =>
  buildRequestInput.parse({
    context: '/work/app',
    tags: ['127.0.0.1:5000/team/app:1.0', '127.0.0.1:5000/team/app:latest'],
    platforms: ['linux/amd64', 'linux/arm64'],
    output: { type: 'push' },
    buildArgs: [{ key: 'VERSION', value: '1.0' }],
    provenance: true,
    ...patch,
  });

describe('one build per platform, pushed by digest', () => {
  it('builds one platform on the given builder, pushing by digest to the first tag\'s repository, with no tag', () => {
    const argv = laneArgv(request(), 'linux/arm64', { builder: 'multiarch-node-x', registryCache: false, metadataFile: '/tmp/m.json', progress: 'rawjson' });
    expect(argv).toEqual([
      'buildx', 'build', '--builder', 'multiarch-node-x', '--progress=rawjson', '--metadata-file', '/tmp/m.json',
      '--platform', 'linux/arm64', '-f', '/work/app/Dockerfile', '--build-arg', 'VERSION=1.0',
      '--output', 'type=image,name=127.0.0.1:5000/team/app,push-by-digest=true,name-canonical=true,push=true',
      '--provenance=true', '--sbom=false', '/work/app',
    ]);
    expect(argv).not.toContain('-t');
  });

  it('quotes the output name for the CSV buildx reads when it needs it', () => {
    expect(digestOutput('host/a,b')).toBe('type=image,"name=host/a,b",push-by-digest=true,name-canonical=true,push=true');
  });

  it('merges the digests under every tag, and shows the commands as a user types them', () => {
    const argv = mergeArgv(['127.0.0.1:5000/team/app:1.0', '127.0.0.1:5000/team/app:latest'], ['127.0.0.1:5000/team/app@sha256:aa', '127.0.0.1:5000/team/app@sha256:bb']);
    expect(displayArgv(argv)).toBe(
      'docker buildx imagetools create -t 127.0.0.1:5000/team/app:1.0 -t 127.0.0.1:5000/team/app:latest 127.0.0.1:5000/team/app@sha256:aa 127.0.0.1:5000/team/app@sha256:bb',
    );
  });
});

describe('a cache of its own per platform', () => {
  it('gives each platform its own registry cache when the form names none', () => {
    const r = request();
    expect(laneCache(r, 'linux/arm/v7', true)).toEqual({
      from: ['type=registry,ref=127.0.0.1:5000/team/app:buildcache-linux-arm-v7'],
      to: ['type=registry,ref=127.0.0.1:5000/team/app:buildcache-linux-arm-v7,mode=max'],
    });
    expect(laneCache(r, 'linux/arm/v7', false)).toEqual({ from: [], to: [] });
    const amd = laneArgv(r, 'linux/amd64', { builder: 'b', registryCache: true });
    const arm = laneArgv(r, 'linux/arm64', { builder: 'b', registryCache: true });
    const cacheTo = (argv: string[]) => argv[argv.indexOf('--cache-to') + 1];
    expect(cacheTo(amd)).not.toBe(cacheTo(arm));
  });

  it('makes the form\'s caches the platform\'s own: registry tag, folder, scope', () => {
    expect(platformCache('type=registry,ref=reg/app:cache,mode=max', 'linux/arm64')).toBe('type=registry,ref=reg/app:cache-linux-arm64,mode=max');
    expect(platformCache('reg:5000/app', 'linux/arm64')).toBe('type=registry,ref=reg:5000/app:linux-arm64');
    expect(platformCache('type=registry,ref=reg/app@sha256:abc', 'linux/arm64')).toBe('type=registry,ref=reg/app@sha256:abc');
    // The tag is what follows the last ':' after the last '/', as Docker reads it: a registry port is no tag.
    expect(platformCache('type=registry,ref=[::1]:5000/app', 'linux/arm64')).toBe('type=registry,ref=[::1]:5000/app:linux-arm64');
    const digest = `sha256:${'b'.repeat(64)}`;
    expect(platformCache(`type=registry,ref=reg:5000/app:cache@${digest}`, 'linux/arm64')).toBe(`type=registry,ref=reg:5000/app:cache@${digest}`);
    expect(platformCache('type=local,dest=/tmp/cache/', 'linux/riscv64')).toBe('type=local,dest=/tmp/cache/linux-riscv64');
    expect(platformCache('type=gha,mode=max', 'linux/s390x')).toBe('type=gha,mode=max,scope=buildkit-linux-s390x');
    expect(platformCache('type=inline', 'linux/s390x')).toBe('type=inline');
    const r = request({ cacheFrom: ['type=registry,ref=reg/app:cache'], cacheTo: ['type=registry,ref=reg/app:cache,mode=max'] });
    expect(laneCache(r, 'linux/amd64', true)).toEqual({ from: ['type=registry,ref=reg/app:cache-linux-amd64'], to: ['type=registry,ref=reg/app:cache-linux-amd64,mode=max'] });
  });
});

describe('building on one node of a multi-node builder', () => {
  it('reaches a node through the remote driver: its address, or its BuildKit container', () => {
    expect(nodeEndpoint({ name: 'b1', endpoint: 'tcp://10.0.0.5:1234', local: false }, 'remote')).toBe('tcp://10.0.0.5:1234');
    expect(nodeEndpoint({ name: 'b0', endpoint: 'default', local: true }, 'docker-container')).toBe('docker-container://buildx_buildkit_b0');
    expect(nodeEndpoint({ name: 'b1', endpoint: 'arm-box', local: false }, 'docker-container')).toBe('docker-container://buildx_buildkit_b1?context=arm-box');
    expect(nodeEndpoint({ name: 'b1', endpoint: 'ssh://me@arm-box', local: false }, 'docker-container')).toBeUndefined();
    expect(nodeEndpoint({ name: 'k', endpoint: 'kubernetes:///x', local: false }, 'kubernetes')).toBeUndefined();
  });

  it('creates that builder with the node\'s TLS options only', () => {
    expect(nodeBuilderArgs('multiarch-node-1', 'tcp://h:1234', { cacert: '/c/ca.pem', cert: '/c/cert.pem', key: '/c/key.pem', image: 'x' })).toEqual([
      'buildx', 'create', '--name', 'multiarch-node-1', '--driver', 'remote',
      '--driver-opt', 'cacert=/c/ca.pem', '--driver-opt', 'cert=/c/cert.pem', '--driver-opt', 'key=/c/key.pem', 'tcp://h:1234',
    ]);
    expect(nodeBuilderName('20261206-143000-1a2b3c4d', 'linux/arm/v7')).toBe('multiarch-node-1a2b3c4d-linux-arm-v7');
  });
});
