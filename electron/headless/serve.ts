import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { settingsPatch } from '../../shared/contract/settings';
import { createCore } from '../core/composition';
import { appVersion } from '../core/app-version';
import { startHeadlessServer } from './server';

// `npm run serve`: the same core under plain Node, the same renderer in any browser.
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'data-dir': { type: 'string' },
    settings: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`Usage: npm run serve -- [--port N] [--data-dir DIR] [--settings JSON]
  --port       port on 127.0.0.1 (default: a free one)
  --data-dir   where settings, history and logs live (default: ~/.multiarch-studio)
  --settings   settings applied on top of the settings file for this run, as JSON`);
  process.exit(0);
}

const here = dirname(fileURLToPath(import.meta.url));
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a whole number from 0 to 65535, not "${values.port}".`);
  process.exit(2);
}
let overrides = {};
if (values.settings) {
  let json: unknown;
  try {
    json = JSON.parse(values.settings);
  } catch (error) {
    console.error(`--settings must be JSON, e.g. '{"emulators":{"autoRestore":true}}': ${(error as Error).message}`);
    process.exit(2);
  }
  const parsed = settingsPatch.safeParse(json);
  if (!parsed.success) {
    console.error(`--settings is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    process.exit(2);
  }
  overrides = parsed.data;
}

const core = await createCore({
  mode: 'headless',
  dataDir: resolve(values['data-dir'] ?? join(homedir(), '.multiarch-studio')),
  version: appVersion(),
  settingsOverrides: overrides,
});
const server = await startHeadlessServer({ core, rendererDir: join(here, '..', 'renderer'), port });
console.log(`Multiarch Studio is serving on 127.0.0.1 only. Open:\n${server.url}`);

const shutdown = () => {
  void Promise.all([server.close(), core.dispose()]).then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
