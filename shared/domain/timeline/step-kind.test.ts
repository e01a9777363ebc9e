import { describe, expect, it } from 'vitest';
import { nativelyRuns } from '../platform';
import { dockerfileSteps } from './dockerfile-steps';
import { stepRun, type NodeRun, type RunContext } from './step-kind';

const DOCKERFILE = `# syntax is the built-in frontend
FROM golang:1.22 AS build
WORKDIR /src
COPY go.mod main.go ./
RUN CGO_ENABLED=0 go build -o /out/app .

FROM --platform=$BUILDPLATFORM golang:1.22 AS cross
WORKDIR /src
ARG TARGETOS TARGETARCH
RUN GOOS=$TARGETOS GOARCH=$TARGETARCH \\
    go build -o /out/app .

FROM --platform=linux/amd64 debian:bookworm AS tools
RUN echo tools

FROM scratch
COPY --from=build /out/app /app
COPY --from=cross /out/app /app2
`;

/** A node on an amd64 host with the arm64 emulator registered (riscv64: none). */
function amd64Node(name = 'default'): NodeRun {
  return {
    node: name,
    nativePlatform: 'linux/amd64',
    support: (p) => (nativelyRuns('linux/amd64').includes(p) ? 'native' : p === 'linux/arm64' ? 'emulated' : 'unavailable'),
  };
}

const platforms = ['linux/amd64', 'linux/arm64'];
const ctx: RunContext = { nodeFor: () => amd64Node(), dockerfile: dockerfileSteps(DOCKERFILE, { platforms, buildPlatform: 'linux/amd64' }) };

const step = (fullName: string, platform: string | undefined, extra: { cached?: boolean } = {}) => ({
  fullName,
  name: fullName.replace(/^\[[^\]]*\]\s*/, ''),
  platform,
  cached: extra.cached ?? false,
  status: extra.cached ? ('cached' as const) : ('done' as const),
});

describe('dockerfileSteps', () => {
  it('numbers each stage’s steps as BuildKit does: FROM of an image, then ADD / COPY / RUN / WORKDIR', () => {
    const map = ctx.dockerfile!;
    expect(map.stages.map((s) => [s.name, s.steps.map((x) => `${x.keyword}@${x.line}`)])).toEqual([
      ['build', ['FROM@2', 'WORKDIR@3', 'COPY@4', 'RUN@5']],
      ['cross', ['FROM@7', 'WORKDIR@8', 'RUN@10']],
      ['tools', ['FROM@13', 'RUN@14']],
      // FROM scratch makes no step
      [undefined, ['COPY@17', 'COPY@18']],
    ]);
    expect(map.stages[1]!.platformFor['linux/arm64']).toEqual({ kind: 'build' });
    expect(map.stages[2]!.platformFor['linux/arm64']).toEqual({ kind: 'constant', platform: 'linux/amd64' });
    expect(map.stages[2]!.platformFor['linux/amd64']).toEqual({ kind: 'target' });
    // the continuation line is kept with the instruction
    expect(map.lines[10]).toContain('GOOS=$TARGETOS');
    expect(map.lines[11]).toContain('go build');
  });
});

describe('stepRun', () => {
  it('labels a RUN of a plain stage native on the host platform and emulated on the emulated one', () => {
    const native = stepRun(step('[linux/amd64 build 4/4] RUN CGO_ENABLED=0 go build -o /out/app .', 'linux/amd64'), ctx);
    expect(native).toMatchObject({ kind: 'native', runs: true, node: 'default', line: 5, stageIndex: 0 });
    const emulated = stepRun(step('[linux/arm64 build 4/4] RUN CGO_ENABLED=0 go build -o /out/app .', 'linux/arm64'), ctx);
    expect(emulated).toMatchObject({ kind: 'emulated', runs: true, line: 5 });
    expect(emulated.why).toMatch(/QEMU/);
  });

  it('labels the steps of a $BUILDPLATFORM stage cross when BuildKit names them `amd64->arm64`', () => {
    const r = stepRun(step('[linux/amd64->arm64 cross 3/3] RUN GOOS=linux GOARCH=arm64 go build -o /out/app .', 'linux/arm64'), ctx);
    expect(r).toMatchObject({ kind: 'cross', on: 'linux/amd64', line: 10, endLine: 11, stageIndex: 1 });
  });

  it('finds the cross stage from the Dockerfile when the name carries no platform (older BuildKit)', () => {
    const r = stepRun(step('[cross 3/3] RUN GOOS=linux GOARCH=arm64 go build -o /out/app .', 'linux/arm64'), ctx);
    expect(r).toMatchObject({ kind: 'cross', on: 'linux/amd64' });
    // …and a stage pinned to a constant platform runs that platform for every target
    const pinned = stepRun(step('[tools 2/2] RUN echo tools', 'linux/arm64'), ctx);
    expect(pinned).toMatchObject({ kind: 'cross', on: 'linux/amd64' });
  });

  it('never calls BuildKit’s own work emulated: FROM, COPY and WORKDIR are native in every lane', () => {
    for (const name of ['[linux/arm64 build 1/4] FROM golang:1.22', '[linux/arm64 build 3/4] COPY go.mod main.go ./', '[linux/arm64 stage-3 1/2] COPY --from=build /out/app /app']) {
      expect(stepRun(step(name, 'linux/arm64'), ctx)).toMatchObject({ kind: 'native', runs: false });
    }
  });

  it('cached wins over everything, and steps of no platform are the build’s own work', () => {
    expect(stepRun(step('[linux/arm64 build 4/4] RUN go build', 'linux/arm64', { cached: true }), ctx).kind).toBe('cached');
    expect(stepRun(step('[internal] load build context', undefined), ctx)).toMatchObject({ kind: 'native', runs: false });
  });

  it('asks the node that builds each platform: an arm64 node runs arm64 natively and amd64 under QEMU', () => {
    const arm: NodeRun = { node: 'arm-node', nativePlatform: 'linux/arm64', support: (p) => (p === 'linux/arm64' ? 'native' : 'emulated') };
    const routed: RunContext = { ...ctx, nodeFor: (p) => (p === 'linux/arm64' ? arm : amd64Node('amd-node')) };
    expect(stepRun(step('[linux/arm64 build 4/4] RUN go build', 'linux/arm64'), routed)).toMatchObject({ kind: 'native', node: 'arm-node' });
    expect(stepRun(step('[linux/amd64 build 4/4] RUN go build', 'linux/amd64'), routed)).toMatchObject({ kind: 'native', node: 'amd-node' });
    // on the arm64 node alone, amd64 is the emulated one, and $BUILDPLATFORM is arm64
    const armOnly: RunContext = { ...ctx, nodeFor: () => arm };
    expect(stepRun(step('[linux/amd64 build 4/4] RUN go build', 'linux/amd64'), armOnly).kind).toBe('emulated');
    expect(stepRun(step('[cross 3/3] RUN go build', 'linux/amd64'), armOnly)).toMatchObject({ kind: 'cross', on: 'linux/arm64' });
  });

  it('works without a Dockerfile: RUN is read from the name', () => {
    const bare: RunContext = { nodeFor: () => amd64Node() };
    expect(stepRun(step('[linux/arm64 stage-1 2/2] RUN make', 'linux/arm64'), bare)).toMatchObject({ kind: 'emulated', runs: true });
    expect(stepRun(step('[linux/arm64 stage-1 1/2] COPY . .', 'linux/arm64'), bare)).toMatchObject({ kind: 'native', runs: false });
    expect(stepRun(step('[linux/arm64 stage-1 2/2] RUN make', 'linux/arm64'), bare).line).toBeUndefined();
  });
});
