import type { ErrorCode, Problem } from '../contract/errors';

export type { ErrorCode, Problem } from '../contract/errors';

/** What crosses the wire for a failed call: a Problem. */
export type WireError = Problem;

/**
 * The one error type that crosses the contract. `message` says what failed and why; `hint` says
 * what to do. Anything else thrown by a handler is reported as INTERNAL with its message. Codes
 * come from the catalogue (shared/contract/errors.ts): a free string is a compile error.
 */
export class RpcError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  readonly hint: string | undefined;
  readonly data: unknown;

  constructor(code: C, message: string, options: { hint?: string; data?: unknown } = {}) {
    super(message);
    this.name = 'RpcError';
    this.code = code;
    this.hint = options.hint;
    this.data = options.data;
  }

  toWire(): Problem<C> {
    const wire: Problem<C> = { code: this.code, message: this.message };
    if (this.hint !== undefined) wire.hint = this.hint;
    if (this.data !== undefined) wire.data = this.data;
    return wire;
  }

  /** A problem from the wire; its code is the core's, from the same catalogue. */
  static fromWire(wire: { code: string; message: string; hint?: string; data?: unknown }): RpcError {
    return new RpcError(wire.code as ErrorCode, wire.message, { hint: wire.hint, data: wire.data });
  }

  static from(error: unknown): RpcError {
    if (error instanceof RpcError) return error;
    if (error instanceof Error) return new RpcError('INTERNAL', error.message);
    return new RpcError('INTERNAL', String(error));
  }
}

export const isCancelled = (error: unknown): boolean => error instanceof RpcError && error.code === 'CANCELLED';
