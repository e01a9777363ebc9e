import type { ClassifyContext } from '../../../shared/domain/build-progress/classify';
import { containerName, inspectArgs } from '../../../shared/domain/buildx/commands';
import { parseInspect } from '../../../shared/domain/buildx/inspect-text';
import type { CoreContext } from '../context';

/**
 * A build whose BuildKit connection broke says only "Unavailable … EOF". Asked right after, the
 * engine and the builder tell what went away: the engine (it no longer answers), or the builder's
 * BuildKit container (gone or stopped on a running engine). Undefined when neither is known.
 */
export async function whatWasLost(ctx: Pick<CoreContext, 'engine' | 'cli'>, builder: { name: string; driver?: string | undefined }): Promise<ClassifyContext['lost']> {
  const state = await ctx.engine.reconnect();
  if (state.status !== 'connected' || builder.driver === 'docker') return { engine: state.endpoint.host };
  if (builder.driver !== 'docker-container') return { builder: builder.name, ...(builder.driver ? { driver: builder.driver } : {}) };
  const inspected = await ctx.cli.run(inspectArgs(builder.name, false), { timeoutMs: 30_000 }).catch(() => undefined);
  const nodes = (inspected?.code === 0 ? parseInspect(inspected.stdout)?.nodes : undefined) ?? [];
  const names = nodes.length > 0 ? nodes.map((n) => containerName(n.name)) : [containerName(`${builder.name}0`)];
  const docker = ctx.engine.client();
  for (const name of names) {
    const running = await docker
      .getContainer(name)
      .inspect()
      .then(
        (c) => Boolean(c.State?.Running),
        () => false,
      );
    if (!running) return { builder: builder.name, driver: builder.driver, container: name };
  }
  return undefined;
}
