import { z } from 'zod';
import { RpcError } from './errors';

/**
 * One frame protocol for every transport (Electron IPC, WebSocket, in-memory).
 * Frames are plain JSON so any transport can carry them; they are validated on arrival.
 */
const wireError = z.object({
  code: z.string(),
  message: z.string(),
  hint: z.string().optional(),
  data: z.unknown().optional(),
});

const callId = z.number().int().nonnegative();

export const frameSchema = z.discriminatedUnion('t', [
  // `input` may be missing: JSON drops `undefined`, which is what a call without an argument sends.
  z.object({ t: z.literal('req'), id: callId, ch: z.string(), input: z.unknown().optional() }),
  z.object({ t: z.literal('res'), id: callId, output: z.unknown().optional() }),
  z.object({ t: z.literal('err'), id: callId, error: wireError }),
  /** `seq`: the stream's units sent so far, this chunk included (one per chunk unless the contract says otherwise). */
  z.object({ t: z.literal('chunk'), id: callId, seq: z.number().int(), data: z.unknown() }),
  /** `seq`: the stream's units the receiver has consumed so far. */
  z.object({ t: z.literal('ack'), id: callId, seq: z.number().int() }),
  z.object({ t: z.literal('cancel'), id: callId }),
  z.object({ t: z.literal('sub'), ch: z.string() }),
  z.object({ t: z.literal('unsub'), ch: z.string() }),
  z.object({ t: z.literal('event'), ch: z.string(), payload: z.unknown() }),
  /** A frame the server could not read and could not tie to a call: the peer is told, never left waiting. */
  z.object({ t: z.literal('fault'), error: wireError }),
]);

export type Frame = z.infer<typeof frameSchema>;

/** What a transport hands over when a message could not be read as a frame at all (not JSON, binary). */
export class UnreadableFrame {
  constructor(
    readonly reason: string,
    /** The call it belongs to, when an id could still be read from it. */
    readonly id?: number,
  ) {}
}

/** A bidirectional frame pipe. Each side of a connection owns one. */
export interface Transport {
  /** Throws an RpcError (FRAME_TOO_LARGE, DISCONNECTED, BAD_OUTPUT) when the frame cannot be sent. */
  send(frame: Frame): void;
  /** Registers the frame listener; returns a function that removes it. The receiver validates what it gets. */
  onFrame(listener: (frame: unknown) => void): () => void;
  /** Called once when the peer goes away (window closed, socket dropped). */
  onClose(listener: () => void): () => void;
  /**
   * Resolves once what was sent has mostly been taken by the peer (a slow reader holds it back).
   * Transports that cannot fall behind leave it out.
   */
  writable?(): Promise<void>;
  /** The peer is not reading what it was sent: new calls are refused until it catches up. */
  readonly backlogged?: boolean;
}

/** Chunks a stream may have in flight before the sender waits, unless its contract says otherwise. */
export const STREAM_WINDOW = 64;

/** Bytes one frame from the core may carry; a bigger answer is refused with FRAME_TOO_LARGE, never sent. */
export const MAX_FRAME_BYTES = 8 * 1024 * 1024;
/** Bytes one frame to the core may carry (the WebSocket server closes a socket that sends more). */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;

/** UTF-8 size of a JSON text, counted only when it could be over `max` (a character is at most 3 bytes). */
const utf8Over = (text: string, max: number): number | undefined => {
  if (text.length * 3 <= max) return undefined;
  const bytes = text.length > max ? text.length : new TextEncoder().encode(text).length;
  return bytes > max ? bytes : undefined;
};

/** JSON text of a frame, refused when over `maxBytes` or not encodable (a cycle, a BigInt, too deep). */
export function encodeFrame(frame: Frame, maxBytes = MAX_FRAME_BYTES): string {
  let text: string;
  try {
    text = JSON.stringify(frame);
  } catch (error) {
    throw new RpcError('BAD_OUTPUT', `A message could not be encoded as JSON: ${(error as Error).message}.`);
  }
  const over = utf8Over(text, maxBytes);
  if (over !== undefined) {
    throw new RpcError('FRAME_TOO_LARGE', `The message is ${mb(over)}, more than the ${mb(maxBytes)} one message may carry.`, {
      hint: 'Ask for less at once (a smaller page, a shorter text).',
    });
  }
  return text;
}

/** The frame in a received JSON text, or what is known of an unreadable one. */
export function decodeFrame(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    return new UnreadableFrame(`not JSON (${(error as Error).message})`);
  }
}

/** The call id of a frame that failed validation, when it has a usable one. */
export function readCallId(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const id = (value as { id?: unknown }).id;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : undefined;
}

