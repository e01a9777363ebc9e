import { describe, expect, it } from 'vitest';
import { RpcError } from '../rpc/errors';
import { endpointError } from './endpoint-errors';

describe("the client's typed errors (endpointError)", () => {
  it('gives the error of the code asked for, with its data parsed by the catalogue', () => {
    const error = RpcError.fromWire({ code: 'DESTINATION_EXISTS', message: '/tmp/x.tar exists', hint: 'confirm', data: { field: 'output.dest', path: '/tmp/x.tar', kind: 'file' } });
    const caught = endpointError('builds.run', error, 'DESTINATION_EXISTS');
    expect(caught).toEqual({ code: 'DESTINATION_EXISTS', message: '/tmp/x.tar exists', hint: 'confirm', data: { field: 'output.dest', path: '/tmp/x.tar', kind: 'file' } });
    // Typed by the catalogue: `kind` is 'file' | 'folder', not a string.
    const kind: 'file' | 'folder' | undefined = caught?.data?.kind;
    expect(kind).toBe('file');
  });

  it('answers undefined for another code, and no data for data the catalogue refuses', () => {
    const refused = new RpcError('BUILD_IMPOSSIBLE', 'no', { data: { problems: 'not a list' } });
    expect(endpointError('builds.run', refused, 'DESTINATION_EXISTS')).toBeUndefined();
    expect(endpointError('builds.run', refused, 'BUILD_IMPOSSIBLE')).toEqual({ code: 'BUILD_IMPOSSIBLE', message: 'no', data: undefined });
    // A wire Problem works as well as an RpcError; anything else is no error of the endpoint.
    expect(endpointError('ciExport.readBake', { code: 'BAKE_TARGET_AMBIGUOUS', message: 'pick', data: { targets: ['a', 'b'] } }, 'BAKE_TARGET_AMBIGUOUS')?.data?.targets).toEqual(['a', 'b']);
    expect(endpointError('builds.run', undefined, 'CANCELLED')).toBeUndefined();
    expect(endpointError('builds.run', new Error('DESTINATION_EXISTS'), 'DESTINATION_EXISTS')).toBeUndefined();
  });

  it('accepts only the codes the endpoints declare, or any call can end with (checked by the type check)', () => {
    const error = new RpcError('FILE_EXISTS', 'exists');
    expect(endpointError('records.export', error, 'FILE_EXISTS')?.code).toBe('FILE_EXISTS');
    expect(endpointError('builds.get', new RpcError('CANCELLED', 'stop'), 'CANCELLED')?.code).toBe('CANCELLED');
    // Several endpoints: the codes of any of them.
    expect(endpointError(['builds.run', 'builds.watch'], new RpcError('BUILD_NOT_FOUND', 'gone'), 'BUILD_NOT_FOUND')?.code).toBe('BUILD_NOT_FOUND');
    // @ts-expect-error builds.get never raises FILE_EXISTS: asking for it does not compile.
    expect(endpointError('builds.get', error, 'FILE_EXISTS')?.code).toBe('FILE_EXISTS');
    // @ts-expect-error not a code of the catalogue at all.
    expect(endpointError('builds.run', error, 'NO_SUCH_CODE')).toBeUndefined();
  });
});
