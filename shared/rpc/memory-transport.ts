import type { Frame, Transport } from './frames';

/**
 * Two connected in-memory transports for tests. Frames are JSON round-tripped and delivered
 * asynchronously, like a real pipe, so tests see what a real transport would carry.
 */
export function createMemoryPair(): { client: Transport; server: Transport; close(): void } {
  const frameListeners = [new Set<(f: Frame) => void>(), new Set<(f: Frame) => void>()] as const;
  const closeListeners = [new Set<() => void>(), new Set<() => void>()] as const;
  let closed = false;

  const side = (me: 0 | 1): Transport => {
    const peer = me === 0 ? 1 : 0;
    return {
      send(frame) {
        if (closed) return;
        const copy = JSON.parse(JSON.stringify(frame)) as Frame;
        queueMicrotask(() => {
          if (!closed) for (const l of frameListeners[peer]) l(copy);
        });
      },
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
