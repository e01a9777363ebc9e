import { decodeFrame, encodeFrame, type Frame, type Transport } from './frames';
import { RpcError } from './errors';

/** One side of the in-memory pair; `sendText` puts any text on the pipe, as a broken or hostile peer could. */
export interface MemorySide extends Transport {
  sendText(text: string): void;
}

/**
 * Two connected in-memory transports for tests. Frames travel as JSON text (with the frame size
 * cap) and are delivered asynchronously, like a real pipe, so tests see what a real transport carries.
 */
export function createMemoryPair(): { client: MemorySide; server: MemorySide; close(): void } {
  const frameListeners = [new Set<(f: unknown) => void>(), new Set<(f: unknown) => void>()] as const;
  const closeListeners = [new Set<() => void>(), new Set<() => void>()] as const;
  let closed = false;

  const side = (me: 0 | 1): MemorySide => {
    const peer = me === 0 ? 1 : 0;
    const sendText = (text: string) => {
      if (closed) throw new RpcError('DISCONNECTED', 'The in-memory connection is closed.');
      queueMicrotask(() => {
        if (closed) return;
        const frame = decodeFrame(text);
        for (const l of frameListeners[peer]) l(frame);
      });
    };
    return {
      send: (frame: Frame) => sendText(encodeFrame(frame)),
      sendText,
      onFrame(listener) {
        frameListeners[me].add(listener);
        return () => frameListeners[me].delete(listener);
      },
      onClose(listener) {
        closeListeners[me].add(listener);
        return () => closeListeners[me].delete(listener);
      },
    };
  };

  return {
    client: side(0),
    server: side(1),
    close() {
      if (closed) return;
      closed = true;
      for (const set of closeListeners) for (const l of [...set]) l();
    },
  };
}
