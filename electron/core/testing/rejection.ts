import { RpcError } from '../../../shared/rpc/errors';

/** The error a call was refused with; fails the test when it was not refused. */
export async function rejection(promise: Promise<unknown>): Promise<RpcError> {
  try {
    await promise;
  } catch (error) {
    return RpcError.from(error);
  }
  throw new Error('expected a refusal');
}
