import { blockingProblems, checkRequestAlone, type BuildProblem } from '../../../shared/domain/build-request/checks';
import type { BuildRequest } from '../../../shared/domain/build-request/request';
import { RpcError } from '../../../shared/rpc/errors';
import type { PickedPaths } from '../picked-paths';
import { inspectContext } from './context-folder';

/**
 * What a build must pass before it runs: a free build slot, the request's own fields, its context
 * folder and Dockerfile, then the facts of the engine and builder. Each refusal says what failed
 * and what to do, before anything runs.
 */

export function impossible(blocking: readonly BuildProblem[], problems: readonly BuildProblem[]): RpcError {
  return new RpcError('BUILD_IMPOSSIBLE', blocking.map((p) => p.message).join(' '), { hint: blocking.map((p) => p.fix).join(' '), data: { problems } });
}

/** Refuses a build when `running` builds already take every slot. */
export function assertSlotFree(running: number, slots: number): void {
  if (running >= slots) {
    throw new RpcError('BUSY', `${slots} builds are running already; this one was not started.`, { hint: 'Wait for one to end (or cancel one), then build again.' });
  }
}

/** Refuses a request whose own fields cannot make a build (before any fact is read). */
export function assertRequestSound(request: BuildRequest): void {
  const own = blockingProblems(checkRequestAlone(request));
  if (own.length > 0) throw impossible(own, own);
}

/** Refuses a build when any of its checks' problems blocks it (all of them travel with the error). */
export function refuseBlocking(problems: readonly BuildProblem[]): void {
  const blocking = blockingProblems(problems);
  if (blocking.length > 0) throw impossible(blocking, problems);
}

/** The context folder and Dockerfile of a request, refused with the reason when unusable. */
export async function checkedContext(request: Pick<BuildRequest, 'context' | 'dockerfile'>, picked: PickedPaths): Promise<Awaited<ReturnType<typeof inspectContext>>> {
  const context = await inspectContext(request.context, request.dockerfile, picked);
  if (!context.ok) {
    const p = context.problems[0]!;
    throw new RpcError('BUILD_CONTEXT_INVALID', p.message, { hint: p.hint, data: { problems: context.problems } });
  }
  return context;
}
