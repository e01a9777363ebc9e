import { readFile, readdir } from 'node:fs/promises';
import { hostname, release } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { parseBinfmtDump, type BinfmtDump } from '../../../shared/domain/binfmt/entries';
import { RpcError } from '../../../shared/rpc/errors';
import { engineMessage, imageExists, pullImage, runContainer, uniqueName } from './containers';

export const BINFMT_MISC = '/proc/sys/fs/binfmt_misc';

export interface HostFacts {
  /** Engine `/info`: the Docker host's kernel, name and architecture. */
  kernel: string;
  name: string;
  architecture: string;
  osType: string;
}

export interface HostDump {
  dump: BinfmtDump;
  /** binfmt_misc is mounted where it was read (its `status` file exists). */
  mounted: boolean;
  source: 'local' | 'engine';
  sourceDetail: string;
}

/**
 * The entries live on the Docker host's kernel, which may be another machine or a VM (Docker Desktop,
 * colima, a remote daemon). Reading this machine's /proc is only right when the engine runs on this very
 * kernel: a unix socket on Linux, and the engine reports our kernel release and host name. Docker Desktop
 * for Linux also answers on a unix socket but runs its own kernel, which the release check tells apart.
 */
export function engineIsLocal(facts: HostFacts, endpointHost: string, hostPlatform: NodeJS.Platform): boolean {
  return hostPlatform === 'linux' && endpointHost.startsWith('unix://') && facts.kernel === release() && facts.name === hostname();
}

/** Reads the mount on this machine directly (fast path; see engineIsLocal). */
export async function readLocalBinfmt(dir = BINFMT_MISC): Promise<HostDump> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    names = [];
  }
  const mounted = names.includes('status');
  const parts: string[] = [];
  for (const name of names.sort()) {
    if (name === 'register') continue;
    try {
      parts.push(`== ${name}\n${await readFile(join(dir, name), 'utf8')}`);
    } catch {
      // An entry removed between readdir and read: it is gone, which is what the next read shows.
    }
  }
  return { dump: parseBinfmtDump(parts.join('\n')), mounted, source: 'local', sourceDetail: `${dir} on this machine (the engine runs on this kernel)` };
}

/** Prints every file of the bind-mounted folder as `== name` + contents (the format parseBinfmtDump reads). */
const DUMP_SCRIPT = 'cd /host-binfmt-misc 2>/dev/null || exit 0; for f in *; do [ -e "$f" ] || continue; [ "$f" = register ] && continue; echo "== $f"; cat "$f"; done';

/**
 * Reads the host's binfmt_misc through the engine: a short-lived, NON-privileged container of the test
 * image with the host's /proc/sys/fs/binfmt_misc bind-mounted read-only. Works for remote engines and
 * VMs alike, and needs no consent since it can change nothing.
 */
export async function readBinfmtThroughEngine(
  docker: Docker,
  image: string,
  options: { signal?: AbortSignal; pullIfMissing?: boolean } = {},
): Promise<HostDump> {
  if (!(await imageExists(docker, image))) {
    if (options.pullIfMissing === false) throw readerImageMissing(image, 'it is not on the engine');
    try {
      await pullImage(docker, image, { signal: options.signal });
    } catch (error) {
      throw readerImageMissing(image, `pulling it failed: ${engineMessage(error)}`);
    }
  }
  let result;
  try {
    result = await runContainer(docker, {
      image,
      name: uniqueName('mas-binfmt-read'),
      role: 'binfmt-reader',
      entrypoint: ['sh', '-c'],
      cmd: [DUMP_SCRIPT],
      binds: [`${BINFMT_MISC}:/host-binfmt-misc:ro`],
      signal: options.signal,
      timeoutMs: 30_000,
    });
  } catch (error) {
    if (error instanceof RpcError) throw error;
    throw new RpcError('EMULATORS_UNREADABLE', `Cannot read the Docker host's binfmt_misc through the engine: ${engineMessage(error)}`, {
      hint: `The app runs a short, unprivileged container of ${image} with ${BINFMT_MISC} mounted read-only. If the engine refuses that mount (some Docker Desktop setups), check emulation with the Test buttons instead.`,
    });
  }
  if (result.exitCode !== 0) {
    throw new RpcError('EMULATORS_UNREADABLE', `Reading the Docker host's binfmt_misc failed (exit ${result.exitCode}): ${(result.stderr || result.stdout).trim().split('\n')[0] ?? ''}`, {
      hint: `The test image ${image} must have /bin/sh and cat (a busybox-based image does). Change it under Settings on this page.`,
    });
  }
  const mounted = /^== status$/m.test(result.stdout);
  return { dump: parseBinfmtDump(result.stdout), mounted, source: 'engine', sourceDetail: `${BINFMT_MISC} of the Docker host, read by an unprivileged ${image} container` };
}

function readerImageMissing(image: string, why: string): RpcError {
  return new RpcError('EMULATORS_UNREADABLE', `Cannot read the Docker host's emulators: the test image ${image} is needed to look at its binfmt_misc, and ${why}.`, {
    hint: `Load it on the engine (on a connected machine: docker pull ${image} && docker save ${image} -o image.tar; here: docker load -i image.tar), or set the test image to one the engine has or can pull (a mirror or pinned tag) in the settings on this page.`,
  });
}
