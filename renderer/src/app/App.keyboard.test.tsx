// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../electron/core/composition';
import { SHORTCUTS } from '../../../shared/ui/keymap';
import { api } from '../api';
import { useNav } from '../stores/nav-store';
import { connectCoreWithoutEngine } from '../testing/connect-core';
import { App } from './App';

let core: Core;
let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'mas-keys-'));
  core = await connectCoreWithoutEngine({ dataDir });
  useNav.setState({ page: 'engine', param: undefined, navigated: false });
});
afterEach(async () => {
  cleanup();
  await core.dispose();
  // a last-page save may still be landing in the folder
  await rm(dataDir, { recursive: true, force: true, maxRetries: 5 });
});

const key = (target: Element | Window, init: KeyboardEventInit) => {
  const event = new KeyboardEvent('keydown', { bubbles: true, cancelable: true, ...init });
  act(() => void target.dispatchEvent(event));
  return event;
};
const current = () => document.querySelector('[aria-current="page"]')?.getAttribute('data-testid');

describe('the keyboard', () => {
  it('goes to each page with Ctrl+digit, shown on the sidebar buttons', async () => {
    render(<App />);
    await screen.findByTestId('engine-page');
    expect(screen.getByTestId('nav-build').getAttribute('aria-keyshortcuts')).toBe('Control+4');
    expect(screen.getByTestId('nav-build').getAttribute('title')).toBe('Go to Build (Ctrl+4)');
    const pressed = key(document.body, { key: '4', code: 'Digit4', ctrlKey: true });
    expect(pressed.defaultPrevented).toBe(true);
    expect(current()).toBe('nav-build');
    key(document.body, { key: '6', ctrlKey: true });
    expect(current()).toBe('nav-history');
    key(document.body, { key: '1', ctrlKey: true });
    expect(current()).toBe('nav-engine');
  });

  it('opens the shortcuts list with F1, Ctrl+/ and ? (not while typing); the page keys are off while it is open', async () => {
    render(<App />);
    await screen.findByTestId('engine-page');
    key(document.body, { key: 'F1' });
    const dialog = await screen.findByTestId('shortcuts-dialog');
    for (const s of SHORTCUTS) expect(dialog.querySelector(`[data-testid="shortcut-${s.id}"]`)?.textContent).toContain(s.label);
    expect(dialog.querySelector('[data-testid="shortcut-log.previous"]')?.textContent).toContain('Shift+F3');
    key(document.activeElement!, { key: '2', ctrlKey: true });
    expect(current()).toBe('nav-engine');
    key(document.activeElement!, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('shortcuts-dialog')).toBeNull());

    key(document.body, { key: '/', ctrlKey: true });
    await screen.findByTestId('shortcuts-dialog');
    key(document.activeElement!, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('shortcuts-dialog')).toBeNull());

    key(document.body, { key: '?', shiftKey: true });
    await screen.findByTestId('shortcuts-dialog');
    key(document.activeElement!, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('shortcuts-dialog')).toBeNull());

    key(document.body, { key: '4', ctrlKey: true });
    const field = await screen.findByTestId('build-context');
    const typed = key(field, { key: '?', shiftKey: true });
    expect(typed.defaultPrevented).toBe(false);
    expect(screen.queryByTestId('shortcuts-dialog')).toBeNull();
  });

  it('lets keys with nothing to do pass through (Ctrl+F with no build log stays the browser’s)', async () => {
    render(<App />);
    await screen.findByTestId('engine-page');
    expect(key(document.body, { key: 'f', ctrlKey: true }).defaultPrevented).toBe(false);
    expect(key(document.body, { key: '.', ctrlKey: true }).defaultPrevented).toBe(false);
  });

  it('opens the build-context folder browser with Ctrl+O (headless mode has no native dialog)', async () => {
    render(<App />);
    await screen.findByTestId('engine-page');
    key(document.body, { key: 'o', ctrlKey: true });
    await screen.findByTestId('folder-browser');
    expect(current()).toBe('nav-build');
    fireEvent.click(screen.getByText('Close'));
    await waitFor(() => expect(screen.queryByTestId('folder-browser')).toBeNull());
    expect(useNav.getState().param).toBeUndefined();
  });

  it('runs a desktop menu command sent by the shell, like its key', async () => {
    render(<App />);
    await screen.findByTestId('engine-page');
    // sent until the page has subscribed to app.onCommand (it does when it mounts)
    await waitFor(() => {
      core.server.emit('app.onCommand', { id: 'page.results' });
      expect(current()).toBe('nav-results');
    });
  });

  it('remembers the page and the theme choice in the settings, and opens on that page next time', async () => {
    const first = render(<App />);
    await screen.findByTestId('engine-page');
    await waitFor(() => expect(screen.getByTestId('theme-choice')).toBeTruthy());
    fireEvent.change(screen.getByTestId('theme-choice'), { target: { value: 'dark' } });
    expect(document.documentElement.dataset.theme).toBe('dark');
    key(document.body, { key: '3', ctrlKey: true });
    await waitFor(async () => expect((await api().app.settings({})).ui).toEqual({ theme: 'dark', lastPage: 'builders' }));
    first.unmount();

    useNav.setState({ page: 'engine', param: undefined, navigated: false });
    render(<App />);
    await waitFor(() => expect(current()).toBe('nav-builders'));
    expect((screen.getByTestId('theme-choice') as HTMLSelectElement).value).toBe('dark');
  });
});
