import type { Frame, Transport } from '../../../shared/rpc/frames';

/** Headless mode: frames over a WebSocket back to the page's own origin, authenticated by the token. */
export function websocketTransport(url: string): Transport {
  const socket = new WebSocket(url);
  const queue: string[] = [];
  const frameListeners = new Set<(frame: Frame) => void>();
  const closeListeners = new Set<() => void>();
  socket.addEventListener('open', () => {
    for (const text of queue.splice(0)) socket.send(text);
  });
  socket.addEventListener('message', (event) => {
    if (typeof event.data !== 'string') return;
    const frame = JSON.parse(event.data) as Frame;
    for (const listener of frameListeners) listener(frame);
  });
  socket.addEventListener('close', () => {
    for (const listener of closeListeners) listener();
  });
  return {
    send(frame) {
      const text = JSON.stringify(frame);
      if (socket.readyState === WebSocket.OPEN) socket.send(text);
      else if (socket.readyState === WebSocket.CONNECTING) queue.push(text);
    },
    onFrame(listener) {
      frameListeners.add(listener);
      return () => frameListeners.delete(listener);
    },
    onClose(listener) {
      closeListeners.add(listener);
      return () => closeListeners.delete(listener);
    },
  };
}

/** The token comes in the URL fragment once; it is kept for reloads of this tab and removed from the address bar. */
export function takeToken(location: Location, storage: Storage, history: History): string | undefined {
  const fromHash = new URLSearchParams(location.hash.replace(/^#/, '')).get('token');
  if (fromHash) {
    storage.setItem('multiarch-studio-token', fromHash);
    history.replaceState(null, '', location.pathname + location.search);
    return fromHash;
  }
  return storage.getItem('multiarch-studio-token') ?? undefined;
}
