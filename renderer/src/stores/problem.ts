import { RpcError, type Problem } from '../../../shared/rpc/errors';

export type { Problem };

export function toProblem(error: unknown): Problem {
  const rpc = RpcError.from(error);
  return rpc.toWire();
}
