// One way to bundle the app's TypeScript for Node: the main process and headless server (build),
// the benchmarks' Node parts (bench) and the headless child the tests run as another user.
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { resolve } from 'node:path';
import { build } from 'vite';

/**
 * Bundles `input` (entry name → file) into `outDir` as ES modules for Node 20, unminified. Node's
 * own modules, `electron` and the app's npm dependencies stay imports, so a bundle resolves them
 * from the project's node_modules at run time: put it inside the project.
 * @param {{ root: string, input: Record<string, string>, outDir: string, sourcemap?: boolean, entryFileNames?: string, chunkFileNames?: string }} options
 */
export async function bundleForNode({ root, input, outDir, sourcemap = false, entryFileNames = '[name].mjs', chunkFileNames = '[name]-[hash].mjs' }) {
  const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));
  await build({
    configFile: false,
    logLevel: 'warn',
    define: { __APP_VERSION__: JSON.stringify(pkg.version) },
    build: {
      outDir,
      emptyOutDir: false,
      ssr: true,
      target: 'node20',
      minify: false,
      sourcemap,
      rollupOptions: {
        input,
        external: ['electron', ...builtinModules, ...builtinModules.map((m) => `node:${m}`), ...Object.keys(pkg.dependencies)],
        output: { format: 'es', entryFileNames, chunkFileNames },
      },
    },
  });
}
