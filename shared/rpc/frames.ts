import { z } from 'zod';

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

export const frameSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('req'), id: z.number().int(), ch: z.string(), input: z.unknown() }),
  z.object({ t: z.literal('res'), id: z.number().int(), output: z.unknown() }),
  z.object({ t: z.literal('err'), id: z.number().int(), error: wireError }),
  z.object({ t: z.literal('chunk'), id: z.number().int(), seq: z.number().int(), data: z.unknown() }),
  z.object({ t: z.literal('ack'), id: z.number().int(), seq: z.number().int() }),
  z.object({ t: z.literal('cancel'), id: z.number().int() }),
  z.object({ t: z.literal('sub'), ch: z.string() }),
  z.object({ t: z.literal('unsub'), ch: z.string() }),
  z.object({ t: z.literal('event'), ch: z.string(), payload: z.unknown() }),
]);

export type Frame = z.infer<typeof frameSchema>;

/** A bidirectional frame pipe. Each side of a connection owns one. */
export interface Transport {
  send(frame: Frame): void;
  /** Registers the frame listener; returns a function that removes it. */
  onFrame(listener: (frame: Frame) => void): () => void;
  /** Called once when the peer goes away (window closed, socket dropped). */
  onClose(listener: () => void): () => void;
}

/** Chunks a stream may have in flight before the sender waits for an acknowledgement. */
export const STREAM_WINDOW = 64;
