// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { classify } from '../../../../shared/domain/platform-support';
import type { Core } from '../../../../electron/core/composition';
import { connectCoreWithoutEngine } from '../../testing/connect-core';
import { BuildersPage } from './BuildersPage';
import { CreateBuilderDialog } from './CreateBuilderDialog';
import { useBuildersStore } from '../../stores/builders-store';
import { PlatformChips } from './PlatformChips';

let core: Core | undefined;
afterEach(async () => {
  cleanup();
  await core?.dispose();
  core = undefined;
  useBuildersStore.setState({ list: undefined, problem: undefined, outcome: undefined, emulatorsSeen: undefined });
});

describe('Create builder form', () => {
  it('closes on Escape, so the dialog can be left from the keyboard', () => {
    const onClose = vi.fn();
    render(<CreateBuilderDialog defaultImage="moby/buildkit:buildx-stable-1" busy={false} onCreate={() => undefined} onClose={onClose} />);
    fireEvent.keyDown(window, { key: 'Enter' });
    expect(onClose).not.toHaveBeenCalled();
    fireEvent.keyDown(window, { key: 'Escape' });
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('refuses a bad name in the form and previews the exact command for a good one', () => {
    const onCreate = vi.fn();
    render(<CreateBuilderDialog defaultImage="moby/buildkit:buildx-stable-1" busy={false} onCreate={onCreate} onClose={() => undefined} />);
    const name = screen.getByTestId('builder-create-name');

    fireEvent.change(name, { target: { value: 'my builder' } });
    expect(screen.getByTestId('builder-create-name-error').textContent).toMatch(/letter first/);
    expect(screen.queryByTestId('builder-create-preview')).toBeNull();
    fireEvent.click(screen.getByTestId('builder-create-submit'));
    expect(onCreate).not.toHaveBeenCalled();

    fireEvent.change(name, { target: { value: 'multiarch' } });
    expect(screen.queryByTestId('builder-create-name-error')).toBeNull();
    expect(screen.getByTestId('builder-create-preview').textContent).toBe(
      'docker buildx create --name multiarch --driver docker-container --driver-opt network=host --driver-opt image=moby/buildkit:buildx-stable-1 --bootstrap',
    );
    fireEvent.click(screen.getByTestId('builder-create-use'));
    expect(screen.getByTestId('builder-create-preview').textContent).toMatch(/&& docker buildx use multiarch$/);

    fireEvent.click(screen.getByTestId('builder-create-submit'));
    expect(onCreate).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'multiarch', driver: 'docker-container', driverOpts: ['network=host'], buildkitImage: 'moby/buildkit:buildx-stable-1', use: true, bootstrap: true }),
    );
  });

  it('asks the remote driver for its address', () => {
    render(<CreateBuilderDialog defaultImage="moby/buildkit:buildx-stable-1" busy={false} onCreate={() => undefined} onClose={() => undefined} />);
    fireEvent.change(screen.getByTestId('builder-create-name'), { target: { value: 'rbk' } });
    fireEvent.change(screen.getByTestId('builder-create-driver'), { target: { value: 'remote' } });
    expect(screen.getByText(/needs the BuildKit address/)).toBeTruthy();
    fireEvent.change(screen.getByTestId('builder-create-endpoint'), { target: { value: 'tcp://10.0.0.5:1234' } });
    expect(screen.getByTestId('builder-create-preview').textContent).toBe('docker buildx create --name rbk --driver remote --bootstrap tcp://10.0.0.5:1234');
  });
});

describe('Builders page with no engine', () => {
  it('says why there is no list instead of showing an empty one', async () => {
    core = await connectCoreWithoutEngine({ dataDir: `/tmp/mas-renderer-builders-${process.pid}` });
    render(<BuildersPage />);
    const page = await screen.findByTestId('builders-page');
    await waitFor(() => expect(page.getAttribute('data-state')).toBe('error'));
    const alert = screen.getAllByRole('alert')[0]!;
    expect(alert.getAttribute('data-code')).toBe('ENGINE_UNAVAILABLE');
    await act(async () => undefined);
  });
});

describe('platform chips', () => {
  it('show the classification the core served, unlisted ones dashed, with the reason on hover', () => {
    const support = classify(
      { name: 'default', driver: 'docker', reported: ['linux/amd64', 'linux/arm64'], local: true, enginePlatform: 'linux/amd64', running: true },
      { 'linux/amd64': 'native', 'linux/386': 'native', 'linux/arm64': 'emulated', 'linux/arm/v7': 'emulated', 'linux/arm/v6': 'unavailable' },
    );
    render(<PlatformChips support={support} />);
    const chips = screen.getAllByTestId('builder-platform');
    expect(chips.map((c) => [c.getAttribute('data-platform'), c.getAttribute('data-support')])).toEqual([
      ['linux/amd64', 'native'],
      ['linux/386', 'native'],
      ['linux/arm64', 'emulated'],
      ['linux/arm/v7', 'emulated'],
    ]);
    const armv7 = chips[3]!;
    expect(armv7.className).toContain('unlisted');
    expect(armv7.getAttribute('data-reason')).toBe('docker-driver-omits');
    expect(armv7.getAttribute('title')).toMatch(/leaves this platform out of its list/);
  });
});
