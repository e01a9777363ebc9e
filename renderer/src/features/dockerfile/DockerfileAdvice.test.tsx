// @vitest-environment jsdom
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../../electron/core/composition';
import { connectCoreWithoutEngine } from '../../testing/connect-core';
import { adviceLocation, preflightInputFor } from '../../stores/dockerfile-store';
import { DockerfileAdvice } from './DockerfileAdvice';

let core: Core;
let dataDir: string;
let dir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'mas-test-advice-data-'));
  dir = await mkdtemp(join(tmpdir(), 'mas-test-advice-ctx-'));
  // No engine: the analysis needs none, and a preflight of scratch-only stages asks no registry.
  core = await connectCoreWithoutEngine({ dataDir: dataDir });
});

afterEach(() => cleanup());

afterAll(async () => {
  await core?.dispose();
  await rm(dataDir, { recursive: true, force: true });
  await rm(dir, { recursive: true, force: true });
});

async function context(name: string, files: Record<string, string>): Promise<string> {
  const folder = join(dir, name);
  for (const [file, text] of Object.entries(files)) {
    await mkdir(join(folder, file, '..'), { recursive: true });
    await writeFile(join(folder, file), text);
  }
  return folder;
}

describe('DockerfileAdvice (real core, no engine)', () => {
  it('shows the badge, each finding with its line, why and rewrite, the args explained, and the preflight', async () => {
    const contextDir = await context('findings', {
      'docker/Dockerfile.alt': ['FROM scratch', 'ADD https://example.com/tool-linux-amd64 /tool', 'ENV ARCH=$TARGETARCH', ''].join('\n'),
    });
    render(<DockerfileAdvice contextDir={contextDir} dockerfile="docker/Dockerfile.alt" platforms={['linux/amd64', 'linux/arm64']} buildArgs={[{ key: '', value: 'half typed' }]} target="" />);

    const advice = await screen.findByTestId('dockerfile-advice');
    await waitFor(() => expect(advice.getAttribute('data-state')).toBe('ready'));
    expect(advice.textContent).toContain(join(contextDir, 'docker/Dockerfile.alt'));

    const findings = screen.getAllByTestId('dockerfile-finding');
    const hardcoded = findings.find((f) => f.getAttribute('data-rule') === 'hardcoded-arch');
    expect(hardcoded?.getAttribute('data-line')).toBe('2');
    expect(within(hardcoded!).getByTestId('dockerfile-finding-source').textContent).toContain('tool-linux-amd64');
    expect(within(hardcoded!).getByTestId('dockerfile-suggestion').textContent).toContain('ARG TARGETARCH');
    expect(within(hardcoded!).getByText(/Why it matters/)).toBeTruthy();
    expect(within(hardcoded!).getByRole('button', { name: /Copy the rewrite/ })).toBeTruthy();

    const undeclared = findings.find((f) => f.getAttribute('data-rule') === 'undeclared-platform-arg');
    expect(undeclared?.getAttribute('data-line')).toBe('3');
    // The source line's $TARGETARCH (found by the analyser, at its column) explains itself.
    const source = within(undeclared!).getByTestId('dockerfile-finding-source');
    const tip = within(source).getByTestId('arg-tip-TARGETARCH');
    expect(tip.firstChild?.textContent).toBe('TARGETARCH');
    expect(source.textContent?.startsWith('3ENV ARCH=$TARGETARCH')).toBe(true);
    expect(within(tip).getByRole('tooltip', { hidden: true }).textContent).toContain('the architecture part of TARGETPLATFORM');

    const badge = screen.getByTestId('dockerfile-findings-badge');
    const warnings = findings.filter((f) => f.getAttribute('data-severity') === 'warning').length;
    expect(Number(badge.getAttribute('data-warnings'))).toBe(warnings);
    expect(badge.textContent).toContain(`${warnings} warning`);

    // All eight predefined args are in the legend.
    for (const name of ['TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT', 'BUILDPLATFORM', 'BUILDOS', 'BUILDARCH', 'BUILDVARIANT']) {
      expect(advice.querySelector(`.advice-args [data-arg="${name}"]`), name).not.toBeNull();
    }

    const preflight = screen.getByTestId('dockerfile-preflight');
    await waitFor(() => expect(preflight.getAttribute('data-state')).toBe('done'));
    expect(screen.getByTestId('dockerfile-preflight-ok').textContent).toContain('No base image to check');
    // Without an engine the build platform is assumed, and said to be.
    expect(preflight.textContent).toContain('assumed: the engine could not be asked');
  });

  it('shows parse errors with their line numbers', async () => {
    const contextDir = await context('malformed', { Dockerfile: 'FROM scratch\nRUNN echo hi\n' });
    render(<DockerfileAdvice contextDir={contextDir} platforms={[]} />);
    const error = await screen.findByTestId('dockerfile-parse-error');
    expect(error.getAttribute('data-line')).toBe('2');
    expect(error.textContent).toMatch(/^Line 2.*Unknown instruction RUNN/);
    expect(screen.getByTestId('dockerfile-findings-badge').getAttribute('data-errors')).toBe('1');
    // No ticked platform: no preflight section.
    expect(screen.queryByTestId('dockerfile-preflight')).toBeNull();
  });

  it('says why there is no advice when the Dockerfile is missing, and renders nothing without an absolute context', async () => {
    const contextDir = await context('empty', { 'README.md': 'no Dockerfile here\n' });
    render(<DockerfileAdvice contextDir={contextDir} platforms={['linux/amd64']} />);
    const problem = await screen.findByTestId('dockerfile-advice-problem');
    expect(problem.getAttribute('data-code')).toBe('BAD_INPUT');
    expect(problem.textContent).toContain(`There is no Dockerfile at ${join(contextDir, 'Dockerfile')}`);
    cleanup();
    render(<DockerfileAdvice contextDir="relative/path" platforms={['linux/amd64']} />);
    expect(screen.queryByTestId('dockerfile-advice')).toBeNull();
  });
});

describe('what the advice asks the core for', () => {
  it('resolves a relative Dockerfile as the build does and keeps an absolute one', () => {
    expect(adviceLocation({ contextDir: '/src/app/', dockerfile: './docker/Dockerfile' })).toEqual({ contextDir: '/src/app/', dockerfile: '/src/app/docker/Dockerfile' });
    expect(adviceLocation({ contextDir: '/src/app', dockerfile: '/elsewhere/Dockerfile' })).toEqual({ contextDir: '/src/app', dockerfile: '/elsewhere/Dockerfile' });
    expect(adviceLocation({ contextDir: '/src/app', dockerfile: '  ' })).toEqual({ contextDir: '/src/app' });
    expect(adviceLocation({ contextDir: 'src/app' })).toBeUndefined();
  });

  it('leaves out what is still being typed and sorts the platforms so the same ticks are the same check', () => {
    expect(
      preflightInputFor({
        contextDir: '/src/app',
        platforms: ['linux/riscv64', 'linux/amd64', 'linux/amd64', 'not a platform!'],
        buildArgs: [
          { key: 'VERSION', value: '1.2' },
          { key: '', value: 'x' },
          { key: '9bad', value: 'y' },
        ],
        target: '-x',
      }),
    ).toEqual({ contextDir: '/src/app', platforms: ['linux/amd64', 'linux/riscv64'], buildArgs: { VERSION: '1.2' } });
    expect(preflightInputFor({ contextDir: '/src/app', platforms: [], target: 'final' })).toBeUndefined();
    expect(preflightInputFor({ contextDir: '/src/app', platforms: ['linux/arm64'], target: 'final', buildArgs: { A: '1' } })).toEqual({
      contextDir: '/src/app',
      platforms: ['linux/arm64'],
      target: 'final',
      buildArgs: { A: '1' },
    });
  });
});
