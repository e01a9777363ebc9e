import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'http', 'net', 'url', 'util', 'stream'];
const restrict = (patterns, message) => ({ group: patterns, message });

// Layers by runtime, enforced here (see the design notes in README):
//   shared/          isomorphic: no electron, no node:*, nothing of ours outside shared/
//   electron/core/   plain Node: never 'electron', never the renderer
//   electron/preload only contract names and electron
//   renderer/        shared and the DOM: no node, no electron, no core
export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'scripts/stack/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // Raw IPC lives only in the two transport files.
      'no-restricted-syntax': 'off',
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            restrict(['electron', ...nodeBuiltins], 'shared/ is isomorphic: it runs in the renderer and in Node.'),
            restrict(['**/electron/**', '**/renderer/**'], 'shared/ imports nothing of ours outside shared/.'),
          ],
        },
      ],
    },
  },
  {
    files: ['electron/core/**/*.ts', 'electron/headless/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The core runs under plain Node too (headless mode): no electron here.' }],
          patterns: [restrict(['**/renderer/**', '**/electron/main/**', '**/electron/preload/**'], 'The core does not reach into the shell or the renderer.')],
        },
      ],
    },
  },
  {
    // Shell modules receive the parts of electron they use (electron-api.ts), so they run against the
    // recording stand-in in tests; only the entry point imports the real module, to hand it over.
    // Raw IPC (ipcMain) is used by ipc-transport.ts alone.
    files: ['electron/main/**/*.ts'],
    ignores: ['electron/main/main.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', allowTypeImports: true, message: 'Shell modules get electron injected (electron-api.ts); only main.ts imports it.' }],
          patterns: [restrict(['**/renderer/**'], 'Main does not import the renderer.')],
        },
      ],
    },
  },
  {
    files: ['electron/main/main.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [restrict(['**/renderer/**'], 'Main does not import the renderer.')] }] },
  },
  {
    files: ['electron/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [restrict(['**/electron/core/**', '**/electron/main/**', '**/renderer/**', ...nodeBuiltins], 'The preload exposes only the bridge.')] },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer talks to main only through the contract client.' }],
          patterns: [
            restrict(nodeBuiltins, 'The renderer runs in a sandboxed page: no Node.'),
            restrict(['**/electron/**'], 'The renderer imports only shared/ (the contract), not main-process code.'),
          ],
        },
      ],
    },
  },
  {
    // Renderer tests run a real core behind the in-memory transport.
    files: ['renderer/**/*.test.{ts,tsx}', 'renderer/src/testing/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
