import { describe, expect, it } from 'vitest';
import { buildRequestData, buildRequestInput, type BuildRequest, type BuildRequestInput } from '../build-request/request';
import { credentialReason } from './credentials';
import { bakePrintSchema, bakeTarget, compareRequests, exportBuild, exportOptionsSchema, FIELD_MAP, hclString, importTarget, pickTarget, renderBakeFile } from './index';
import print013 from './fixtures/bake-print-0.13.1.json';
import printObjects from './fixtures/bake-print-objects.json';
import print029 from './fixtures/bake-print-0.29.1.json';
import exported013 from './fixtures/export-0.13.1.hcl?raw';

const parse = (input: BuildRequestInput): BuildRequest => buildRequestInput.parse(input);

/** The request behind the fixtures: every exportable field set. */
export const exportRequest = parse({
  context: '/work/app',
  dockerfile: 'docker/Dockerfile.release',
  platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'],
  tags: ['127.0.0.1:5000/team/app:1.0', '127.0.0.1:5000/team/app:latest'],
  output: { type: 'push' },
  buildArgs: [
    { key: 'VERSION', value: '1.2 "quoted" ${NOT_A_VAR} %{x} back\\slash' },
    { key: 'EMPTY', value: '' },
  ],
  target: 'final',
  cacheFrom: ['127.0.0.1:5000/team/app:cache'],
  cacheTo: ['type=registry,ref=127.0.0.1:5000/team/app:cache,mode=max'],
  provenance: true,
  sbom: false,
  noCache: true,
  pull: true,
  builder: 'multibuilder',
});

const options = exportOptionsSchema.parse({});

describe('the mapping table', () => {
  it('names every field of the build request, mapped or declared unexportable', () => {
    const mapped = Object.keys(FIELD_MAP).sort();
    // A field added to the request (input or stored record) without a row here fails this test.
    expect(mapped).toEqual(Object.keys(buildRequestInput.shape).sort());
    // …except the confirmation to replace an existing export, which history never keeps (a re-run asks again)
    expect(mapped).toEqual([...Object.keys(buildRequestData.shape), 'overwrite'].sort());
    for (const [field, row] of Object.entries(FIELD_MAP)) {
      if (row.kind === 'mapped') expect([field, row.bake.length > 0, row.workflow.length > 0]).toEqual([field, true, true]);
      else expect(row.reason.length).toBeGreaterThan(20);
    }
    expect(Object.entries(FIELD_MAP).filter(([, r]) => r.kind === 'unexportable').map(([f]) => f)).toEqual(['builder', 'overwrite']);
  });
});

describe('docker-bake.hcl', () => {
  it('writes the target the fixtures were captured from', () => {
    expect(exportBuild(exportRequest, options).bake.text).toBe(exported013);
  });

  it('escapes HCL strings so bake reads them back literally', () => {
    expect(hclString('a "b" \\ ${c} %{d} $e')).toBe('"a \\"b\\" \\\\ $${c} %%{d} $e"');
    expect(hclString('tab\there')).toBe('"tab\\there"');
  });

  it('states attestations explicitly, as buildx would add provenance on its own', () => {
    const { target } = bakeTarget(parse({ context: '/c', platforms: ['linux/amd64'], output: { type: 'load' } }));
    expect(target.attest).toEqual(['type=provenance,disabled=true', 'type=sbom,disabled=true']);
    expect(target.output).toEqual(['type=docker']);
    expect(target.dockerfile).toBe('Dockerfile');
  });

  it('names a Dockerfile outside the context by its absolute path, with a warning', () => {
    const { target, notes } = bakeTarget(parse({ context: '/work/app', dockerfile: '/work/other/Dockerfile', platforms: ['linux/amd64'], output: { type: 'push' }, tags: ['r.example/a:1'] }));
    expect(target.dockerfile).toBe('/work/other/Dockerfile');
    expect(notes.map((n) => [n.field, n.severity])).toEqual([['dockerfile', 'warning']]);
    expect(bakeTarget(parse({ context: '/work/app', dockerfile: '/work/app/sub/Dockerfile', platforms: ['linux/amd64'], output: { type: 'cacheonly' } })).target.dockerfile).toBe('sub/Dockerfile');
  });

  it('refuses build arguments that look like credentials, and keeps the others', () => {
    const request = parse({
      context: '/c',
      platforms: ['linux/amd64'],
      output: { type: 'cacheonly' },
      buildArgs: [
        { key: 'NPM_TOKEN', value: 'abc' },
        { key: 'VERSION', value: '1.4.2' },
        { key: 'MIRROR', value: 'ghp_0123456789abcdefghijABCDEFGHIJ012345' },
      ],
    });
    const { target, notes } = bakeTarget(request);
    expect(target.args).toEqual({ VERSION: '1.4.2' });
    expect(notes.filter((n) => n.severity === 'refused').map((n) => n.item)).toEqual(['NPM_TOKEN', 'MIRROR']);
    expect(renderBakeFile(target, [])).not.toContain('ghp_');
  });
});

describe('credential heuristics', () => {
  it.each([
    ['GITHUB_TOKEN', 'x', 'its name contains "TOKEN"'],
    ['db-password', 'hunter2', 'its name contains "PASSWORD"'],
    ['SSH_PRIVATE_KEY', 'x', 'its name contains "PRIVATE"'],
    ['API_KEY', 'x', 'its name contains "KEY"'],
    ['AWS_ID', 'AKIAABCDEFGHIJKLMNOP', 'its value looks like an AWS access key id'],
    ['HUB', 'dckr_pat_abcdefghijklmnopqrstuvwx', 'its value looks like a Docker Hub access token'],
    ['LAB', 'glpat-abcdefghijklmnopqrst', 'its value looks like a GitLab token'],
    ['CERT', '-----BEGIN OPENSSH PRIVATE KEY-----', 'its value looks like a private key'],
    ['SEED', 'q8Zr3LmX0vB7nT2kW9yH4cP6', 'its value is a long random-looking string'],
  ])('%s=%s is refused (%s)', (name, value, reason) => {
    expect(credentialReason(name, value)).toBe(reason);
  });

  it.each([
    ['VERSION', '1.2.3'],
    ['GPG_KEY_ID', '0x1234ABCD'],
    ['SIGNING_KEY_FINGERPRINT', 'ABCD'],
    ['MONKEY', 'banana'],
    ['KEYBOARD', 'us'],
    ['GIT_SHA', '0123456789abcdef0123456789abcdef01234567'],
    ['BASE_URL', 'https://example.com/aVeryLongPathWithMixedCase123'],
    ['GREETING', 'Hello there, this is a long sentence of 40 chars'],
  ])('%s=%s is kept', (name, value) => {
    expect(credentialReason(name, value)).toBeUndefined();
  });
});

describe('bake --print → build request (import) and field-by-field comparison', () => {
  it('reads what buildx 0.13.1 printed for the exported file back into the same request', () => {
    const print = bakePrintSchema.parse(print013);
    const { name, attrs } = pickTarget(print);
    const imported = importTarget(name, attrs, '/work/app');
    expect(imported.refused).toEqual([]);
    expect(imported.notes).toEqual([]);
    expect(compareRequests(exportRequest, parseBack(imported.request))).toEqual([]);
  });

  it('reads what buildx 0.29.1 printed (objects, values escaped as HCL) back into the same request', () => {
    const { name, attrs } = pickTarget(bakePrintSchema.parse(print029));
    expect(JSON.stringify(attrs)).toContain('$${NOT_A_VAR} %%{x}');
    const imported = importTarget(name, attrs, '/work/app', { escaped: true });
    expect(imported.refused).toEqual([]);
    expect(imported.notes).toEqual([]);
    expect(compareRequests(exportRequest, parseBack(imported.request))).toEqual([]);
    // read as if it were not escaped, the argument would keep the escapes
    expect(compareRequests(exportRequest, parseBack(importTarget(name, attrs, '/work/app').request)).map((d) => d.field)).toEqual(['buildArgs']);
  });

  it('reads the object shape of newer buildx the same way', () => {
    const imported = importTarget('default', bakePrintSchema.parse(printObjects).target.default!, '/work/app');
    expect(imported.refused).toEqual([]);
    expect(compareRequests(exportRequest, parseBack(imported.request))).toEqual([]);
  });

  it('names each differing field with both values', () => {
    const other = { ...exportRequest, platforms: ['linux/amd64'], cacheFrom: ['type=registry,ref=127.0.0.1:5000/team/app:cache'], output: { type: 'load' as const } };
    // a cache ref alone is the registry cache of that ref: not a difference
    expect(compareRequests(exportRequest, other).map((d) => d.field)).toEqual(['platforms', 'output']);
    expect(compareRequests(exportRequest, other)[0]).toEqual({ field: 'platforms', expected: '["linux/amd64","linux/arm64","linux/arm/v7"]', actual: '["linux/amd64"]' });
  });

  it('refuses what the form cannot represent, with a list, and imports the rest', () => {
    const imported = importTarget(
      'app',
      {
        context: 'sub',
        platforms: ['linux/arm64'],
        labels: { a: 'b' },
        ssh: ['default'],
        attest: ['type=provenance,mode=max'],
        output: ['type=registry', 'type=docker'],
        args: { FROM_ENV: null, OK: 'yes' },
        'shm-size': '',
      },
      '/home/me/proj',
    );
    expect(imported.request.context).toBe('/home/me/proj/sub');
    expect(imported.request.buildArgs).toEqual([{ key: 'OK', value: 'yes' }]);
    expect(imported.request.output).toEqual({ type: 'push' });
    expect(imported.refused.map((r) => r.split(':')[0])).toEqual(['labels', 'ssh', 'args.FROM_ENV', 'attest type=provenance,mode=max', 'output']);
  });

  it('asks which target when the file defines several', () => {
    expect(() => pickTarget({ target: { a: {}, b: {} } })).toThrow('defines 2 targets (a, b): pick one');
    expect(() => pickTarget({ target: { a: {} } }, 'b')).toThrow('has no target "b"');
  });
});

/** An imported request completed with the fields bake does not carry (the builder is not exported). */
function parseBack(request: ReturnType<typeof importTarget>['request']): BuildRequest {
  return parse({ ...request, output: request.output ?? { type: 'cacheonly' } } as BuildRequestInput);
}
