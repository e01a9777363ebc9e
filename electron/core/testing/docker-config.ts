import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The engine tests run once per buildx version: the `engine-buildx-0.13` project points DOCKER_CONFIG at a folder
 * whose `cli-plugins/docker-buildx` is the older buildx (the docker CLI prefers a plugin there to the installed one).
 * A test that needs a DOCKER_CONFIG of its own (scratch builders, config.json auths, a current context) must keep
 * that plugin, or it would silently test the installed buildx instead: these helpers carry it over.
 */
function projectPlugins(): string | undefined {
  const config = process.env.DOCKER_CONFIG;
  const plugins = config ? join(config, 'cli-plugins') : undefined;
  return plugins && existsSync(plugins) ? plugins : undefined;
}

/** Makes `configDir/cli-plugins` the project's plugins (a symbolic link), when the project has its own. */
export async function carryBuildxPlugin(configDir: string): Promise<void> {
  const plugins = projectPlugins();
  await mkdir(configDir, { recursive: true });
  if (plugins) await symlink(plugins, join(configDir, 'cli-plugins'));
}

/** A new temporary DOCKER_CONFIG with the project's buildx plugin; remove it with `rm(dir, { recursive: true })`. */
export async function scratchDockerConfig(prefix = 'mas-test-docker-config-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await carryBuildxPlugin(dir);
  return dir;
}
