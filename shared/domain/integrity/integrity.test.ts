import { describe, expect, it } from 'vitest';
import { readStatement, attestationName } from './attestations';
import { checkFilesystem, searchPath } from './check';
import { compareConfig, compareFiles, comparePackages } from './compare';
import { describeElf, readElfHeader, readShebang, type ElfHeader } from './elf';
import { expectedElf, platformsOfElf } from './elf-arch';
import { ImageFilesystem } from './filesystem';
import { normalizePath, parseApkInstalled, parseDpkgStatus, whiteoutOf, type LayerFile } from './layer';
import { layerSteps, readableStep } from './steps';

/** The first 20 bytes of a real ELF header (e_ident, e_type, e_machine). */
function elfBytes(elfClass: 1 | 2, littleEndian: boolean, type: number, machine: number): Uint8Array {
  const b = new Uint8Array(64);
  b.set([0x7f, 0x45, 0x4c, 0x46, elfClass, littleEndian ? 1 : 2, 1]);
  const half = (at: number, v: number) => (littleEndian ? b.set([v & 0xff, v >> 8], at) : b.set([v >> 8, v & 0xff], at));
  half(16, type);
  half(18, machine);
  return b;
}

const X86_64: ElfHeader = { elfClass: 2, littleEndian: true, type: 2, machine: 0x3e };
const AARCH64: ElfHeader = { elfClass: 2, littleEndian: true, type: 3, machine: 0xb7 };
const file = (path: string, extra: Partial<LayerFile> = {}): LayerFile => ({ path, kind: 'file', size: 10, mode: 0o755, ...extra });
const layer = (files: LayerFile[], whiteouts: string[] = [], opaqueDirs: string[] = []) => ({ files, whiteouts, opaqueDirs });

describe('ELF header and #! line', () => {
  it('reads class, byte order, type and machine in both byte orders', () => {
    expect(readElfHeader(elfBytes(2, true, 3, 0xb7))).toEqual({ elfClass: 2, littleEndian: true, type: 3, machine: 0xb7 });
    expect(readElfHeader(elfBytes(2, false, 2, 0x16))).toEqual({ elfClass: 2, littleEndian: false, type: 2, machine: 0x16 });
    expect(readElfHeader(new TextEncoder().encode('#!/bin/sh\n'))).toBeUndefined();
    expect(readElfHeader(elfBytes(2, true, 2, 0x3e).subarray(0, 19))).toBeUndefined();
  });

  it('names machines as readelf does and maps them to platforms through the architecture table', () => {
    expect(describeElf(X86_64)).toBe('x86-64, 64-bit LSB');
    expect(describeElf({ elfClass: 2, littleEndian: false, machine: 0x16 })).toBe('IBM S/390, 64-bit MSB');
    expect(describeElf({ elfClass: 1, littleEndian: true, machine: 0x99 })).toBe('e_machine 0x99, 32-bit LSB');
    expect(platformsOfElf(X86_64)).toEqual(['linux/amd64']);
    expect(platformsOfElf({ elfClass: 1, littleEndian: true, machine: 0x28 })).toEqual(['linux/arm/v7', 'linux/arm/v6', 'linux/arm/v5']);
    expect(expectedElf('linux/arm64')).toEqual({ elfClass: 2, littleEndian: true, machine: 0xb7 });
    expect(expectedElf('linux/amd64/v3')).toEqual(expectedElf('linux/amd64'));
    expect(expectedElf('linux/arm/v5')).toEqual({ elfClass: 1, littleEndian: true, machine: 0x28 });
    expect(expectedElf('linux/s390x')).toEqual({ elfClass: 2, littleEndian: false, machine: 0x16 });
    expect(expectedElf('windows/amd64')).toBeUndefined();
    expect(expectedElf('linux/sparc64')).toBeUndefined();
  });

  it('reads the interpreter of a #! line, and the program env looks up', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(readShebang(enc('#!/bin/sh -e\necho'))).toEqual({ interpreter: '/bin/sh' });
    expect(readShebang(enc('#! /usr/bin/env -S python3 -u\n'))).toEqual({ interpreter: '/usr/bin/env', envProgram: 'python3' });
    expect(readShebang(enc('#!/usr/bin/env LANG=C node\n'))).toEqual({ interpreter: '/usr/bin/env', envProgram: 'node' });
    expect(readShebang(enc('# comment\n'))).toBeUndefined();
    expect(readShebang(enc('#!\n'))).toBeUndefined();
  });
});

describe('layers laid on top of each other', () => {
  it('normalises tar paths and reads whiteout markers', () => {
    expect(normalizePath('./usr/bin/')).toBe('usr/bin');
    expect(normalizePath('/a//b/../c')).toBe('a/c');
    expect(whiteoutOf('tmp/.wh.gone')).toEqual({ deleted: 'tmp/gone' });
    expect(whiteoutOf('opt/dir/.wh..wh..opq')).toEqual({ opaqueDir: 'opt/dir' });
    expect(whiteoutOf('usr/bin/tool')).toBeUndefined();
  });

  it('a file deleted by a later layer (whiteout or opaque folder) is gone; what the same layer adds stays', () => {
    const fs = new ImageFilesystem();
    fs.apply(0, layer([file('opt/foreign', { elf: X86_64 }), file('opt/dir/a', { elf: X86_64 }), file('keep', { elf: AARCH64 })]));
    fs.apply(1, layer([file('opt/dir/b', { elf: AARCH64 })], ['opt/foreign'], ['opt/dir']));
    const paths = [...fs.walk()].map((p) => p.path).sort();
    expect(paths).toEqual(['/keep', '/opt', '/opt/dir', '/opt/dir/b']);
    const verdict = checkFilesystem(fs, 'linux/arm64', [{ digest: 'sha256:l0' }, { digest: 'sha256:l1' }]);
    expect(verdict).toMatchObject({ status: 'clean', elfFiles: 2, regularFiles: 2, mismatchCount: 0 });
  });

  it('a whiteout of a folder removes what it held; a file over a folder replaces it', () => {
    const fs = new ImageFilesystem();
    fs.apply(0, layer([{ path: 'a', kind: 'dir', size: 0, mode: 0o755 }, file('a/x'), file('b/y')]));
    fs.apply(1, layer([file('b')], ['a']));
    expect([...fs.walk()].map((p) => [p.path, p.file.kind])).toEqual([['/b', 'file']]);
  });

  it('resolves symlinks inside the image (merged /usr, relative and absolute links, loops)', () => {
    const fs = new ImageFilesystem();
    fs.apply(0, layer([
      { path: 'bin', kind: 'symlink', size: 0, mode: 0o777, link: 'usr/bin' },
      file('usr/bin/busybox'),
      { path: 'usr/bin/sh', kind: 'symlink', size: 0, mode: 0o777, link: 'busybox' },
      { path: 'usr/bin/bash', kind: 'symlink', size: 0, mode: 0o777, link: '/usr/bin/../bin/sh' },
      { path: 'loop', kind: 'symlink', size: 0, mode: 0o777, link: 'loop' },
      { path: 'dangling', kind: 'symlink', size: 0, mode: 0o777, link: '/nowhere' },
    ]));
    expect(fs.resolve('/bin/sh')?.path).toBe('/usr/bin/busybox');
    expect(fs.resolve('/bin/bash')?.path).toBe('/usr/bin/busybox');
    expect(fs.resolve('/loop')).toBeUndefined();
    expect(fs.resolve('/dangling')).toBeUndefined();
    expect(fs.resolve('/usr/bin/busybox/x')).toBeUndefined();
  });
});

describe('the verdict on one platform', () => {
  it('names each foreign executable with its layer and step; shared objects count, relocatable objects do not', () => {
    const fs = new ImageFilesystem();
    fs.apply(0, layer([file('bin/busybox', { elf: AARCH64 }), file('lib/x.o', { elf: { ...X86_64, type: 1 } })]));
    fs.apply(1, layer([file('usr/local/bin/tool', { elf: X86_64 })]));
    const verdict = checkFilesystem(fs, 'linux/arm64', [{ digest: 'sha256:l0' }, { digest: 'sha256:l1', step: 'COPY /tool /usr/local/bin/tool' }]);
    expect(verdict.status).toBe('mismatch');
    expect(verdict.elfFiles).toBe(2);
    expect(verdict.expected).toBe('AArch64, 64-bit LSB');
    expect(verdict.mismatches).toEqual([
      { path: '/usr/local/bin/tool', found: 'x86-64, 64-bit LSB', foundPlatforms: ['linux/amd64'], layer: { index: 1, digest: 'sha256:l1', step: 'COPY /tool /usr/local/bin/tool' } },
    ]);
  });

  it('a platform the table does not know is left unchecked rather than called clean', () => {
    const fs = new ImageFilesystem();
    fs.apply(0, layer([file('bin/x', { elf: X86_64 })]));
    expect(checkFilesystem(fs, 'linux/sparc64', []).status).toBe('unchecked');
  });

  it('reports an executable script whose interpreter (or env program on PATH) is missing, not a script without an execute bit', () => {
    const fs = new ImageFilesystem();
    fs.apply(0, layer([
      file('bin/sh', { elf: AARCH64 }),
      file('usr/bin/env', { elf: AARCH64 }),
      file('opt/py/bin/python3', { elf: AARCH64 }),
      file('app/ok', { shebang: { interpreter: '/bin/sh' } }),
      file('app/bash', { shebang: { interpreter: '/bin/bash' } }),
      file('app/py', { shebang: { interpreter: '/usr/bin/env', envProgram: 'python3' } }),
      file('app/node', { shebang: { interpreter: '/usr/bin/env', envProgram: 'node' } }),
      file('app/data', { mode: 0o644, shebang: { interpreter: '/bin/bash' } }),
    ]));
    const verdict = checkFilesystem(fs, 'linux/arm64', [{ digest: 'sha256:l0' }], ['PATH=/opt/py/bin:/usr/bin']);
    expect(verdict.missingInterpreters.map((m) => m.path)).toEqual(['/app/bash', '/app/node']);
    expect(searchPath(undefined)).toContain('/usr/bin');
  });
});

describe('steps, packages, comparison and attestations', () => {
  it('maps layers to the Dockerfile steps of the config history, skipping empty layers', () => {
    const history = [
      { created_by: 'COPY rootfs-arm64/ / # buildkit' },
      { created_by: 'ENV PATH=/bin', empty_layer: true },
      { created_by: 'RUN |2 TARGETARCH=arm64 TARGETVARIANT= /bin/sh -c make install # buildkit' },
    ];
    expect(layerSteps(history, 2)).toEqual(['COPY rootfs-arm64/ /', 'RUN make install']);
    expect(layerSteps(history, 3)).toEqual([undefined, undefined, undefined]);
    expect(readableStep('/bin/sh -c #(nop) COPY file:abc in /x ')).toBe('COPY file:abc in /x');
    expect(readableStep('/bin/sh -c apt-get update')).toBe('RUN apt-get update');
  });

  it('reads dpkg status (installed only) and apk installed databases', () => {
    const dpkg = 'Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: arm64\n\nPackage: b\nStatus: deinstall ok config-files\nVersion: 2\n\nPackage: c\nStatus: hold ok installed\nVersion: 3\n';
    expect(parseDpkgStatus(dpkg)).toEqual([{ name: 'a', version: '1', architecture: 'arm64' }, { name: 'c', version: '3' }]);
    expect(parseApkInstalled('C:Q1x\nP:musl\nV:1.2.5-r0\nA:aarch64\n\nP:busybox\nV:1.36\n')).toEqual([
      { name: 'musl', version: '1.2.5-r0', architecture: 'aarch64' },
      { name: 'busybox', version: '1.36' },
    ]);
  });

  it('compares files (a folder only on one side listed once), sizes past both thresholds, packages and config', () => {
    const a = new ImageFilesystem();
    const b = new ImageFilesystem();
    a.apply(0, layer([file('bin/box', { size: 1000 }), file('same', { size: 100_000 }), file('a-only')]));
    b.apply(0, layer([file('bin/box', { size: 900_000 }), file('same', { size: 100_100 }), { path: 'extra', kind: 'dir', size: 0, mode: 0o755 }, file('extra/1'), file('extra/2')]));
    expect(compareFiles(a, b)).toEqual({
      onlyInA: [{ path: '/a-only', kind: 'file', size: 10 }],
      onlyInB: [{ path: '/extra', kind: 'dir', size: 0, entries: 2 }],
      sizeDiffs: [{ path: '/bin/box', a: 1000, b: 900_000 }],
      truncated: false,
    });
    expect(comparePackages('dpkg', [{ name: 'x', version: '1' }, { name: 'y', version: '1' }], [{ name: 'x', version: '2' }, { name: 'z', version: '1' }])).toEqual({
      source: 'dpkg',
      onlyInA: [{ name: 'y', version: '1' }],
      onlyInB: [{ name: 'z', version: '1' }],
      versionDiffs: [{ name: 'x', a: '1', b: '2' }],
    });
    expect(
      compareConfig(
        { Env: ['PATH=/bin', 'A=1'], Cmd: ['sh'], ExposedPorts: { '80/tcp': {} }, Labels: { l: 'x' } },
        { Env: ['PATH=/bin'], Cmd: ['sh'], User: 'app', ExposedPorts: { '80/tcp': {}, '443/tcp': {} }, Labels: { l: 'y' } },
      ),
    ).toEqual([
      { field: 'env A', a: '1' },
      { field: 'user', b: 'app' },
      { field: 'exposed ports', a: '80/tcp', b: '443/tcp, 80/tcp' },
      { field: 'label l', a: 'x', b: 'y' },
    ]);
  });

  it('reads SPDX SBOMs and SLSA v0.2 and v1 provenance, and notices a subject that is not the attached manifest', () => {
    const manifest = `sha256:${'a'.repeat(64)}`;
    const other = `sha256:${'b'.repeat(64)}`;
    const sbom = readStatement(
      {
        _type: 'https://in-toto.io/Statement/v0.1',
        predicateType: 'https://spdx.dev/Document',
        subject: [{ name: 'pkg:docker/x', digest: { sha256: 'b'.repeat(64) } }],
        predicate: { spdxVersion: 'SPDX-2.3', packages: [{ name: 'zlib', versionInfo: '1.3', externalRefs: [{ referenceType: 'purl', referenceLocator: 'pkg:deb/zlib@1.3' }] }, { name: 'bash', versionInfo: '5.2' }] },
      },
      manifest,
    );
    expect(sbom).toEqual({
      predicateType: 'https://spdx.dev/Document',
      kind: 'sbom',
      subjects: [other],
      subjectMismatch: true,
      sbom: { format: 'SPDX-2.3', packages: [{ name: 'bash', version: '5.2' }, { name: 'zlib', version: '1.3', purl: 'pkg:deb/zlib@1.3' }], packageCount: 2 },
    });
    const v02 = readStatement(
      {
        predicateType: 'https://slsa.dev/provenance/v0.2',
        subject: [{ digest: { sha256: 'a'.repeat(64) } }],
        predicate: {
          builder: { id: 'https://github.com/actions/runs/1' },
          buildType: 'https://mobyproject.org/buildkit@v1',
          invocation: { parameters: { args: { 'build-arg:VERSION': '2', target: 'app' } } },
          materials: [{ uri: 'pkg:docker/debian@12?platform=linux%2Farm64', digest: { sha256: 'c'.repeat(64) } }],
        },
      },
      manifest,
    );
    expect(v02.subjectMismatch).toBe(false);
    expect(v02.provenance).toEqual({
      builder: 'https://github.com/actions/runs/1',
      buildType: 'https://mobyproject.org/buildkit@v1',
      buildArgs: { VERSION: '2' },
      materials: [{ uri: 'pkg:docker/debian@12?platform=linux%2Farm64', digest: `sha256:${'c'.repeat(64)}`, platform: 'linux/arm64' }],
    });
    const v1 = readStatement(
      {
        predicateType: 'https://slsa.dev/provenance/v1',
        predicate: {
          buildDefinition: { buildType: 'https://github.com/moby/buildkit/blob/master/docs/attestations/slsa-definitions.md', externalParameters: { request: { args: { 'build-arg:A': 'b' } } }, resolvedDependencies: [{ uri: 'pkg:docker/alpine@3', digest: { sha256: 'd'.repeat(64) } }] },
          runDetails: { builder: { id: 'builder-1' } },
        },
      },
      manifest,
    );
    expect(v1.provenance).toMatchObject({ builder: 'builder-1', buildArgs: { A: 'b' }, materials: [{ uri: 'pkg:docker/alpine@3', digest: `sha256:${'d'.repeat(64)}` }] });
    expect(readStatement('nope', manifest).error).toBe('The attestation is not a JSON object.');
    expect(attestationName([v02, sbom], 'linux/arm64')).toBe('provenance/SBOM for linux/arm64');
    expect(attestationName([], undefined)).toBe('attestation for a manifest the index does not list');
  });
});
