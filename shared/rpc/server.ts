import type { z } from 'zod';
import { endpoints, type ContractShape, type EndpointEntry, type EventsOf, type HandlersOf } from './define';
import { RpcError, type WireError } from './errors';
import { frameSchema, STREAM_WINDOW, type Frame, type Transport } from './frames';

export interface ServerOptions {
  /** Validate handler outputs too (tests), so handlers cannot drift from their schemas. */
  validateOutputs?: boolean;
  /** Reports handler failures that are not RpcErrors (bugs), for the log. */
  onInternalError?: (channel: string, error: unknown) => void;
}

export interface RpcServer<C extends ContractShape> {
  /** Serves one connection until its transport closes; returns a function that ends it early. */
  connect(transport: Transport): () => void;
  /** Sends an event to every connection subscribed to it. */
  emit<N extends keyof EventsOf<C> & string>(name: N, payload: EventsOf<C>[N]): void;
  /** Number of live connections (for diagnostics and tests). */
  readonly connections: number;
}

type AnyHandler = (input: unknown, ctx: unknown) => unknown;

/** Calls one connection may have running at once (the UI needs a few dozen at most). */
export const MAX_RUNNING_PER_CONNECTION = 256;

/** Walks the contract and returns the handler of every request and stream, or throws naming the missing ones. */
export function bindHandlers(contract: ContractShape, handlers: object): Map<string, { entry: EndpointEntry; fn: AnyHandler }> {
  const bound = new Map<string, { entry: EndpointEntry; fn: AnyHandler }>();
  const missing: string[] = [];
  const table = handlers as Record<string, Record<string, unknown> | undefined>;
  for (const entry of endpoints(contract)) {
    if (entry.def.kind === 'event') continue;
    const fn = table[entry.group]?.[entry.key];
    if (typeof fn !== 'function') missing.push(entry.name);
    else bound.set(entry.name, { entry, fn: fn as AnyHandler });
  }
  if (missing.length > 0) throw new Error(`No handler for contract channel(s): ${missing.join(', ')}`);
  return bound;
}

const badInput = (channel: string, error: z.ZodError): RpcError =>
  new RpcError('BAD_INPUT', `Invalid input for ${channel}: ${error.issues.map(formatIssue).join('; ')}`, {
    data: { issues: error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) },
  });

const formatIssue = (issue: z.core.$ZodIssue): string =>
  issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message;

export function createServer<C extends ContractShape>(
  contract: C,
  handlers: HandlersOf<C>,
  options: ServerOptions = {},
): RpcServer<C> {
  const bound = bindHandlers(contract, handlers);
  const eventNames = new Set(endpoints(contract).filter((e) => e.def.kind === 'event').map((e) => e.name));
  const connections = new Set<{ transport: Transport; subscriptions: Set<string> }>();

  function connect(transport: Transport): () => void {
    const conn = { transport, subscriptions: new Set<string>() };
    const running = new Map<number, { abort: AbortController; acked: number; sent: number; wake?: () => void }>();
    let open = true;
    connections.add(conn);

    const send = (frame: Frame) => {
      if (open) transport.send(frame);
    };
    const fail = (id: number, error: unknown, channel: string) => {
      const rpc = RpcError.from(error);
      if (!(error instanceof RpcError)) options.onInternalError?.(channel, error);
      send({ t: 'err', id, error: rpc.toWire() satisfies WireError });
    };

    async function run(id: number, channel: string, rawInput: unknown) {
      const target = bound.get(channel);
      if (!target) {
        send({ t: 'err', id, error: { code: 'UNKNOWN_CHANNEL', message: `Unknown channel "${channel}"` } });
        return;
      }
      const { def } = target.entry;
      if (def.kind === 'event') return;
      const parsed = def.input.safeParse(rawInput);
      if (!parsed.success) {
        send({ t: 'err', id, error: badInput(channel, parsed.error).toWire() });
        return;
      }
      const abort = new AbortController();
      const state: { abort: AbortController; acked: number; sent: number; wake?: () => void } = { abort, acked: 0, sent: 0 };
      running.set(id, state);
      const ctx = {
        signal: abort.signal,
        emit: async (chunk: unknown) => {
          if (def.kind !== 'stream') throw new Error(`${channel} is not a stream`);
          if (abort.signal.aborted) throw new RpcError('CANCELLED', `${channel} was cancelled`);
          const data = options.validateOutputs ? validate(def.chunk, chunk, channel, 'chunk') : chunk;
          state.sent += 1;
          send({ t: 'chunk', id, seq: state.sent, data });
          while (state.sent - state.acked >= STREAM_WINDOW && !abort.signal.aborted) {
            await new Promise<void>((resolve) => (state.wake = resolve));
          }
        },
      };
      try {
        const output = await target.fn(parsed.data, ctx);
        if (abort.signal.aborted) throw new RpcError('CANCELLED', `${channel} was cancelled`);
        const schema = def.kind === 'request' ? def.output : def.result;
        send({ t: 'res', id, output: options.validateOutputs ? validate(schema, output, channel, 'output') : output });
      } catch (error) {
        fail(id, abort.signal.aborted ? new RpcError('CANCELLED', `${channel} was cancelled`) : error, channel);
      } finally {
        running.delete(id);
      }
    }

    const offFrame = transport.onFrame((raw) => {
      const parsed = frameSchema.safeParse(raw);
      if (!parsed.success) return; // not our protocol: ignore rather than crash the connection
      const frame = parsed.data;
      switch (frame.t) {
        case 'req':
          // An id already running would take over its cancel and flow control; a peer that floods
          // requests would hold unbounded work. Both are refused without running anything.
          if (running.has(frame.id)) {
            send({ t: 'err', id: frame.id, error: { code: 'BAD_FRAME', message: `Request id ${frame.id} is already running.` } });
          } else if (running.size >= MAX_RUNNING_PER_CONNECTION) {
            send({
              t: 'err',
              id: frame.id,
              error: { code: 'BUSY', message: `${frame.ch} was not started: ${MAX_RUNNING_PER_CONNECTION} calls are already running on this connection.`, hint: 'Wait for some to finish, then try again.' },
            });
          } else {
            void run(frame.id, frame.ch, frame.input);
          }
          break;
        case 'cancel': {
          const state = running.get(frame.id);
          state?.abort.abort();
          state?.wake?.();
          break;
        }
        case 'ack': {
          const state = running.get(frame.id);
          if (state) {
            state.acked = Math.max(state.acked, frame.seq);
            state.wake?.();
          }
          break;
        }
        case 'sub':
          if (eventNames.has(frame.ch)) conn.subscriptions.add(frame.ch);
          break;
        case 'unsub':
          conn.subscriptions.delete(frame.ch);
          break;
        default:
          break;
      }
    });

    const close = () => {
      if (!open) return;
      open = false;
      offFrame();
      offClose();
      connections.delete(conn);
      for (const state of running.values()) {
        state.abort.abort();
        state.wake?.();
      }
    };
    const offClose = transport.onClose(close);
    return close;
  }

  return {
    connect,
    emit(name, payload) {
      for (const conn of connections) {
        if (conn.subscriptions.has(name)) conn.transport.send({ t: 'event', ch: name, payload });
      }
    },
    get connections() {
      return connections.size;
    },
  };
}

function validate(schema: z.ZodType, value: unknown, channel: string, what: string): unknown {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new RpcError('BAD_OUTPUT', `Handler of ${channel} produced an invalid ${what}: ${parsed.error.message}`);
  }
  return parsed.data;
}
