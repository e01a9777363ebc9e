import type { WebSocket } from 'ws';
import type { Frame, Transport } from '../../shared/rpc/frames';

/** The server side of one WebSocket connection as a frame transport. */
export function wsTransport(socket: WebSocket): Transport {
  // Without a listener, a protocol error (a message over the payload cap, a bad frame) would be
  // thrown as an uncaught exception and end the whole server; ws closes that socket by itself.
  socket.on('error', () => socket.terminate());
  return {
    send(frame: Frame) {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
    },
    onFrame(listener) {
      const handler = (data: Buffer, isBinary: boolean) => {
        if (isBinary) return;
        let frame: unknown;
        try {
          frame = JSON.parse(data.toString('utf8'));
        } catch {
          return; // not JSON: not ours
        }
        listener(frame as Frame); // the server validates every frame's shape
      };
      socket.on('message', handler);
      return () => socket.off('message', handler);
    },
    onClose(listener) {
      socket.on('close', listener);
      return () => socket.off('close', listener);
    },
  };
}
