import { describe, expect, it } from 'vitest';
import {
  analyzeDockerfile,
  expandDockerfileWord,
  hoverAt,
  PREDEFINED_ARG_NAMES,
  PREDEFINED_ARGS,
} from './index';
import { findArchWords } from './arch';
import { analyzeShell, lexShell } from './shell';
import { findToolchains } from './toolchains';
import { isArchSource } from './arch';

const rulesAndLines = (text: string) => analyzeDockerfile(text).findings.map((f) => `${f.rule}@${f.line}`);

describe('hard-coded architecture: what is and is not flagged', () => {
  const cases: Array<[string, string, string[]]> = [
    ['an architecture in the FROM image name is its own rule', 'FROM example/tool:1.0-amd64\nRUN true', ['arch-in-base-image@1']],
    ['arm64v8 namespace is not an arch word', 'FROM alpine\nRUN echo arm64v8/alpine', []],
    ['linux_386 counts, a bare 386 does not', 'FROM alpine\nRUN curl -O https://x/t_linux_386.tgz && echo 386', ['hardcoded-arch@2']],
    ['an ARG default that pins an architecture is reported at the ARG, not where it is used', 'FROM alpine\nARG ARCH=amd64\nRUN echo $ARCH', ['pinned-arch-arg@2']],
    ['an unused pinned ARG is not reported', 'FROM alpine\nARG ARCH=amd64\nRUN true', []],
    ['LABEL is not scanned', 'FROM alpine\nLABEL arch=amd64', []],
    ['--add-architecture is deliberate', 'FROM debian\nRUN dpkg --add-architecture i386 && apt-get update', []],
    ['TARGETARCH default in a parameter expansion is a mapping', 'FROM alpine\nARG TARGETARCH\nRUN echo ${TARGETARCH:-amd64}', []],
    ['multiarch lib path is pinned', 'FROM debian\nENV LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu', ['hardcoded-arch@2']],
    [
      'an assignment from uname makes the variable a mapping source in later RUNs',
      'FROM debian\nRUN echo "A=$(uname -m)" > /env\nRUN A=$(uname -m); case "$A" in x86_64) echo 1;; esac',
      [],
    ],
    [
      'several architectures in one command are handled deliberately',
      'FROM alpine\nRUN docker buildx build --platform linux/amd64,linux/arm64 .',
      [],
    ],
    ['one command pinned, the next derived', 'FROM alpine\nARG TARGETARCH\nRUN curl https://x/amd64/t && echo $TARGETARCH', ['hardcoded-arch@3']],
    ['single-quoted shell text still counts', "FROM alpine\nRUN sh -c 'curl https://x/tool-aarch64'", ['hardcoded-arch@2']],
    ['case on an unrelated variable does not excuse', 'FROM alpine\nRUN case "$MODE" in a) wget https://x/tool-x86_64 ;; esac', ['hardcoded-arch@2']],
    [
      'if on an unrelated condition does not excuse',
      'FROM alpine\nRUN if [ -n "$CI" ]; then wget https://x/tool-x86_64; fi',
      ['hardcoded-arch@2'],
    ],
    [
      'nested if inside an arch case is excused',
      'FROM alpine\nARG TARGETARCH\nRUN case "$TARGETARCH" in amd64) if [ -n "$X" ]; then A=x86_64; fi ;; esac',
      [],
    ],
    [
      'cross toolchain names in a per-target stage are flagged, in a $BUILDPLATFORM stage they are not',
      'FROM debian AS a\nRUN apt-get install -y gcc-aarch64-linux-gnu\nFROM --platform=$BUILDPLATFORM debian AS b\nRUN apt-get install -y gcc-aarch64-linux-gnu\nFROM a',
      ['hardcoded-arch@2'],
    ],
    [
      'a $BUILDPLATFORM stage downloading a build tool for one arch is flagged',
      'FROM --platform=$BUILDPLATFORM alpine AS tools\nRUN wget https://x/protoc-linux-x86_64.zip\nFROM alpine',
      ['hardcoded-arch@2'],
    ],
    ['ARG derived from TARGETARCH is a source', 'FROM alpine\nARG TARGETARCH\nARG A=${TARGETARCH}\nRUN [ "$A" = amd64 ] && echo x86_64', []],
    ['words inside a RUN --mount flag are not scanned', 'FROM alpine\nRUN --mount=type=cache,id=cache-amd64,target=/c true', []],
    ['ADD with TARGETARCH is fine', 'FROM alpine\nARG TARGETARCH\nADD https://x/tool-${TARGETARCH}.tgz /t/', []],
    ['COPY --from image tag flag is not scanned', 'FROM alpine\nCOPY --from=example/bins:amd64 /b /b', []],
    ['a shell test that is not JSON stays shell form', 'FROM alpine\nRUN [ -f /etc/x ] && wget https://x/tool-x86_64', ['hardcoded-arch@2']],
    ['a shell test on TARGETARCH guards its and-or list', 'FROM alpine\nARG TARGETARCH\nRUN [ "$TARGETARCH" = amd64 ] && wget https://x/tool-x86_64', []],
    ['the final stage may be scratch on $BUILDPLATFORM', 'FROM --platform=$BUILDPLATFORM scratch\nCOPY a /a', []],
    ["platform args in a RUN --mount flag must be declared", 'FROM alpine\nRUN --mount=type=cache,id=c-$TARGETARCH,target=/c true', ['undeclared-platform-arg@2']],
    ['backslash continuation joins words across lines', 'FROM alpine\nRUN echo tool-x86\\\n_64', ['hardcoded-arch@2']],
  ];
  for (const [name, text, expected] of cases) {
    it(name, () => expect(rulesAndLines(text)).toEqual(expected));
  }

  it('reports one finding per instruction, at its first word, over all its lines', () => {
    const a = analyzeDockerfile('FROM alpine\nRUN wget https://x/amd64/tool-amd64 \\\n && wget https://x/amd64.tgz');
    expect(a.findings.map((f) => [f.line, f.column, f.endLine, f.subject])).toEqual([[2, 20, 3, 'amd64']]);
  });
});

describe('args used in a stage', () => {
  const cases: Array<[string, string, string[]]> = [
    ['ENV inherited from the parent stage counts', 'ARG VERSION=1\nFROM alpine AS base\nENV VERSION=1 TARGETARCH=x\nFROM base\nRUN echo $VERSION $TARGETARCH', []],
    // BuildKit copies the base stage's build args into the stage built on it (dockerfile2llb: ds.init).
    ['ARG carries over to a stage built FROM that stage', 'FROM alpine AS base\nARG TARGETARCH\nFROM base\nRUN echo $TARGETARCH', []],
    ['ARG does not carry over to a stage that only copies from it', 'FROM alpine AS base\nARG TARGETARCH\nFROM alpine\nCOPY --from=base /a /a\nRUN echo $TARGETARCH', ['undeclared-platform-arg@5']],
    ['a variable the script assigns itself is not an arg', 'FROM alpine\nRUN TARGETARCH=$(dpkg --print-architecture); echo $TARGETARCH', []],
    ['CMD runs later and is not checked', 'FROM alpine\nCMD echo $TARGETARCH', []],
    ['FROM lines see the global scope', 'ARG TAG=1\nFROM example/app:${TAG}-$TARGETARCH', []],
    ['an ARG default that reads an undeclared platform arg', 'FROM alpine\nARG GOARCH=$TARGETARCH', ['undeclared-platform-arg@2']],
    ['WORKDIR expands args too', 'FROM alpine\nWORKDIR /src/${BUILDOS}', ['undeclared-platform-arg@2']],
  ];
  for (const [name, text, expected] of cases) {
    it(name, () => expect(rulesAndLines(text)).toEqual(expected));
  }
});

describe('suggestions', () => {
  it('rewrites a Docker-spelled word with ${TARGETARCH} and adds the ARG when missing', () => {
    const f = analyzeDockerfile('FROM alpine\nRUN wget https://x/yq_linux_amd64 \\\n && chmod +x yq_linux_amd64').findings;
    expect(f[0]?.suggestion).toBe(
      'ARG TARGETARCH\nRUN wget https://x/yq_linux_${TARGETARCH} \\\n && chmod +x yq_linux_${TARGETARCH}',
    );
  });

  it('wraps the whole RUN in a case mapping for other spellings, keeping flags and continuation lines', () => {
    const f = analyzeDockerfile('FROM alpine\nARG TARGETARCH\nRUN --mount=type=cache,target=/c wget https://x/t-aarch64.tgz \\\n && tar -xzf t-*.tgz').findings;
    expect(f[0]?.suggestion).toBe(
      [
        'RUN --mount=type=cache,target=/c case "${TARGETARCH}" in \\',
        '        amd64) ARCH=x86_64 ;; \\',
        '        arm64) ARCH=aarch64 ;; \\',
        '        *)     echo "unsupported architecture: ${TARGETARCH}" >&2; exit 1 ;; \\',
        '    esac && \\',
        '    wget https://x/t-${ARCH}.tgz \\',
        ' && tar -xzf t-*.tgz',
      ].join('\n'),
    );
  });

  it('maps arm spellings for Debian and uses the escape directive for continuations', () => {
    const f = analyzeDockerfile('# escape=`\nFROM debian\nRUN apt-get download libfoo:armhf').findings;
    expect(f[0]?.suggestion).toContain('arm)   ARCH=armhf ;; `');
    expect(f[0]?.suggestion).toContain('apt-get download libfoo:${ARCH}');
  });
});

describe('predefined args and hover', () => {
  it('explains all eight predefined args with examples', () => {
    expect(PREDEFINED_ARG_NAMES).toHaveLength(8);
    for (const name of PREDEFINED_ARG_NAMES) {
      const arg = PREDEFINED_ARGS[name];
      expect(arg.name).toBe(name);
      expect(arg.examples.length).toBeGreaterThan(0);
      expect(arg.hover).toContain(`**${name}**`);
      expect(arg.hover).toContain('ARG NAME');
    }
    expect(PREDEFINED_ARGS.TARGETARCH.hover).toContain('amd64→x86_64');
  });

  it('finds the arg under the cursor, in FROM flags, ARG lines and expansions', () => {
    const a = analyzeDockerfile('FROM --platform=$BUILDPLATFORM golang AS b\nARG TARGETOS TARGETARCH\nRUN GOARCH=${TARGETARCH} go build\n');
    expect(hoverAt(a, 1, 18)?.arg.name).toBe('BUILDPLATFORM');
    expect(hoverAt(a, 1, 17)).toBeUndefined(); // the `$`
    expect(hoverAt(a, 2, 5)?.arg.name).toBe('TARGETOS');
    expect(hoverAt(a, 2, 14)?.arg.name).toBe('TARGETARCH');
    expect(hoverAt(a, 3, 14)?.ref).toEqual({ name: 'TARGETARCH', line: 3, column: 14, endColumn: 24 });
    expect(hoverAt(a, 3, 2)).toBeUndefined();
    expect(hoverAt(a, 9, 1)).toBeUndefined();
  });
});

describe('stages and args', () => {
  it('records stages, platforms, args and references', () => {
    const a = analyzeDockerfile(
      [
        'ARG BASE=alpine',
        'ARG A=1 B',
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS Build',
        'ARG TARGETOS TARGETARCH V="x y"',
        'RUN --mount=type=bind,from=example/src:1,target=/s go build',
        'FROM build AS test',
        'FROM ${BASE}',
        'COPY --from=build /a /a',
      ].join('\n'),
    );
    expect(a.globalArgs).toEqual([
      { name: 'BASE', default: 'alpine', line: 1 },
      { name: 'A', default: '1', line: 2 },
      { name: 'B', line: 2 },
    ]);
    const [build, test, last] = a.stages;
    expect(build).toMatchObject({ index: 0, name: 'build', line: 3, endLine: 5, platformKind: 'build', toolchains: ['go'] });
    expect(build?.args).toEqual([
      { name: 'TARGETOS', line: 4 },
      { name: 'TARGETARCH', line: 4 },
      { name: 'V', default: 'x y', line: 4 },
    ]);
    expect(build?.references).toEqual([
      { source: 'from', ref: 'golang:1.22', line: 3 },
      { source: 'mount-from', ref: 'example/src:1', line: 5 },
    ]);
    expect(test).toMatchObject({ parentStage: 0, platformKind: 'none', effectivePlatformKind: 'build' });
    expect(last).toMatchObject({ image: '${BASE}', references: [{ source: 'from', ref: '${BASE}', line: 7 }, { source: 'copy-from', ref: 'build', line: 8 }] });
    expect(last?.name).toBeUndefined();
  });

  it('classifies --platform values, resolving global ARG defaults', () => {
    const kinds = analyzeDockerfile(
      [
        'ARG P1=linux/arm64',
        'ARG P2=$BUILDPLATFORM',
        'ARG P3',
        'FROM --platform=${TARGETPLATFORM} a',
        'FROM --platform=$P1 b',
        'FROM --platform=$P2 c',
        'FROM --platform=$P3 d',
        'FROM --platform=${BUILDOS}/${BUILDARCH} e',
        'FROM f',
      ].join('\n'),
    ).stages.map((s) => s.platformKind);
    expect(kinds).toEqual(['target', 'constant', 'build', 'variable', 'build', 'none']);
  });
});

describe('shell lexer', () => {
  it('keeps quotes, substitutions and comments apart', () => {
    const { tokens, comments } = lexShell('echo "a b" $(echo "c;d") `x` # note\nfoo&&bar|baz; qux');
    expect(tokens.map((t) => t.text)).toEqual(['echo', '"a b"', '$(echo "c;d")', '`x`', '\n', 'foo', '&&', 'bar', '|', 'baz', ';', 'qux']);
    expect(comments).toHaveLength(1);
  });

  it('never throws on unbalanced input', () => {
    for (const s of ['"', "'", '$(', '${', '`', 'case x in', 'if then', '\\', '<<<', 'a=$((1+', ')))']) {
      expect(() => analyzeShell(s, new Set(), { isArchSource: () => true, archCount: () => 0 })).not.toThrow();
    }
  });

  it('finds compile commands by command position only', () => {
    expect(findToolchains('apt-get install -y gcc make && make -j4 && echo go build').map((t) => [t.toolchain, t.command])).toEqual([
      ['c', 'make -j4'],
    ]);
    expect(findToolchains('CGO_ENABLED=0 GOOS=linux go build ./... | tee log; sudo cargo +nightly build; /usr/bin/x86_64-linux-gnu-gcc -c a.c').map((t) => t.toolchain)).toEqual(['go', 'rust', 'c']);
    expect(findToolchains('mvn -B package; ./gradlew --no-daemon bootJar; dotnet restore; yarn; pnpm install').map((t) => t.toolchain)).toEqual([
      'java',
      'java',
      'node',
      'node',
    ]);
  });
});

describe('architecture words and sources', () => {
  it('matches spellings with non-alphanumeric neighbours', () => {
    expect(findArchWords('tool_linux_amd64.tgz x86_64-linux-gnu armv7l arm64v8 0x64 linux-x64 linux/386 ppc64el').map((m) => m.text)).toEqual([
      'amd64',
      'x86_64',
      'armv7l',
      'x64',
      '386',
      'ppc64el',
    ]);
  });

  it('recognises platform args, derived variables and runtime probes', () => {
    const derived = new Set(['MYARCH']);
    for (const s of ['$TARGETARCH', '${BUILDARCH}', '${TARGETPLATFORM#linux/}', '$MYARCH', '$(uname -m)', '`uname -m`', '$(dpkg --print-architecture)', '$(apk --print-arch)', '$(arch)']) {
      expect(isArchSource(s, derived), s).toBe(true);
    }
    for (const s of ['$TARGETOS', 'uname -s', '$ARCH', 'archive.tgz']) expect(isArchSource(s, derived), s).toBe(false);
  });
});

describe('expandDockerfileWord', () => {
  const vars: Record<string, string> = { A: 'alpine', T: '3.20', E: '', P: 'linux/arm64' };
  const look = (n: string) => vars[n];
  const cases: Array<[string, string, string[]?]> = [
    ['$A:${T}', 'alpine:3.20'],
    ['${MISSING:-x}', 'x'],
    ['${E:-x}', 'x'],
    ['${E-x}', ''],
    ['${A:+set}', 'set'],
    ['${MISSING:+set}', ''],
    ['${P#linux/}', 'arm64'],
    ['${P##*/}', 'arm64'],
    ['${P%/*}', 'linux'],
    ['${A/al/AL}', 'ALpine'],
    ['"$A" \'$A\'', 'alpine $A'],
    ['\\$A', '$A'],
    ['${MISSING}x', 'x', ['MISSING']],
    ['${N:-${A}}', 'alpine'],
  ];
  for (const [input, value, unresolved = []] of cases) {
    it(input, () => expect(expandDockerfileWord(input, look)).toEqual({ value, unresolved }));
  }
  it('honours the backtick escape', () => expect(expandDockerfileWord('`$A', look, '`').value).toBe('$A'));
});

describe('robustness', () => {
  // Mutated and generated inputs are in fuzz.test.ts; the time it takes is measured by `npm run bench`.
  it('accepts CRLF line ends and a byte-order mark', () => {
    const a = analyzeDockerfile('\uFEFFFROM alpine AS a\r\nRUN wget https://x/t-x86_64 \\\r\n  && true\r\n');
    expect(a.parseErrors).toEqual([]);
    expect(a.findings.map((f) => `${f.rule}@${f.line}:${f.column}`)).toEqual(['hardcoded-arch@2:22']);
  });

  it('analyses a large file with many stages and a long heredoc script', () => {
    const body = Array.from({ length: 3000 }, (_, i) => `if [ "$X" = ${i} ]; then echo "${i}" | grep -q x; fi`).join('\n');
    const stages = Array.from({ length: 50 }, (_, i) => `FROM alpine AS s${i}\nARG TARGETARCH\nRUN echo $TARGETARCH && \\\n  wget https://x/${i}-$TARGETARCH.tgz`).join('\n');
    const a = analyzeDockerfile(`${stages}\nRUN <<EOF\n${body}\nEOF\n`);
    expect(a.stages).toHaveLength(50);
    expect(a.findings).toEqual([]);
  });
});
