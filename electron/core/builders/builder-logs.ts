import type { BuilderLogs } from '../../../shared/contract/builders';
import { containerName } from '../../../shared/domain/buildx/commands';
import { RpcError } from '../../../shared/rpc/errors';
import type { CoreContext } from '../context';
import type { BuilderListing } from './builder-listing';
import { demuxDockerLog } from './docker-logs';

/** The most of a container's log the app hands over; older lines are cut. */
const LOG_LIMIT = 512 * 1024;

/** The BuildKit container's log of a docker-container node on the app's engine, read through the engine. */
export async function builderLogs(ctx: CoreContext, listing: BuilderListing, name: string, nodeName: string | undefined, tail: number, signal?: AbortSignal): Promise<BuilderLogs> {
  const builder = await listing.summary(name, signal);
  if (builder.driver !== 'docker-container') {
    throw new RpcError('BUILDER_NO_CONTAINER', `"${name}" uses the ${builder.driver} driver, which runs no BuildKit container of its own.`, {
      hint: builder.driver === 'docker' ? 'Its BuildKit is part of the Docker engine: read the engine\'s log (journalctl -u docker).' : 'Read the log where that BuildKit runs.',
    });
  }
  const node = nodeName ? builder.nodes.find((n) => n.name === nodeName) : builder.nodes[0];
  if (!node) throw new RpcError('BUILDER_NODE_NOT_FOUND', `"${name}" has no node "${nodeName ?? ''}".`, { hint: `Its nodes: ${builder.nodes.map((n) => n.name).join(', ')}.` });
  if (!node.local) {
    throw new RpcError('BUILDER_NODE_REMOTE', `Node "${node.name}" runs on another engine (${node.endpoint}), not the one this app is connected to.`, {
      hint: `Read it there: docker --host ${node.endpoint} logs ${containerName(node.name)}`,
    });
  }
  const container = containerName(node.name);
  const command = ctx.cli.display(['logs', '--tail', String(tail), container]);
  const docker = ctx.engine.client();
  let raw: Buffer;
  let tty = false;
  try {
    const handle = docker.getContainer(container);
    tty = Boolean((await handle.inspect()).Config?.Tty);
    const out: unknown = await handle.logs({ stdout: true, stderr: true, tail, follow: false, abortSignal: signal } as { follow: false });
    raw = Buffer.isBuffer(out) ? out : Buffer.from(String(out));
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) {
      throw new RpcError('BUILDER_NOT_STARTED', `Builder "${name}" has no container ${container} yet: it has never started, or was removed.`, {
        hint: 'Start it (Inspect / Bootstrap), then look again.',
        data: { command },
      });
    }
    throw RpcError.from(error);
  }
  const text = demuxDockerLog(raw, tty);
  return { builder: name, node: node.name, container, text: text.length > LOG_LIMIT ? text.slice(-LOG_LIMIT) : text, command, truncated: text.length > LOG_LIMIT };
}
