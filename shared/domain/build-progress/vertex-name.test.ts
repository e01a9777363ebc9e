import { describe, expect, it } from 'vitest';
import { parseVertexName } from './vertex-name';

describe('parseVertexName', () => {
  it.each([
    ['[internal] load build definition from Dockerfile', { text: 'load build definition from Dockerfile', internal: true, label: 'internal' }],
    [
      '[linux/arm64 internal] load metadata for docker.io/library/alpine:3.19',
      { text: 'load metadata for docker.io/library/alpine:3.19', platform: 'linux/arm64', internal: true, label: 'internal' },
    ],
    ['[auth] library/alpine:pull token for registry-1.docker.io', { internal: true, label: 'auth' }],
    [
      '[linux/riscv64 base 1/2] COPY rootfs-riscv64/ /',
      { text: 'COPY rootfs-riscv64/ /', platform: 'linux/riscv64', stage: 'base', stepIndex: 1, stepTotal: 2, label: '1/2' },
    ],
    [
      // The instruction itself contains brackets: only the first `]` closes the prefix.
      '[base 2/2] RUN ["/bin/busybox","sh","-c","/bin/busybox --install -s /bin"]',
      { text: 'RUN ["/bin/busybox","sh","-c","/bin/busybox --install -s /bin"]', stage: 'base', label: '2/2' },
    ],
    ['[linux/arm/v7 stage-1 2/3] COPY --from=tools /note /note', { platform: 'linux/arm/v7', stage: 'stage-1', label: '2/3' }],
    // Right-aligned step numbers with 10+ steps, with and without a stage.
    ['[ 1/10] FROM docker.io/library/alpine', { text: 'FROM docker.io/library/alpine', stepIndex: 1, stepTotal: 10 }],
    ['[builder  3/12] RUN go build', { stage: 'builder', stepIndex: 3, stepTotal: 12, label: '3/12' }],
    // Cross-compilation stage: runs on amd64, builds for arm64; the lane is the target.
    [
      '[linux/amd64->arm64 build 2/3] RUN go build',
      { platform: 'linux/arm64', buildPlatform: 'linux/amd64', stage: 'build', label: '2/3' },
    ],
    ['[linux/amd64->arm/v7 build 2/3] RUN go build', { platform: 'linux/arm/v7', buildPlatform: 'linux/amd64' }],
    ['[linux/amd64->windows/amd64 build 1/1] RUN x', { platform: 'windows/amd64', buildPlatform: 'linux/amd64' }],
    // Spelling is normalised, so lanes match the requested platforms.
    ['[linux/arm64/v8 2/3] RUN x', { platform: 'linux/arm64', stepIndex: 2 }],
    ['[linux/aarch64 2/3] RUN x', { platform: 'linux/arm64' }],
    // bake / compose put the target first.
    ['[web linux/arm64 2/3] RUN npm ci', { target: 'web', platform: 'linux/arm64', label: '2/3' }],
    ['[web linux/arm64 deps 2/3] RUN npm ci', { target: 'web', platform: 'linux/arm64', stage: 'deps' }],
    ['[api internal] load build definition from Dockerfile', { target: 'api', internal: true }],
    ['[web build 2/3] RUN x', { target: 'web', stage: 'build' }],
  ])('%s', (name, expected) => {
    expect(parseVertexName(name)).toMatchObject(expected);
  });

  it('leaves names without a prefix alone', () => {
    expect(parseVertexName('exporting to image')).toEqual({ text: 'exporting to image', internal: false });
    expect(parseVertexName('pushing 127.0.0.1:5000/capture:ok with docker')).toEqual({
      text: 'pushing 127.0.0.1:5000/capture:ok with docker',
      internal: false,
    });
    expect(parseVertexName('[unterminated')).toEqual({ text: '[unterminated', internal: false });
    expect(parseVertexName('[] x')).toEqual({ text: '[] x', internal: false });
  });

  it('has no platform and no step when the tokens are not those', () => {
    const p = parseVertexName('[stage-1 2/2] RUN make');
    expect(p.platform).toBeUndefined();
    expect(p.buildPlatform).toBeUndefined();
    expect(p.internal).toBe(false);
    // `2/2` is a step only in last position; a stage named like a path is not a platform.
    expect(parseVertexName('[1/2 x] RUN').stepIndex).toBeUndefined();
  });
});
