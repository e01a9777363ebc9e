import type { z } from 'zod';
import { endpoints, type ContractShape, type EndpointEntry, type EventsOf, type HandlersOf } from './define';
import { RpcError, type WireError } from './errors';
import { frameSchema, readCallId, UnreadableFrame, type Frame, type Transport } from './frames';

export interface ServerOptions {
  /** Validate handler outputs too (tests), so handlers cannot drift from their schemas. */
  validateOutputs?: boolean;
  /** Reports handler failures that are not RpcErrors (bugs), and faults the peer reports, for the log. */
  onInternalError?: (channel: string, error: unknown) => void;
  /** Calls one connection may have running at once. */
  maxRunningPerConnection?: number;
  /** Calls all connections together may have running at once. */
  maxRunning?: number;
  /**
   * Checks a handler's error against what its endpoint declares (tests); a breach is reported as
   * an internal error and answered as BAD_OUTPUT, like an output that fails its schema.
   */
  checkError?: (channel: string, error: RpcError) => string | undefined;
}

export interface RpcServer<C extends ContractShape> {
  /** Serves one connection until its transport closes; returns a function that ends it early. */
  connect(transport: Transport): () => void;
  /** Sends an event to every connection subscribed to it. */
  emit<N extends keyof EventsOf<C> & string>(name: N, payload: EventsOf<C>[N]): void;
  /** Number of live connections (for diagnostics and tests). */
  readonly connections: number;
  /** Calls running over all connections. */
  readonly running: number;
}

type AnyHandler = (input: unknown, ctx: unknown) => unknown;

/** Calls one connection may have running at once (the UI needs a few dozen at most). */
export const MAX_RUNNING_PER_CONNECTION = 256;
/** Calls all connections together may have running at once (bounds memory and open files). */
export const MAX_RUNNING = 1024;

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

/** A frame type only the server sends. */
const OUTBOUND = new Set(['res', 'err', 'chunk', 'event', 'fault']);

const shorten = (text: string, max = 300) => (text.length > max ? `${text.slice(0, max)}…` : text);

interface Call {
  abort: AbortController;
  /** Units sent and acknowledged (see StreamFlow). */
  sent: number;
  acked: number;
  wake?: () => void;
  /** The caller already got its answer (an error about a broken frame): nothing more is sent. */
  answered: boolean;
}

export function createServer<C extends ContractShape>(
  contract: C,
  handlers: HandlersOf<C>,
  options: ServerOptions = {},
): RpcServer<C> {
  const bound = bindHandlers(contract, handlers);
  const eventNames = new Set(endpoints(contract).filter((e) => e.def.kind === 'event').map((e) => e.name));
  const connections = new Set<{ transport: Transport; subscriptions: Set<string> }>();
  const perConnection = options.maxRunningPerConnection ?? MAX_RUNNING_PER_CONNECTION;
  const maxRunning = options.maxRunning ?? MAX_RUNNING;
  let runningTotal = 0;

  function connect(transport: Transport): () => void {
    const conn = { transport, subscriptions: new Set<string>() };
    const running = new Map<number, Call>();
    let open = true;
    connections.add(conn);

    /** Hands a frame to the transport; throws what the transport throws (too large, not encodable). */
    const post = (frame: Frame) => {
      if (open) transport.send(frame);
    };
    /** Sends an error; one that cannot be sent whole goes without its data, so the caller still hears. */
    const postError = (id: number, error: RpcError) => {
      try {
        post({ t: 'err', id, error: error.toWire() satisfies WireError });
      } catch {
        try {
          post({ t: 'err', id, error: { code: error.code, message: shorten(error.message) } });
        } catch {
          // the transport is gone
        }
      }
    };
    const answer = (id: number, frame: Frame, channel: string) => {
      try {
        post(frame);
      } catch (error) {
        const rpc = RpcError.from(error);
        postError(id, new RpcError(rpc.code, `The answer of ${channel} could not be sent: ${rpc.message}`, { hint: rpc.hint }));
      }
    };
    const fail = (id: number, error: unknown, channel: string) => {
      const rpc = RpcError.from(error);
      if (!(error instanceof RpcError)) options.onInternalError?.(channel, error);
      const breach = options.checkError?.(channel, rpc);
      if (breach) {
        options.onInternalError?.(channel, new Error(breach));
        postError(id, new RpcError('BAD_OUTPUT', `${breach} (${rpc.code}: ${rpc.message})`));
        return;
      }
      postError(id, rpc);
    };
    /** A frame the server cannot use: the call it names gets an error (and ends), otherwise the peer gets a fault. */
    const refuse = (id: number | undefined, why: string) => {
      const error = new RpcError('BAD_FRAME', `The app core could not use a message: ${shorten(why)}`, {
        hint: 'This is a bug in the sending side; reload the window if calls stop answering.',
      });
      if (id === undefined) {
        try {
          post({ t: 'fault', error: error.toWire() });
        } catch {
          // the transport is gone
        }
        return;
      }
      const call = running.get(id);
      if (call) {
        call.answered = true;
        call.abort.abort();
        call.wake?.();
      }
      postError(id, error);
    };
    const busy = (id: number, channel: string, message: string, hint: string) =>
      postError(id, new RpcError('BUSY', `${channel} was not started: ${message}`, { hint }));

    async function run(id: number, channel: string, rawInput: unknown) {
      const target = bound.get(channel);
      if (!target) {
        const why = eventNames.has(channel) ? `"${channel}" is an event: subscribe to it instead.` : `Unknown channel "${shorten(channel, 100)}"`;
        postError(id, new RpcError('UNKNOWN_CHANNEL', why));
        return;
      }
      const { def } = target.entry;
      if (def.kind === 'event') return; // not bound: handled above
      const parsed = def.input.safeParse(rawInput);
      if (!parsed.success) {
        postError(id, badInput(channel, parsed.error));
        return;
      }
      const abort = new AbortController();
      const call: Call = { abort, acked: 0, sent: 0, answered: false };
      running.set(id, call);
      runningTotal++;
      const ctx = {
        signal: abort.signal,
        emit: async (chunk: unknown) => {
          if (def.kind !== 'stream') throw new Error(`${channel} is not a stream`);
          if (abort.signal.aborted) throw new RpcError('CANCELLED', `${channel} was cancelled`);
          const data = options.validateOutputs ? validate(def.chunk, chunk, channel, 'chunk') : chunk;
          call.sent += def.flow.units(chunk);
          post({ t: 'chunk', id, seq: call.sent, data });
          // Wait for the receiver to consume all but a window, then for the connection to drain.
          while (call.sent - call.acked >= def.flow.window && !abort.signal.aborted) {
            await new Promise<void>((resolve) => (call.wake = resolve));
          }
          if (transport.writable && !abort.signal.aborted) await transport.writable();
        },
      };
      try {
        const output = await target.fn(parsed.data, ctx);
        if (abort.signal.aborted) throw new RpcError('CANCELLED', `${channel} was cancelled`);
        const schema = def.kind === 'request' ? def.output : def.result;
        if (!call.answered) answer(id, { t: 'res', id, output: options.validateOutputs ? validate(schema, output, channel, 'output') : output }, channel);
      } catch (error) {
        if (!call.answered) fail(id, abort.signal.aborted ? new RpcError('CANCELLED', `${channel} was cancelled`) : error, channel);
      } finally {
        running.delete(id);
        runningTotal--;
      }
    }

    function request(id: number, channel: string, input: unknown) {
      // An id already running would take over its cancel and flow control; a peer that floods
      // requests, or does not read its answers, would hold unbounded work. All are refused unrun.
      if (running.has(id)) postError(id, new RpcError('BAD_FRAME', `Request id ${id} is already running.`));
      else if (running.size >= perConnection) busy(id, channel, `${perConnection} calls are already running on this connection.`, 'Wait for some to finish, then try again.');
      else if (runningTotal >= maxRunning) busy(id, channel, `${maxRunning} calls are already running in the app core.`, 'Wait for some to finish (or close other windows), then try again.');
      else if (transport.backlogged) busy(id, channel, 'this window has not read the answers already sent to it.', 'Wait a moment, then try again.');
      else void run(id, channel, input);
    }

    const offFrame = transport.onFrame((raw) => {
      if (raw instanceof UnreadableFrame) return refuse(raw.id, `unreadable message: ${raw.reason}`);
      const parsed = frameSchema.safeParse(raw);
      if (!parsed.success) return refuse(readCallId(raw), `not a frame of this protocol (${parsed.error.issues.map(formatIssue).join('; ')})`);
      const frame = parsed.data;
      if (OUTBOUND.has(frame.t)) {
        if (frame.t === 'fault') options.onInternalError?.('fault', RpcError.fromWire(frame.error));
        else refuse('id' in frame ? frame.id : undefined, `"${frame.t}" frames are sent by the app core, not to it.`);
        return;
      }
      switch (frame.t) {
        case 'req':
          request(frame.id, frame.ch, frame.input);
          break;
        // A cancel or ack names a call whose own answer answers it (or that has just ended).
        case 'cancel': {
          const call = running.get(frame.id);
          call?.abort.abort();
          call?.wake?.();
          break;
        }
        case 'ack': {
          const call = running.get(frame.id);
          if (call) {
            // Never more than was sent: a peer cannot open the window by acknowledging ahead.
            call.acked = Math.min(call.sent, Math.max(call.acked, frame.seq));
            call.wake?.();
          }
          break;
        }
        case 'sub':
        case 'unsub':
          if (!eventNames.has(frame.ch)) refuse(undefined, `no event is called "${shorten(frame.ch, 100)}".`);
          else if (frame.t === 'sub') conn.subscriptions.add(frame.ch);
          else conn.subscriptions.delete(frame.ch);
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
      for (const call of running.values()) {
        call.abort.abort();
        call.wake?.();
      }
    };
    const offClose = transport.onClose(close);
    return close;
  }

  return {
    connect,
    emit(name, payload) {
      for (const conn of connections) {
        if (!conn.subscriptions.has(name)) continue;
        try {
          conn.transport.send({ t: 'event', ch: name, payload });
        } catch (error) {
          options.onInternalError?.(name, error);
        }
      }
    },
    get connections() {
      return connections.size;
    },
    get running() {
      return runningTotal;
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
