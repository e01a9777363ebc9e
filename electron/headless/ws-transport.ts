import type { WebSocket } from 'ws';
import { RpcError } from '../../shared/rpc/errors';
import { decodeFrame, encodeFrame, readCallId, UnreadableFrame, type Frame, type Transport } from '../../shared/rpc/frames';

export interface WsTransportOptions {
  /** Bytes queued for a slow reader above which streams pause and new calls are refused. */
  highWater?: number;
  /** Bytes queued for a reader that does not read at all: the socket is closed rather than grow the server. */
  maxBacklog?: number;
}

/** Bytes queued for the peer before streams pause (ws's bufferedAmount). */
export const WS_HIGH_WATER = 1024 * 1024;
/** Bytes queued for the peer at which it is given up on. */
export const WS_MAX_BACKLOG = 64 * 1024 * 1024;
/** Close code for a binary message without a readable call id (1003: unsupported data). */
export const CLOSE_UNSUPPORTED = 1003;

/**
 * The server side of one WebSocket connection as a frame transport. What is queued for the peer
 * (`bufferedAmount`) is watched: above the high-water mark streams wait and new calls are refused;
 * a peer that lets it reach `maxBacklog` is disconnected, so a slow reader cannot grow the server.
 */
export function wsTransport(socket: WebSocket, options: WsTransportOptions = {}): Transport {
  const highWater = options.highWater ?? WS_HIGH_WATER;
  const maxBacklog = options.maxBacklog ?? WS_MAX_BACKLOG;
  let waiters: Array<() => void> = [];
  const wake = () => {
    if (socket.bufferedAmount >= highWater && socket.readyState === socket.OPEN) return;
    const ready = waiters;
    waiters = [];
    for (const w of ready) w();
  };
  // Without a listener, a protocol error (a message over the payload cap, a bad frame) would be
  // thrown as an uncaught exception and end the whole server; ws closes that socket by itself.
  socket.on('error', () => socket.terminate());
  socket.on('close', wake);
  return {
    send(frame: Frame) {
      if (socket.readyState !== socket.OPEN) throw new RpcError('DISCONNECTED', 'The window has disconnected.');
      const text = encodeFrame(frame);
      if (socket.bufferedAmount + text.length > maxBacklog) {
        socket.terminate();
        throw new RpcError('DISCONNECTED', 'The window stopped reading its messages; it was disconnected.');
      }
      // The callback runs once ws has handed the text to the socket: the moment to look again.
      socket.send(text, wake);
    },
    onFrame(listener) {
      const handler = (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
        const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
        const frame = decodeFrame(buffer.toString('utf8'));
        if (!isBinary) {
          listener(frame);
          return;
        }
        // Binary is not part of the protocol: an error for the call it names, else the socket closes saying why.
        const id = readCallId(frame);
        if (id !== undefined) listener(new UnreadableFrame('a binary message; frames are JSON text', id));
        else socket.close(CLOSE_UNSUPPORTED, 'Binary messages are not part of this protocol; send JSON text frames.');
      };
      socket.on('message', handler);
      return () => socket.off('message', handler);
    },
    onClose(listener) {
      socket.on('close', listener);
      return () => socket.off('close', listener);
    },
    writable() {
      if (socket.bufferedAmount < highWater || socket.readyState !== socket.OPEN) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    get backlogged() {
      return socket.bufferedAmount >= highWater;
    },
  };
}
