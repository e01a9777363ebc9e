import { endpoints, type ClientOf, type ContractShape } from './define';
import { RpcError } from './errors';
import { UnreadableFrame, type Frame, type Transport } from './frames';

interface Pending {
  resolve(value: unknown): void;
  reject(error: RpcError): void;
  onChunk?: (chunk: unknown) => unknown;
  /** Stream units acknowledged so far. */
  acked: number;
}

export interface ClientOptions {
  /**
   * The other side could not read a frame and could not tie it to a call (a bug in a transport,
   * or a message the other side does not know). Reported to the console when not given.
   */
  onFault?: (error: RpcError) => void;
}

/**
 * Builds `api.group.verb(...)` from the contract itself, so the renderer cannot call a channel
 * that does not exist and every call has the contract's types. Every call ends: with its answer,
 * its error, or DISCONNECTED when the connection goes.
 */
export function createClient<C extends ContractShape>(contract: C, transport: Transport, options: ClientOptions = {}): ClientOf<C> {
  let nextId = 1;
  let closed = false;
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const fault = options.onFault ?? ((error: RpcError) => console.error(`rpc: ${error.message}`));

  const settle = (id: number, outcome: { output: unknown } | { error: RpcError }) => {
    const call = pending.get(id);
    if (!call) return;
    pending.delete(id);
    if ('error' in outcome) call.reject(outcome.error);
    else call.resolve(outcome.output);
  };

  const trySend = (frame: Frame) => {
    if (closed) return;
    try {
      transport.send(frame);
    } catch {
      // a lost ack, cancel or unsub: the connection is going, and its close ends the calls
    }
  };

  /** A chunk counts as consumed when its handler's promise settles (at once without one); then it is acknowledged. */
  function receiveChunk(id: number, seq: number, data: unknown) {
    const call = pending.get(id);
    if (!call) return;
    const consumed = () => {
      if (pending.get(id) !== call || seq <= call.acked) return;
      call.acked = seq;
      trySend({ t: 'ack', id, seq });
    };
    let paced: unknown;
    try {
      paced = call.onChunk?.(data);
    } catch (error) {
      trySend({ t: 'cancel', id });
      settle(id, { error: new RpcError('INTERNAL', `A chunk could not be handled: ${(error as Error).message ?? String(error)}`) });
      return;
    }
    if (paced instanceof Promise) paced.then(consumed, consumed);
    else consumed();
  }

  transport.onFrame((raw: unknown) => {
    if (raw instanceof UnreadableFrame || typeof raw !== 'object' || raw === null) {
      fault(new RpcError('BAD_FRAME', `A message from the app core could not be read: ${raw instanceof UnreadableFrame ? raw.reason : typeof raw}.`));
      return;
    }
    // Frames come from our own core: their shape is its contract with us.
    const frame = raw as Frame;
    switch (frame.t) {
      case 'res':
        settle(frame.id, { output: frame.output });
        break;
      case 'err':
        settle(frame.id, { error: RpcError.fromWire(frame.error) });
        break;
      case 'chunk':
        receiveChunk(frame.id, frame.seq, frame.data);
        break;
      case 'event':
        for (const listener of listeners.get(frame.ch) ?? []) listener(frame.payload);
        break;
      case 'fault':
        fault(RpcError.fromWire(frame.error));
        break;
      default:
        fault(new RpcError('BAD_FRAME', `The app core sent a frame of unknown type "${String((frame as { t?: unknown }).t)}".`));
        break;
    }
  });

  transport.onClose(() => {
    closed = true;
    const calls = [...pending.values()];
    pending.clear();
    for (const call of calls) call.reject(new RpcError('DISCONNECTED', 'The connection to the app core was lost.', { hint: 'Reload the window to reconnect.' }));
  });

  const call = (ch: string, input: unknown, onChunk?: (chunk: unknown) => unknown) => {
    const id = nextId++;
    const result = new Promise<unknown>((resolve, reject) => {
      if (closed) {
        reject(new RpcError('DISCONNECTED', 'The connection to the app core is closed.', { hint: 'Reload the window to reconnect.' }));
        return;
      }
      pending.set(id, { resolve, reject, onChunk, acked: 0 });
      try {
        transport.send({ t: 'req', id, ch, input });
      } catch (error) {
        pending.delete(id);
        reject(RpcError.from(error));
      }
    });
    return { id, result };
  };

  const api: Record<string, Record<string, unknown>> = {};
  for (const { group, key, name, def } of endpoints(contract)) {
    const target = (api[group] ??= {});
    if (def.kind === 'request') {
      target[key] = (input: unknown) => call(name, input).result;
    } else if (def.kind === 'stream') {
      target[key] = (input: unknown, options: { onChunk?: (chunk: unknown) => unknown } = {}) => {
        const { id, result } = call(name, input, options.onChunk);
        return {
          result,
          cancel: () => {
            if (pending.has(id)) trySend({ t: 'cancel', id });
          },
        };
      };
    } else {
      target[key] = (listener: (payload: unknown) => void) => {
        let set = listeners.get(name);
        if (!set) {
          set = new Set();
          listeners.set(name, set);
          trySend({ t: 'sub', ch: name });
        }
        set.add(listener);
        return () => {
          set.delete(listener);
          if (set.size === 0) {
            listeners.delete(name);
            trySend({ t: 'unsub', ch: name });
          }
        };
      };
    }
  }
  return api as ClientOf<C>;
}
