import { describe, expect, it } from 'vitest';
import { analyzeDockerfile, applyEdits, type DockerfileFinding } from './index';

const at = (text: string, platforms?: string[]) =>
  analyzeDockerfile(text, platforms ? { platforms } : {}).findings.map((f) => `${f.rule}@${f.line}`);
const one = (text: string, rule: string, platforms?: string[]): DockerfileFinding => {
  const f = analyzeDockerfile(text, platforms ? { platforms } : {}).findings.find((x) => x.rule === rule);
  if (!f) throw new Error(`no ${rule} in ${JSON.stringify(analyzeDockerfile(text).findings.map((x) => x.rule))}`);
  return f;
};
const applied = (text: string, f: DockerfileFinding) => applyEdits(text, f.edits ?? []);

describe('BuildKit stage semantics', () => {
  it('a stage built FROM a $BUILDPLATFORM stage runs natively even with its own --platform, which is reported as ignored', () => {
    const text = 'FROM --platform=$BUILDPLATFORM golang:1.22 AS base\nFROM --platform=$TARGETPLATFORM base AS build\nRUN go build -o /app .\nFROM --platform=linux/arm64 base AS other\nFROM alpine\nCOPY --from=build /app /app\nCOPY --from=other /x /x';
    const a = analyzeDockerfile(text);
    expect(a.stages.map((s) => s.effectivePlatformKind)).toEqual(['build', 'build', 'build', 'none']);
    expect(a.findings.map((f) => `${f.rule}@${f.line}`)).toEqual(['redundant-target-platform@2', 'cross-compile-missing-target@3', 'ineffective-from-platform@4']);
    const ignored = one(text, 'ineffective-from-platform');
    expect(applied(text, ignored).split('\n')[3]).toBe('FROM base AS other');
    // The fix for compiling is never the flag on a FROM that names a stage.
    expect(a.findings.every((f) => !(f.suggestion ?? '').includes('--platform=$BUILDPLATFORM base'))).toBe(true);
  });

  it('resolves a stage chosen by an expression for every requested platform', () => {
    const text = [
      'FROM --platform=$BUILDPLATFORM alpine AS tool-amd64',
      'FROM --platform=$BUILDPLATFORM alpine AS tool-arm64',
      'FROM tool-$TARGETARCH AS builder',
      'RUN make -j4',
      'FROM alpine',
      'COPY --from=builder /out /out',
    ].join('\n');
    const a = analyzeDockerfile(text, { platforms: ['linux/amd64', 'linux/arm64'] });
    expect(a.stages[2]).toMatchObject({ parentCandidates: [0, 1], effectivePlatformKind: 'build' });
    expect(a.findings.map((f) => f.rule)).toEqual(['cross-compile-ok']);
    // A platform whose candidate is a per-target stage makes the choice mixed.
    const mixed = analyzeDockerfile(text.replace('FROM --platform=$BUILDPLATFORM alpine AS tool-arm64', 'FROM alpine AS tool-arm64'), { platforms: ['linux/amd64', 'linux/arm64'] });
    expect(mixed.stages[2]?.effectivePlatformKind).toBe('variable');
  });

  it('per-architecture stages pinned to their own platform are deliberate (BuildKit exempts names with the architecture)', () => {
    const text = 'FROM --platform=linux/amd64 alpine AS build_amd64\nFROM --platform=linux/arm64 alpine AS build_arm64\nFROM build_${TARGETARCH} AS build\nRUN echo hi';
    expect(at(text)).toEqual([]);
    expect(analyzeDockerfile(text).stages[2]?.effectivePlatformKind).toBe('none');
  });

  it('ARG values carry into the stages built FROM that stage, and so do pins', () => {
    const text = 'FROM alpine AS base\nARG ARCH=amd64\nFROM base\nRUN wget https://x/tool-$ARCH';
    expect(at(text)).toEqual(['pinned-arch-arg@2']);
    expect(one(text, 'pinned-arch-arg').message).toContain('RUN line 4');
  });

  it('names the BuildKit checks it matches', () => {
    const f = analyzeDockerfile('FROM --platform=linux/amd64 alpine AS a\nFROM --platform=$TARGETPLATFORM alpine\nCOPY $TARGETARCH /x\nCOPY --from=a /a /a').findings;
    expect(f.map((x) => [x.rule, x.buildkitCheck])).toEqual([
      ['constant-from-platform', 'FromPlatformFlagConstDisallowed'],
      ['redundant-target-platform', 'RedundantTargetPlatform'],
      ['undeclared-platform-arg', 'UndefinedVar'],
    ]);
  });

  it('reports $BUILDPLATFORM on the final stage, with the flag removed as the rewrite', () => {
    const text = 'FROM --platform=$BUILDPLATFORM nginx:1.27\nCOPY a /a';
    const f = one(text, 'final-stage-build-platform');
    expect(f.buildkitCheck).toBeUndefined();
    expect(applied(text, f)).toBe('FROM nginx:1.27\nCOPY a /a');
  });

  it('a flag given with a space instead of = is a parse error, as in BuildKit', () => {
    expect(at('FROM --platform linux/amd64 alpine')).toContain('parse-error@1');
  });
});

describe('pinned architecture ARG defaults', () => {
  it('a default on a platform arg replaces the real value: the rewrite drops it', () => {
    const text = 'FROM golang AS b\nARG TARGETOS=linux\nARG TARGETARCH=amd64\nRUN GOARCH=$TARGETARCH go build -o /o .\nFROM alpine\nCOPY --from=b /o /o';
    const f = one(text, 'pinned-arch-arg');
    expect(f.line).toBe(3);
    expect(applied(text, f).split('\n')[2]).toBe('ARG TARGETARCH');
  });

  it('a Docker-spelled default becomes ${TARGETARCH}, declared first in a stage', () => {
    const text = 'ARG ARCH="amd64"\nFROM quay.io/prometheus/busybox-linux-${ARCH}:latest\nARG ARCH="amd64"\nCOPY .build/linux-${ARCH}/app /bin/app';
    const a = analyzeDockerfile(text);
    expect(a.findings.map((f) => `${f.rule}@${f.line}`)).toEqual(['pinned-arch-arg@1', 'pinned-arch-arg@3']);
    const fixed = applyEdits(text, a.findings.flatMap((f) => f.edits ?? []));
    expect(fixed).toBe('ARG ARCH=${TARGETARCH}\nFROM quay.io/prometheus/busybox-linux-${ARCH}:latest\nARG TARGETARCH\nARG ARCH=${TARGETARCH}\nCOPY .build/linux-${ARCH}/app /bin/app');
    expect(analyzeDockerfile(fixed).findings).toEqual([]);
  });

  it('another spelling used only in RUN is mapped from TARGETARCH in each RUN', () => {
    const text = 'FROM alpine\nARG ARCH=x86_64\nRUN wget https://x/tool-${ARCH}.tgz';
    const f = one(text, 'pinned-arch-arg', ['linux/amd64', 'linux/arm64']);
    const fixed = applied(text, f);
    expect(fixed).toContain('ARG TARGETARCH\nARG ARCH\n');
    expect(fixed).toContain('amd64) ARCH=x86_64 ;;');
    expect(fixed).toContain('arm64) ARCH=aarch64 ;;');
    expect(analyzeDockerfile(fixed).findings).toEqual([]);
  });

  it('an official-image namespace from an ARG gets no mechanical rewrite (arm64 is arm64v8 there)', () => {
    const f = one('ARG ARCH=amd64\nFROM ${ARCH}/alpine:3\nRUN true', 'pinned-arch-arg');
    expect(f.edits).toBeUndefined();
  });

  it('a default derived from TARGETARCH, or an unused pin, is not reported', () => {
    expect(at('FROM alpine\nARG TARGETARCH\nARG ARCH=${TARGETARCH}\nRUN echo $ARCH')).toEqual([]);
    expect(at('ARG TARGETARCH=${TARGETARCH:-amd64}\nFROM alpine:${TARGETARCH}')).toEqual([]);
  });
});

describe('architecture in a base image name', () => {
  it('an official per-architecture repository becomes the multi-platform image', () => {
    const text = 'FROM arm64v8/alpine:3.20\nRUN true';
    const f = one(text, 'arch-in-base-image');
    expect(f.buildkitCheck).toBe('InvalidBaseImagePlatform');
    expect(applied(text, f)).toBe('FROM alpine:3.20\nRUN true');
    expect(applied('FROM docker.io/amd64/ubuntu:24.04', one('FROM docker.io/amd64/ubuntu:24.04', 'arch-in-base-image'))).toBe('FROM docker.io/library/ubuntu:24.04');
  });

  it('a Docker-spelled tag gets ${TARGETARCH}; another spelling is reported without a rewrite', () => {
    expect(applied('FROM example/tool:1.0-amd64', one('FROM example/tool:1.0-amd64', 'arch-in-base-image'))).toBe('FROM example/tool:1.0-${TARGETARCH}');
    expect(one('FROM example/tool:1.0-x86_64', 'arch-in-base-image').edits).toBeUndefined();
  });

  it('a stage pinned to that platform on purpose, or another registry path, is not an official namespace', () => {
    expect(at('FROM --platform=linux/arm64 arm64v8/alpine AS tools\nRUN true')).toEqual(['constant-from-platform@1']);
    expect(at('FROM ghcr.io/example/amd64tools:1\nRUN true')).toEqual([]);
  });

  it("reads the reference with Docker's rules: which registry it names, which part is the tag, what a digest pins", () => {
    // Docker Hub spelled out in any of its names keeps that spelling, with `library/` where Docker needs it.
    expect(applied('FROM index.docker.io/arm32v7/debian:12', one('FROM index.docker.io/arm32v7/debian:12', 'arch-in-base-image'))).toBe('FROM index.docker.io/library/debian:12');
    expect(applied('FROM amd64/ubuntu', one('FROM amd64/ubuntu', 'arch-in-base-image'))).toBe('FROM ubuntu');
    // Another registry has no official namespaces: its `amd64/` is an ordinary word of the path.
    const mirror = one('FROM mirror.example:5000/amd64/ubuntu:24.04', 'arch-in-base-image');
    expect(mirror.message).toContain('names amd64 (`amd64`)');
    expect(applied('FROM mirror.example:5000/amd64/ubuntu:24.04', mirror)).toBe('FROM mirror.example:5000/${TARGETARCH}/ubuntu:24.04');
    // A registry host is never rewritten, even when it spells an architecture; an IPv6 host with a port is a host.
    expect(applied('FROM amd64.example.com/tool:1-amd64', one('FROM amd64.example.com/tool:1-amd64', 'arch-in-base-image'))).toBe('FROM amd64.example.com/tool:1-${TARGETARCH}');
    expect(at('FROM arm64.example.com/tool:1\nRUN true')).toEqual([]);
    expect(applied('FROM [::1]:5000/tool:arm64', one('FROM [::1]:5000/tool:arm64', 'arch-in-base-image'))).toBe('FROM [::1]:5000/tool:${TARGETARCH}');
    // A digest pins that architecture's manifest: reported, never rewritten around it.
    const digest = `sha256:${'a'.repeat(64)}`;
    for (const text of [`FROM arm64v8/alpine:3.20@${digest}`, `FROM example/tool:1.0-amd64@${digest}`]) {
      const f = one(text, 'arch-in-base-image');
      expect(f.edits, text).toBeUndefined();
      expect(f.why, text).toContain('The digest pins the');
    }
    // Text that is no image reference is left to BuildKit's own error.
    expect(at('FROM Arm64v8/Alpine\nRUN true')).toEqual([]);
  });

  it('references with variables: judged by an ARG default, never by a value given only at build time', () => {
    // A default completes the image: judged as the image it makes, with no rewrite (the FROM line is not all of it).
    const byDefault = one('ARG IMAGE=example/tool\nFROM ${IMAGE}:1.0-amd64\nRUN true', 'arch-in-base-image');
    expect([byDefault.line, byDefault.subject, byDefault.edits]).toEqual([2, 'example/tool:1.0-amd64', undefined]);
    const official = one('ARG BASE=arm64v8/alpine\nFROM ${BASE}:3.20\nRUN true', 'arch-in-base-image');
    expect([official.line, official.subject, official.edits]).toEqual([2, 'arm64v8/alpine:3.20', undefined]);
    // A default that is an architecture word is a pinned architecture, reported once, at its ARG.
    expect(at('ARG TAG=1.0-amd64\nFROM example/tool:${TAG}\nRUN true')).toEqual(['pinned-arch-arg@1']);
    // No default: the image is chosen with --build-arg, whatever the rest of the text says.
    expect(at('ARG BASE\nFROM ${BASE}:3.20\nRUN true')).toEqual([]);
    expect(at('ARG REGISTRY\nFROM ${REGISTRY}/tool-amd64:1\nRUN true')).toEqual([]);
    // A platform arg, directly or through a default, chooses the image per platform.
    expect(at('FROM example/tool:1.0-${TARGETARCH}\nRUN true')).toEqual([]);
    expect(at('ARG TAG=1.0-${TARGETARCH}\nFROM example/tool:${TAG}\nRUN true')).toEqual([]);
  });
});

describe('coverage across a stage', () => {
  const bundle = 'FROM alpine\nCOPY dist/tool-linux-amd64 /opt/tool/amd64/tool\nCOPY dist/tool-linux-arm64 /opt/tool/arm64/tool\n';
  it('instructions that together cover every requested architecture are not findings', () => {
    expect(at(bundle, ['linux/amd64', 'linux/arm64'])).toEqual([]);
  });

  it('a stage that covers only some is one finding listing the missing platforms', () => {
    const f = analyzeDockerfile(bundle, { platforms: ['linux/amd64', 'linux/arm64', 'linux/riscv64', 'linux/s390x'] }).findings;
    expect(f.map((x) => [x.rule, x.line, x.platforms])).toEqual([['arch-coverage', 2, ['linux/riscv64', 'linux/s390x']]]);
  });

  it('a case whose default branch fails is checked against the requested platforms', () => {
    const text = 'FROM debian\nRUN arch="$(dpkg --print-architecture)"; case "$arch" in amd64) a=x86_64 ;; arm64) a=aarch64 ;; *) echo unsupported; exit 1 ;; esac; wget https://x/t-$a';
    expect(at(text, ['linux/amd64', 'linux/arm64'])).toEqual([]);
    expect(at(text, ['linux/amd64', 'linux/arm/v7'])).toEqual(['arch-coverage@2']);
    // A default that goes on (build from source, skip) covers everything.
    expect(at(text.replace('exit 1', 'exit 0'), ['linux/amd64', 'linux/arm/v7'])).toEqual([]);
  });
});

describe('rewrites of hard-coded architectures', () => {
  it('changes a download and its checksum together, with the other checksums to fill in', () => {
    const sum = 'a'.repeat(64);
    const text = `FROM alpine\nRUN wget -O /t.tgz https://x/tool-linux-amd64.tgz \\\n && echo "${sum}  /t.tgz" | sha256sum -c -`;
    const f = one(text, 'hardcoded-arch', ['linux/amd64', 'linux/arm64']);
    const fixed = applied(text, f);
    expect(fixed).toContain(`amd64) SHA=${sum} ;;`);
    expect(fixed).toContain("arm64) SHA='<checksum for arm64>' ;;");
    expect(fixed).toContain('tool-linux-${TARGETARCH}.tgz');
    expect(fixed).toContain('echo "${SHA}  /t.tgz"');
    expect(f.message).toContain('fill in the published checksum for arm64');
    expect(analyzeDockerfile(fixed).findings).toEqual([]);
  });

  it('maps x86_64 at the top of a heredoc script', () => {
    const text = 'FROM alpine\nRUN <<EOF\n#!/bin/sh\nset -e\nwget https://x/tool-x86_64\nEOF';
    const fixed = applied(text, one(text, 'hardcoded-arch'));
    expect(fixed.split('\n').slice(0, 6)).toEqual(['FROM alpine', 'ARG TARGETARCH', 'RUN <<EOF', '#!/bin/sh', 'case "${TARGETARCH}" in', '  amd64) ARCH=x86_64 ;;']);
    expect(analyzeDockerfile(fixed).findings).toEqual([]);
  });

  it('a tool for the build machine uses BUILDARCH', () => {
    const text = 'FROM --platform=$BUILDPLATFORM alpine AS protoc\nRUN wget https://x/protoc-linux-amd64 -O /usr/bin/protoc\nFROM --platform=$BUILDPLATFORM golang AS gen\nCOPY --from=protoc /usr/bin/protoc /usr/bin/protoc\nRUN protoc --go_out=. api.proto\nFROM alpine\nCOPY --from=gen /src /src';
    const f = one(text, 'hardcoded-arch');
    expect(f.suggestion).toContain('protoc-linux-${BUILDARCH}');
    expect(f.why).toContain('BUILDARCH');
  });

  it('a compiler run in a build-machine stage read only by build-machine stages needs no target', () => {
    const text = 'FROM --platform=$BUILDPLATFORM golang AS gen\nRUN go build -o /gen ./cmd/gen\nFROM --platform=$BUILDPLATFORM golang AS build\nCOPY --from=gen /gen /gen\nARG TARGETOS TARGETARCH\nRUN /gen && GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /app .\nFROM alpine\nCOPY --from=build /app /app';
    expect(at(text).filter((r) => r.startsWith('cross-compile-missing'))).toEqual([]);
  });

  it('PowerShell RUN steps get no POSIX rewrite, and the advice says so', () => {
    const text = 'FROM alpine\nSHELL ["pwsh", "-Command"]\nRUN Invoke-WebRequest https://x/tool-amd64.zip';
    expect(at(text)).toEqual(['not-covered@3']);
  });

  it('Windows stages are said to be outside the advice, with the escape directive honoured', () => {
    const text = '# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN curl.exe -o tool.zip https://x/tool-amd64.zip `\n  && tar -xf tool.zip';
    const a = analyzeDockerfile(text);
    expect(a.escapeChar).toBe('`');
    expect(a.stages[0]).toMatchObject({ windows: true, shell: 'cmd' });
    expect(a.findings.map((f) => f.rule)).toEqual(['not-covered']);
  });

  it('compiling Go without cgo under QEMU is rewritten to cross-compile on $BUILDPLATFORM', () => {
    const text = 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /app .\nFROM alpine\nCOPY --from=build /app /app';
    const fixed = applied(text, one(text, 'compile-under-emulation'));
    expect(fixed.split('\n')).toEqual([
      'FROM --platform=$BUILDPLATFORM golang:1.22 AS build',
      'WORKDIR /src',
      'COPY . .',
      'ARG TARGETOS TARGETARCH',
      'RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /app .',
      'FROM alpine',
      'COPY --from=build /app /app',
    ]);
    expect(at(fixed)).toEqual(['cross-compile-ok@1']);
  });
});

describe('inline suppression', () => {
  it('silences the named rule for the next instruction only, and lists it as suppressed', () => {
    const text = 'FROM alpine\n# bundle for the amd64 edge devices only\n# multiarch-ignore: hardcoded-arch\nRUN wget https://x/tool-amd64\nRUN wget https://x/other-amd64';
    const a = analyzeDockerfile(text);
    expect(a.findings.map((f) => `${f.rule}@${f.line}`)).toEqual(['hardcoded-arch@5']);
    expect(a.suppressed.map((f) => `${f.rule}@${f.line}`)).toEqual(['hardcoded-arch@4']);
  });

  it('an unknown rule id is reported with the fix for a typo', () => {
    const text = 'FROM alpine\n# multiarch-ignore: hardcoded-archs\nRUN wget https://x/tool-amd64';
    const a = analyzeDockerfile(text);
    const f = a.findings.find((x) => x.rule === 'unknown-suppression');
    expect(f?.message).toContain('did you mean `hardcoded-arch`');
    expect(analyzeDockerfile(applied(text, f!)).suppressed.map((x) => x.rule)).toEqual(['hardcoded-arch']);
  });
});

describe('applyEdits', () => {
  it('keeps CRLF line ends and a byte-order mark, and refuses overlapping edits', () => {
    expect(applyEdits('\uFEFFa\r\nb\r\nc', [{ line: 2, endLine: 2, text: 'x\ny' }])).toBe('\uFEFFa\r\nx\r\ny\r\nc');
    expect(() => applyEdits('a\nb', [{ line: 1, endLine: 2, text: '' }, { line: 2, endLine: 2, text: '' }])).toThrow(/overlaps/);
    expect(() => applyEdits('a', [{ line: 3, endLine: 3, text: '' }])).toThrow(/does not fit/);
    expect(() => applyEdits('a\nb', [{ line: 2, endLine: 2, text: 'c', before: 'x' }])).toThrow(/no longer what the rewrite was made for/);
    expect(applyEdits('a\nb', [{ line: 2, endLine: 2, text: 'c', before: 'b' }])).toBe('a\nc');
  });
});
