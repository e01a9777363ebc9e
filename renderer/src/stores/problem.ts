import { RpcError } from '../../../shared/rpc/errors';

/** An error as the UI shows it: what failed and what to do. */
export interface Problem {
  code: string;
  message: string;
  hint?: string;
}

export function toProblem(error: unknown): Problem {
  const rpc = RpcError.from(error);
  return { code: rpc.code, message: rpc.message, ...(rpc.hint ? { hint: rpc.hint } : {}) };
}
