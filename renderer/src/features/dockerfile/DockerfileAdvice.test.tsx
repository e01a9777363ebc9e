// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
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

  it('shows the change first, writes it with a backup on confirmation, and lists silenced findings', async () => {
    const original = [
      'FROM --platform=$TARGETPLATFORM alpine:3.20',
      '# multiarch-ignore: hardcoded-arch',
      'RUN wget -O /kept https://example.com/kept-linux-amd64',
      'RUN wget -O /tool https://example.com/tool-linux-x86_64.tgz',
      '',
    ].join('\n');
    const contextDir = await context('apply', { Dockerfile: original });
    render(<DockerfileAdvice contextDir={contextDir} platforms={['linux/amd64', 'linux/arm64']} />);
    const advice = await screen.findByTestId('dockerfile-advice');
    await waitFor(() => expect(advice.getAttribute('data-state')).toBe('ready'));

    const suppressed = screen.getByTestId('dockerfile-suppressed');
    expect(within(suppressed).getByTestId('dockerfile-suppressed-finding').getAttribute('data-line')).toBe('3');
    const redundant = screen.getAllByTestId('dockerfile-finding').find((f) => f.getAttribute('data-rule') === 'redundant-target-platform');
    expect(within(redundant!).getByTestId('dockerfile-buildkit-check').textContent).toBe('RedundantTargetPlatform');

    const hardcoded = screen.getAllByTestId('dockerfile-finding').find((f) => f.getAttribute('data-rule') === 'hardcoded-arch');
    expect(hardcoded?.getAttribute('data-line')).toBe('4');
    fireEvent.click(within(hardcoded!).getByTestId('dockerfile-apply'));
    const dialog = await screen.findByTestId('dockerfile-apply-dialog');
    const diff = within(dialog).getByTestId('dockerfile-apply-diff');
    const removed = [...diff.querySelectorAll('[data-kind="-"]')].map((l) => l.textContent?.trimEnd());
    const added = [...diff.querySelectorAll('[data-kind="+"]')].map((l) => l.textContent ?? '');
    expect(removed).toEqual(['4- RUN wget -O /tool https://example.com/tool-linux-x86_64.tgz']);
    expect(added.some((l) => l.includes('amd64) ARCH=x86_64'))).toBe(true);
    expect(added.some((l) => l.includes('tool-linux-${ARCH}.tgz'))).toBe(true);
    // Nothing is written before the confirmation.
    expect(await readFile(join(contextDir, 'Dockerfile'), 'utf8')).toBe(original);

    fireEvent.click(within(dialog).getByTestId('dockerfile-apply-confirm'));
    const note = await screen.findByTestId('dockerfile-applied');
    await waitFor(() => expect(screen.queryByTestId('dockerfile-apply-dialog')).toBeNull());
    const written = await readFile(join(contextDir, 'Dockerfile'), 'utf8');
    expect(written).toContain('tool-linux-${ARCH}.tgz');
    expect(written).toContain('RUN wget -O /kept https://example.com/kept-linux-amd64');
    const backup = note.getAttribute('data-backup') ?? '';
    expect(backup.startsWith(join(dataDir, 'dockerfile-backups'))).toBe(true);
    expect(await readFile(backup, 'utf8')).toBe(original);
    expect(await readdir(join(dataDir, 'dockerfile-backups'))).toHaveLength(1);
    // The page shows the file as written: the finding is gone, the other one stays.
    await waitFor(() => expect(screen.getAllByTestId('dockerfile-finding').map((f) => f.getAttribute('data-rule'))).toEqual(['redundant-target-platform']));
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
