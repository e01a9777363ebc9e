/** Codes every caller can rely on; domains add their own (e.g. ENGINE_UNAVAILABLE). */
export type CoreErrorCode = 'BAD_INPUT' | 'UNKNOWN_CHANNEL' | 'CANCELLED' | 'INTERNAL' | 'DISCONNECTED' | 'BAD_OUTPUT';

export interface WireError {
  code: string;
  message: string;
  /** What the user can do about it. */
  hint?: string;
  data?: unknown;
}

/**
 * The one error type that crosses the contract. `message` says what failed and why; `hint` says
 * what to do. Anything else thrown by a handler is reported as INTERNAL with its message.
 */
export class RpcError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly data: unknown;

  constructor(code: CoreErrorCode | (string & {}), message: string, options: { hint?: string; data?: unknown } = {}) {
    super(message);
    this.name = 'RpcError';
    this.code = code;
    this.hint = options.hint;
    this.data = options.data;
  }

  toWire(): WireError {
    const wire: WireError = { code: this.code, message: this.message };
    if (this.hint !== undefined) wire.hint = this.hint;
    if (this.data !== undefined) wire.data = this.data;
    return wire;
  }

  static fromWire(wire: WireError): RpcError {
    return new RpcError(wire.code, wire.message, { hint: wire.hint, data: wire.data });
  }

  static from(error: unknown): RpcError {
    if (error instanceof RpcError) return error;
    if (error instanceof Error) return new RpcError('INTERNAL', error.message);
    return new RpcError('INTERNAL', String(error));
  }
}

export const isCancelled = (error: unknown): boolean => error instanceof RpcError && error.code === 'CANCELLED';
