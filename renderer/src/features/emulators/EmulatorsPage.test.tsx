// @vitest-environment jsdom
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../../electron/core/composition';
import { connectCoreWithoutEngine } from '../../testing/connect-core';
import { App } from '../../app/App';
import { useEmulatorsStore } from '../../stores/emulators-store';
import { useNav } from '../../stores/nav-store';

let core: Core | undefined;
afterEach(async () => {
  cleanup();
  await core?.dispose();
  useEmulatorsStore.setState({ status: undefined, problem: undefined, operation: undefined, consent: undefined, selected: [], tests: {} });
  useNav.setState({ page: 'engine' });
});

describe('Emulators page with no engine', () => {
  it('says what failed instead of an empty table, and offers nothing to run', async () => {
    core = await connectCoreWithoutEngine({ dataDir: `/tmp/mas-renderer-emulators-${process.pid}` });
    render(<App />);
    act(() => screen.getByTestId('nav-emulators').click());

    const page = await screen.findByTestId('emulators-page');
    await waitFor(() => expect(page.getAttribute('data-state')).toBe('error'));
    const alert = screen.getByRole('alert');
    expect(alert.getAttribute('data-code')).toBe('ENGINE_UNAVAILABLE');
    expect(alert.textContent).toContain('unix:///nonexistent/docker.sock');
    expect(screen.queryByTestId('emulators-table')).toBeNull();
    expect((screen.getByTestId('emulators-install') as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('emulators-uninstall') as HTMLButtonElement).disabled).toBe(true);
  });
});
