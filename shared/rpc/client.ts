import { endpoints, type ClientOf, type ContractShape } from './define';
import { RpcError } from './errors';
import { STREAM_WINDOW, type Frame, type Transport } from './frames';

interface Pending {
  resolve(value: unknown): void;
  reject(error: RpcError): void;
  onChunk?: (chunk: unknown) => void;
}

/**
 * Builds `api.group.verb(...)` from the contract itself, so the renderer cannot call a channel
 * that does not exist and every call has the contract's types.
 */
export function createClient<C extends ContractShape>(contract: C, transport: Transport): ClientOf<C> {
  let nextId = 1;
  let closed = false;
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();

  transport.onFrame((frame: Frame) => {
    switch (frame.t) {
      case 'res':
        pending.get(frame.id)?.resolve(frame.output);
        pending.delete(frame.id);
        break;
      case 'err':
        pending.get(frame.id)?.reject(RpcError.fromWire(frame.error));
        pending.delete(frame.id);
        break;
      case 'chunk': {
        const call = pending.get(frame.id);
        call?.onChunk?.(frame.data);
        // Acknowledge in half-window steps: cheap, and the sender never stalls while we keep up.
        if (call && frame.seq % (STREAM_WINDOW / 2) === 0) transport.send({ t: 'ack', id: frame.id, seq: frame.seq });
        break;
      }
      case 'event':
        for (const listener of listeners.get(frame.ch) ?? []) listener(frame.payload);
        break;
      default:
        break;
    }
  });

  transport.onClose(() => {
    closed = true;
    for (const call of pending.values()) call.reject(new RpcError('DISCONNECTED', 'The connection to the app core was lost.'));
    pending.clear();
  });

  const call = (ch: string, input: unknown, onChunk?: (chunk: unknown) => void) => {
    const id = nextId++;
    const result = new Promise<unknown>((resolve, reject) => {
      if (closed) {
        reject(new RpcError('DISCONNECTED', 'The connection to the app core is closed.'));
        return;
      }
      pending.set(id, { resolve, reject, onChunk });
      transport.send({ t: 'req', id, ch, input });
    });
    return { id, result };
  };

  const api: Record<string, Record<string, unknown>> = {};
  for (const { group, key, name, def } of endpoints(contract)) {
    const target = (api[group] ??= {});
    if (def.kind === 'request') {
      target[key] = (input: unknown) => call(name, input).result;
    } else if (def.kind === 'stream') {
      target[key] = (input: unknown, options: { onChunk?: (chunk: unknown) => void } = {}) => {
        const { id, result } = call(name, input, options.onChunk);
        return {
          result,
          cancel: () => {
            if (pending.has(id) && !closed) transport.send({ t: 'cancel', id });
          },
        };
      };
    } else {
      target[key] = (listener: (payload: unknown) => void) => {
        let set = listeners.get(name);
        if (!set) {
          set = new Set();
          listeners.set(name, set);
          transport.send({ t: 'sub', ch: name });
        }
        set.add(listener);
        return () => {
          set.delete(listener);
          if (set.size === 0) {
            listeners.delete(name);
            if (!closed) transport.send({ t: 'unsub', ch: name });
          }
        };
      };
    }
  }
  return api as ClientOf<C>;
}
