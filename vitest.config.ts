import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

const stackDir = process.env.STACK_DIR ?? '/var/lib/multiarch-studio-stack';

// Tests that drive the REAL Docker stack run serially (the engine, binfmt_misc and builders are machine-wide state),
// once per buildx version: the installed plugin, then the older one the stack keeps beside it in its own
// DOCKER_CONFIG (the docker CLI prefers $DOCKER_CONFIG/cli-plugins). Groups run one after the other: unit, engine,
// engine-buildx-0.13.
const engine: TestProjectInlineConfiguration['test'] = {
  include: ['electron/**/*.engine.test.ts'],
  environment: 'node',
  fileParallelism: false,
  testTimeout: 120_000,
  hookTimeout: 180_000,
  // Says which buildx each project really runs (and fails the project if it is not the one it is named after).
  globalSetup: ['electron/core/testing/buildx-under-test.ts'],
};

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['shared/**/*.test.ts', 'electron/**/*.unit.test.ts', 'renderer/**/*.test.{ts,tsx}'],
          environment: 'node',
          // limits that only stop a hang (see the setup file): speed is measured by `npm run bench`
          testTimeout: 60_000,
          setupFiles: ['renderer/src/testing/unit-setup.ts'],
          // GitHub's workflow parser imports its schema as JSON without an import attribute, as bundlers allow.
          server: { deps: { inline: ['@actions/workflow-parser'] } },
        },
      },
      {
        test: { ...engine, name: 'engine', sequence: { groupOrder: 1 } },
      },
      {
        test: {
          ...engine,
          name: 'engine-buildx-0.13',
          env: {
            DOCKER_CONFIG: process.env.MAS_TEST_BUILDX_LEGACY_CONFIG ?? `${stackDir}/buildx-0.13`,
            MAS_TEST_BUILDX_EXPECTED: '0.13.',
          },
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
