// @vitest-environment jsdom
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../../electron/core/composition';
import { connectCoreWithoutEngine } from '../../testing/connect-core';
import { App } from '../../app/App';
import { useEngineStore } from '../../stores/engine-store';

let core: Core | undefined;
afterEach(async () => {
  cleanup();
  await core?.dispose();
  useEngineStore.setState({ state: undefined, info: undefined, infoProblem: undefined });
});

describe('Engine page with no engine', () => {
  it('opens anyway and explains what failed and how to start Docker', async () => {
    core = await connectCoreWithoutEngine({ dataDir: `/tmp/mas-renderer-test-${process.pid}` });
    render(<App />);

    const page = await screen.findByTestId('engine-page');
    await waitFor(() => expect(page.getAttribute('data-state')).toBe('disconnected'));
    expect(screen.getByRole('alert').textContent).toContain('No Docker engine socket at unix:///nonexistent/docker.sock');
    expect(screen.getByText('How to start Docker')).toBeTruthy();
    expect(screen.getByTestId('engine-endpoint').textContent).toContain('unix:///nonexistent/docker.sock');
    expect(screen.getByTestId('engine-endpoint-source').textContent).toContain('DOCKER_HOST');
    expect(screen.getByTestId('status-bar').getAttribute('data-state')).toBe('disconnected');
    // Every page of the sidebar is there and stays reachable without an engine.
    for (const id of ['engine', 'emulators', 'builders', 'build', 'results', 'history']) expect(screen.getByTestId(`nav-${id}`)).toBeTruthy();
    act(() => screen.getByTestId('nav-history').click());
    await waitFor(() => expect(screen.getByTestId('nav-history').getAttribute('aria-current')).toBe('page'));
    expect(screen.queryByTestId('engine-page')).toBeNull();
  });
});
