import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL_ERRORS, endpointErrors, errorBreach, STARTUP_ERRORS } from '../../shared/contract/endpoint-errors';
import { dataProblem, errorCatalogue, isErrorCode, type ErrorCode } from '../../shared/contract/errors';
import { RpcError } from '../../shared/rpc/errors';
import { startTestCore, type TestCore } from './testing/test-core';

const noEngine = { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock', PATH: process.env.PATH } };
const root = join(import.meta.dirname, '..', '..');

/** The rejection of a call, which must be an RpcError. */
async function failure(call: Promise<unknown>): Promise<RpcError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RpcError);
  return error as RpcError;
}

/** Every `new RpcError('CODE'` in the product sources, with the files that raise it (a static scan: it cannot say which endpoint reaches which). */
async function codesRaisedInSources(): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'testing') await walk(path);
      } else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) {
        const text = await readFile(path, 'utf8');
        for (const m of text.matchAll(/(?:new RpcError\(|failure\()\s*'([A-Z_]+)'/g)) {
          const code = m[1]!;
          found.set(code, [...(found.get(code) ?? []), path.slice(root.length + 1)]);
        }
      }
    }
  };
  for (const dir of ['electron/core', 'electron/main', 'electron/headless', 'shared/rpc']) await walk(join(root, dir));
  return found;
}

describe('the error catalogue and the endpoint declarations', () => {
  it('declares every code the core raises on at least one endpoint, and lists no code nothing raises or shows', async () => {
    const raised = await codesRaisedInSources();
    expect(raised.size).toBeGreaterThan(40);
    const declared = new Set<ErrorCode>(Object.values(endpointErrors).flat());
    // The build checks' own codes (PUSH_WITHOUT_TAG, …) travel inside BUILD_IMPOSSIBLE data, not as errors.
    const errorCodes = [...raised.keys()].filter(isErrorCode);
    const elsewhere = new Set<ErrorCode>([...CALL_ERRORS, ...STARTUP_ERRORS]);
    const notDeclared = errorCodes.filter((c) => !declared.has(c) && !elsewhere.has(c));
    expect(notDeclared).toEqual([]);
    const renderer = await readCodes(['renderer/src'], /code: '([A-Z_]+)'/g);
    const embedded = await readCodes(['electron/core'], /code: '([A-Z_]+)'/g);
    const unused = (Object.keys(errorCatalogue) as ErrorCode[]).filter((c) => !raised.has(c) && !renderer.has(c) && !embedded.has(c));
    expect(unused).toEqual([]);
  });

  it('refuses a code an endpoint does not declare, and data that does not fit the catalogue', () => {
    expect(errorBreach('builds.get', { code: 'BUILD_NOT_FOUND', data: undefined })).toBeUndefined();
    expect(errorBreach('builds.get', { code: 'CANCELLED', data: undefined })).toBeUndefined();
    expect(errorBreach('builds.get', { code: 'FILE_EXISTS', data: undefined })).toMatch(/builds\.get raised FILE_EXISTS, which .* does not declare/);
    expect(errorBreach('ciExport.save', { code: 'FILE_EXISTS', data: { path: '/x' } })).toMatch(/data the catalogue refuses/);
    expect(errorBreach('builds.get', { code: 'BUILD_NOT_FOUND', data: { id: 'x' } })).toMatch(/BUILD_NOT_FOUND carries no data/);
  });
});

/** Codes matched by `pattern` (group 1) in the product sources under `dirs`. */
async function readCodes(dirs: string[], pattern: RegExp): Promise<Set<string>> {
  const codes = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) {
        for (const m of (await readFile(path, 'utf8')).matchAll(pattern)) codes.add(m[1]!);
      }
    }
  };
  for (const dir of dirs) await walk(join(root, dir));
  return codes;
}

describe('real error paths through the core (no engine): declared codes, data as the catalogue says', () => {
  let t: TestCore;
  let dir: string;
  beforeAll(async () => {
    t = await startTestCore(noEngine);
    dir = await mkdtemp(join(tmpdir(), 'mas-test-errors-'));
  });
  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** The server already refuses undeclared codes and misfit data in tests (BAD_OUTPUT); this says so per path. */
  const expectCatalogued = (error: RpcError, code: ErrorCode) => {
    expect(error.code).toBe(code);
    expect(dataProblem(error.code, error.data)).toBeUndefined();
  };

  it('BAD_INPUT carries the contract issues', async () => {
    const error = await failure(t.api.builds.get({ id: 'NOT AN ID' }));
    expectCatalogued(error, 'BAD_INPUT');
    expect(error.data).toMatchObject({ issues: [{ path: ['id'], message: 'Not a build id.' }] });
  });

  it('BUILD_NOT_FOUND, FOLDER_UNREADABLE, NOT_AVAILABLE, ENGINE_UNAVAILABLE carry no data', async () => {
    expectCatalogued(await failure(t.api.builds.get({ id: 'no-such-build' })), 'BUILD_NOT_FOUND');
    expectCatalogued(await failure(t.api.builds.browse({ path: join(dir, 'missing') })), 'FOLDER_UNREADABLE');
    expectCatalogued(await failure(t.api.app.pickPath({ kind: 'folder', title: 'x' })), 'NOT_AVAILABLE');
    expectCatalogued(await failure(t.api.engine.info({})), 'ENGINE_UNAVAILABLE');
  });

  it('FILE_EXISTS carries the file on disk; BAKE_FILE_MISSING none', async () => {
    const context = join(dir, 'ctx');
    await mkdir(context);
    await writeFile(join(context, 'docker-bake.hcl'), 'target "default" {}\n');
    const error = await failure(t.api.ciExport.save({ context, kind: 'bake', content: 'target "other" {}\n' }));
    expectCatalogued(error, 'FILE_EXISTS');
    expect(error.data).toMatchObject({ path: join(context, 'docker-bake.hcl'), existing: 'target "default" {}\n' });
    expectCatalogued(await failure(t.api.ciExport.readBake({ context: join(dir) })), 'BAKE_FILE_MISSING');
  });

  it('CONSENT_REQUIRED carries the image and why it runs privileged', async () => {
    const call = t.api.emulators.install({ architectures: ['arm64'] });
    const error = await failure(call.result);
    expectCatalogued(error, 'CONSENT_REQUIRED');
    expect(error.data).toMatchObject({ image: expect.any(String), why: expect.stringMatching(/privileged/i) });
  });

  it('BUILD_CONTEXT_INVALID when the context is not a folder', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    expectCatalogued(await failure(t.api.ciExport.readBake({ context: file })), 'BUILD_CONTEXT_INVALID');
  });

  it('DOCKERFILE_CHANGED when the file is not the one the page showed', async () => {
    const contextDir = join(dir, 'df');
    await mkdir(contextDir);
    await writeFile(join(contextDir, 'Dockerfile'), 'FROM alpine\nRUN wget https://example.com/tool-linux-x86_64.tgz\n');
    const error = await failure(
      t.api.dockerfile.apply({ contextDir, contentDigest: `sha256:${'0'.repeat(64)}`, finding: { rule: 'hardcoded-arch', line: 2 } }),
    );
    expectCatalogued(error, 'DOCKERFILE_CHANGED');
  });
});
