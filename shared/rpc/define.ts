import type { z } from 'zod';
import { STREAM_WINDOW } from './frames';

/** A call with one answer: `api.group.verb(input)` → output. */
export interface RequestDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly kind: 'request';
  readonly input: I;
  readonly output: O;
}

/** A cancellable call that sends chunks before its result (build logs, pulls). */
export interface StreamDef<
  I extends z.ZodType = z.ZodType,
  C extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  readonly kind: 'stream';
  readonly input: I;
  readonly chunk: C;
  readonly result: R;
  readonly flow: StreamFlow<z.input<C>>;
}

/**
 * How a stream is paced: the sender waits while more than `window` units are sent and not yet
 * consumed by the receiver (who acknowledges them once it has really taken them in).
 */
export interface StreamFlow<Ch = unknown> {
  /** What one chunk costs (e.g. terminal characters); one per chunk by default. */
  units(chunk: Ch): number;
  readonly window: number;
}

/** Main → renderer notification; keys are named `onPastTense`. */
export interface EventDef<P extends z.ZodType = z.ZodType> {
  readonly kind: 'event';
  readonly payload: P;
}

export type EndpointDef = RequestDef | StreamDef | EventDef;
export type ContractShape = Record<string, Record<string, EndpointDef>>;

export const request = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O): RequestDef<I, O> => ({
  kind: 'request',
  input,
  output,
});

export const stream = <I extends z.ZodType, C extends z.ZodType, R extends z.ZodType>(
  input: I,
  chunk: C,
  result: R,
  flow: StreamFlow<z.input<C>> = { units: () => 1, window: STREAM_WINDOW },
): StreamDef<I, C, R> => ({ kind: 'stream', input, chunk, result, flow });

export const event = <P extends z.ZodType>(payload: P): EventDef<P> => ({ kind: 'event', payload });

export const defineContract = <C extends ContractShape>(contract: C): C => contract;

/** Wire name of an endpoint: `group.key`. Nobody types these strings by hand. */
export const wireName = (group: string, key: string): string => `${group}.${key}`;

export interface EndpointEntry {
  readonly name: string;
  readonly group: string;
  readonly key: string;
  readonly def: EndpointDef;
}

export function endpoints(contract: ContractShape): EndpointEntry[] {
  const out: EndpointEntry[] = [];
  for (const [group, defs] of Object.entries(contract)) {
    for (const [key, def] of Object.entries(defs)) out.push({ name: wireName(group, key), group, key, def });
  }
  return out;
}

// ---- derived types -------------------------------------------------------------------------------

type RequestKeys<G> = { [K in keyof G]: G[K] extends RequestDef ? K : never }[keyof G];
type StreamKeys<G> = { [K in keyof G]: G[K] extends StreamDef ? K : never }[keyof G];
type EventKeys<G> = { [K in keyof G]: G[K] extends EventDef ? K : never }[keyof G];

export interface StreamCall<R> {
  readonly result: Promise<R>;
  cancel(): void;
}

export interface StreamOptions<C> {
  /**
   * Called for each chunk. Returning a promise paces the sender: the chunk counts as consumed
   * (and is acknowledged) only when it settles, e.g. once a terminal has parsed it.
   */
  onChunk?: (chunk: C) => unknown;
}

export type ClientOf<C extends ContractShape> = {
  readonly [G in keyof C]: {
    readonly [K in RequestKeys<C[G]>]: C[G][K] extends RequestDef<infer I, infer O>
      ? undefined extends z.input<I>
        ? (input?: z.input<I>) => Promise<z.output<O>>
        : (input: z.input<I>) => Promise<z.output<O>>
      : never;
  } & {
    readonly [K in StreamKeys<C[G]>]: C[G][K] extends StreamDef<infer I, infer Ch, infer R>
      ? (input: z.input<I>, options?: StreamOptions<z.output<Ch>>) => StreamCall<z.output<R>>
      : never;
  } & {
    readonly [K in EventKeys<C[G]>]: C[G][K] extends EventDef<infer P>
      ? (listener: (payload: z.output<P>) => void) => () => void
      : never;
  };
};

export interface RequestContext {
  /** Aborted when the caller cancels or its connection closes. */
  readonly signal: AbortSignal;
}

export interface StreamContext<Ch> extends RequestContext {
  /**
   * Sends one chunk; resolves when the receiver has room: it has consumed all but a window of
   * what was sent, and the connection is not backed up.
   */
  emit(chunk: Ch): Promise<void>;
}

/** Total mapped type: a request or stream without a handler is a compile error. */
export type HandlersOf<C extends ContractShape> = {
  [G in keyof C as [RequestKeys<C[G]> | StreamKeys<C[G]>] extends [never] ? never : G]: {
    [K in RequestKeys<C[G]> | StreamKeys<C[G]>]: C[G][K] extends RequestDef<infer I, infer O>
      ? (input: z.output<I>, ctx: RequestContext) => Promise<z.input<O>> | z.input<O>
      : C[G][K] extends StreamDef<infer I, infer Ch, infer R>
        ? (input: z.output<I>, ctx: StreamContext<z.input<Ch>>) => Promise<z.input<R>>
        : never;
  };
};

/** Wire name of every request and stream (what a caller can get an error from). */
export type CallNames<C extends ContractShape> = {
  [G in keyof C & string]: `${G}.${(RequestKeys<C[G]> | StreamKeys<C[G]>) & string}`;
}[keyof C & string];

/** Payload type of each event, by wire name, for the server's typed `emit`. */
export type EventsOf<C extends ContractShape> = { [N in EventNames<C>]: EventPayload<C, N> };

type EventNames<C extends ContractShape> = {
  [G in keyof C & string]: `${G}.${EventKeys<C[G]> & string}`;
}[keyof C & string];

type EventPayload<C extends ContractShape, N> = N extends `${infer G}.${infer K}`
  ? C[G] extends Record<string, EndpointDef>
    ? C[G][K] extends EventDef<infer P>
      ? z.input<P>
      : never
    : never
  : never;
