import type { WebSocket } from 'ws';
import type { Frame, Transport } from '../../shared/rpc/frames';

/** The server side of one WebSocket connection as a frame transport. */
export function wsTransport(socket: WebSocket): Transport {
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
