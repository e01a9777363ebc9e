import { describe, expect, it } from 'vitest';
import { RpcError } from '../../../shared/rpc/errors';
import { causeAction, problemActions } from './actions';

const run = { command: 'docker buildx create --name b', exitCode: 1, output: 'ERROR: boom', durationMs: 12 };

describe('problemActions: the one code → action map', () => {
  it('links to the page that fixes the cause, unless the problem is shown there', () => {
    const problem = new RpcError('ENGINE_UNAVAILABLE', 'The Docker engine is not connected.').toWire();
    expect(problemActions(problem, { here: 'build' })).toEqual([{ kind: 'open-page', page: 'engine', label: 'Open the Engine page' }]);
    expect(problemActions(problem, { here: 'engine' })).toEqual([]);
    expect(problemActions(new RpcError('CONSENT_REQUIRED', 'x', { data: { image: 'i', why: 'w' } }).toWire())).toEqual([
      { kind: 'open-page', page: 'emulators', label: 'Open the Emulators page' },
    ]);
  });

  it('offers to try again only for passing causes, and only where the display can retry', () => {
    const unreachable = new RpcError('REGISTRY_UNREACHABLE', 'x', { data: { tried: ['https://r/v2/'] } }).toWire();
    expect(problemActions(unreachable, { canRetry: true })).toEqual([{ kind: 'retry', label: 'Try again' }]);
    expect(problemActions(unreachable)).toEqual([]);
    expect(problemActions(new RpcError('FILE_EXISTS', 'x', { data: { path: '/p', existing: '', sha256: '' } }).toWire(), { canRetry: true })).toEqual([]);
  });

  it('shows the commands a buildx action ran, from the catalogued data only', () => {
    const failed = new RpcError('BUILDER_CREATE_FAILED', 'Creating builder "b" failed', { data: { commands: [run] } }).toWire();
    expect(problemActions(failed, { here: 'builders' })).toEqual([{ kind: 'show-commands', commands: [run] }]);
    const notStarted = new RpcError('BUILDER_NOT_STARTED', 'x', { data: { command: run } }).toWire();
    expect(problemActions(notStarted, { here: 'builders' })).toEqual([{ kind: 'show-commands', commands: [run] }]);
    // Data that does not fit the catalogue shows nothing rather than a half-read command.
    expect(problemActions({ code: 'BUILDER_COMMAND_FAILED', message: 'x', data: { commands: [{ command: 'x' }] } }, { here: 'builders' })).toEqual([]);
  });

  it('links a refused build to the page of each blocking check', () => {
    const problem = new RpcError('BUILD_IMPOSSIBLE', 'x', {
      data: {
        problems: [
          { code: 'PLATFORM_UNAVAILABLE', severity: 'error', message: 'm', fix: 'f', page: 'emulators' },
          { code: 'MULTI_PLATFORM_UNSUPPORTED', severity: 'error', message: 'm', fix: 'f', page: 'builders' },
          { code: 'PUSH_TO_DOCKER_HUB', severity: 'warning', message: 'm', fix: 'f', page: 'engine' },
        ],
      },
    }).toWire();
    expect(problemActions(problem, { here: 'build' }).map((a) => a.kind === 'open-page' && a.page)).toEqual(['emulators', 'builders']);
  });

  it('maps a build failure cause to the page that fixes it', () => {
    expect(causeAction('emulator-missing')).toEqual({ kind: 'open-page', page: 'emulators', label: 'Open the Emulators page' });
    expect(causeAction('daemon-unreachable', 'engine')).toBeUndefined();
    expect(causeAction('compile-error')).toBeUndefined();
  });
});
