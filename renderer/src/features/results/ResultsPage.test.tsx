// @vitest-environment jsdom
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryPair } from '../../../../shared/rpc/memory-transport';
import { createCore, type Core } from '../../../../electron/core/composition';
import { api, attachTransport } from '../../api';
import { useNav } from '../../stores/nav-store';
import { useResultsStore } from '../../stores/results-store';
import { ResultsPage } from './ResultsPage';
import { resultsParam } from './results-param';

// A real core over the in-memory pair, with no engine: the registry side needs none, and nothing
// here reaches a registry that exists (127.0.0.1:1 refuses at once).
let core: Core | undefined;
let dataDir: string;
/** Channels the page called, seen on the client side of the pair. */
let called: string[] = [];
const initial = useResultsStore.getState();

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'mas-results-ui-'));
  core = await createCore({
    mode: 'headless',
    version: 'test',
    dataDir,
    env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock', DOCKER_CONFIG: join(dataDir, 'docker'), PATH: process.env.PATH },
    validateOutputs: true,
    log: () => undefined,
  });
  const pair = createMemoryPair();
  core.server.connect(pair.server);
  called = [];
  attachTransport({
    ...pair.client,
    send: (frame) => {
      if (frame.t === 'req') called.push(frame.ch);
      pair.client.send(frame);
    },
    onFrame: (listener) => pair.client.onFrame(listener),
    onClose: (listener) => pair.client.onClose(listener),
  });
});

afterEach(async () => {
  cleanup();
  await core?.dispose();
  await rm(dataDir, { recursive: true, force: true });
  useResultsStore.setState(initial, true);
  useNav.setState({ page: 'engine', param: undefined });
});

describe('Results page opened by another page', () => {
  it('fills the form from the parameter and inspects at once', async () => {
    act(() => useNav.getState().go('results', resultsParam('127.0.0.1:1/app:1', ['linux/amd64', 'linux/arm64'])));
    render(<ResultsPage />);
    const page = await screen.findByTestId('results-page');
    await waitFor(() => expect(page.getAttribute('data-state')).toBe('error'));
    expect((screen.getByTestId('results-reference') as HTMLInputElement).value).toBe('127.0.0.1:1/app:1');
    expect((screen.getByTestId('results-requested') as HTMLInputElement).value).toBe('linux/amd64, linux/arm64');
    expect(screen.getByRole('alert').textContent).toContain('Cannot reach the registry 127.0.0.1:1');
    expect(called).toEqual(['images.inspect']);
  });

  it('refuses a malformed reference in the parameter without calling the core', async () => {
    act(() => useNav.getState().go('results', '127.0.0.1:1/Bad:1'));
    render(<ResultsPage />);
    const problem = await screen.findByTestId('results-reference-problem');
    expect(problem.textContent).toMatch(/lower-case/);
    expect(screen.getByTestId('results-page').getAttribute('data-state')).toBe('empty');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(called).toEqual([]);
  });

  it('drops the previous reference\'s error when the next one is refused by the form', async () => {
    act(() => useNav.getState().go('results', resultsParam('127.0.0.1:1/app:1', [])));
    render(<ResultsPage />);
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('127.0.0.1:1'));
    act(() => useResultsStore.getState().setReferenceText('127.0.0.1:1/Bad:1'));
    await act(() => useResultsStore.getState().submit(api()));
    expect(screen.getByTestId('results-reference-problem').textContent).toMatch(/lower-case/);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(called).toEqual(['images.inspect']);
  });
});
