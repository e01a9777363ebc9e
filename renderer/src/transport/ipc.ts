import { decodeFrame, type Frame, type Transport } from '../../../shared/rpc/frames';
import type { Bridge } from '../../../shared/rpc/ipc-channel';

/** The renderer side of the Electron IPC channel, through the preload's tiny bridge. Main sends JSON text. */
export function ipcTransport(bridge: Bridge): Transport {
  return {
    send: (frame: Frame) => bridge.send(frame),
    onFrame: (listener) => bridge.onFrame((frame) => listener(typeof frame === 'string' ? decodeFrame(frame) : frame)),
    // The window and its core connection end together.
    onClose: () => () => undefined,
  };
}
