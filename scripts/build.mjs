// Builds the three parts with one tool: the renderer (web), the main process and headless
// server (Node ESM), and the preload script (CommonJS, as sandboxed preloads must be).
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { build } from 'vite';
import { bundleForNode } from './node-bundle.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));
const define = { __APP_VERSION__: JSON.stringify(pkg.version) };
const quiet = { configFile: false, logLevel: 'warn', define };

await rm(resolve(root, 'dist'), { recursive: true, force: true });

await build({
  ...quiet,
  root: resolve(root, 'renderer'),
  base: './',
  plugins: [react()],
  build: { outDir: resolve(root, 'dist/renderer'), emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 },
});

await bundleForNode({
  root,
  outDir: resolve(root, 'dist'),
  input: { 'electron/main': resolve(root, 'electron/main/main.ts'), 'headless/serve': resolve(root, 'electron/headless/serve.ts') },
  sourcemap: true,
  entryFileNames: '[name].js',
  chunkFileNames: 'chunks/[name]-[hash].js',
});

await build({
  ...quiet,
  build: {
    outDir: resolve(root, 'dist/electron'),
    emptyOutDir: false,
    ssr: true,
    target: 'node20',
    minify: false,
    rollupOptions: {
      input: { preload: resolve(root, 'electron/preload/preload.ts') },
      external: ['electron'],
      output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
    },
  },
  ssr: { noExternal: true },
});

console.log('built dist/renderer, dist/electron (main.js, preload.cjs), dist/headless/serve.js');
