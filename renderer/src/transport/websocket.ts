import { RpcError } from '../../../shared/rpc/errors';
import { decodeFrame, encodeFrame, MAX_REQUEST_BYTES, UnreadableFrame, type Frame, type Transport } from '../../../shared/rpc/frames';

/** Headless mode: frames over a WebSocket back to the page's own origin, authenticated by the token. */
export function websocketTransport(url: string): Transport {
  const socket = new WebSocket(url);
  const queue: string[] = [];
  const frameListeners = new Set<(frame: unknown) => void>();
  const closeListeners = new Set<() => void>();
  socket.addEventListener('open', () => {
    for (const text of queue.splice(0)) socket.send(text);
  });
  socket.addEventListener('message', (event) => {
    const frame = typeof event.data === 'string' ? decodeFrame(event.data) : new UnreadableFrame('a binary message');
    for (const listener of frameListeners) listener(frame);
  });
  socket.addEventListener('close', () => {
    for (const listener of closeListeners) listener();
  });
  return {
    send(frame: Frame) {
      // Refused here rather than have the server close the socket for it.
      const text = encodeFrame(frame, MAX_REQUEST_BYTES);
      if (socket.readyState === WebSocket.OPEN) socket.send(text);
      else if (socket.readyState === WebSocket.CONNECTING) queue.push(text);
      else throw new RpcError('DISCONNECTED', 'The connection to the app core is closed.', { hint: 'Reload the window to reconnect.' });
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
