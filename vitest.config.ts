import { defineConfig } from 'vitest/config';

// Two projects: pure code (fast, parallel) and code that drives the REAL Docker stack
// (serial: the engine, binfmt_misc and builders are machine-wide state).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['shared/**/*.test.ts', 'electron/**/*.unit.test.ts', 'renderer/**/*.test.{ts,tsx}'],
          environment: 'node',
          // GitHub's workflow parser imports its schema as JSON without an import attribute, as bundlers allow.
          server: { deps: { inline: ['@actions/workflow-parser'] } },
        },
      },
      {
        test: {
          name: 'engine',
          include: ['electron/**/*.engine.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
