import type { IpcMain, IpcMainEvent, WebContents } from 'electron';
import { RpcError } from '../../shared/rpc/errors';
import { encodeFrame, type Frame, type Transport } from '../../shared/rpc/frames';
import { RPC_CHANNEL } from '../../shared/rpc/ipc-channel';
import { isAppUrl } from './navigation';

/**
 * The main side of the one IPC channel for one window. Frames are accepted only from that
 * window's own main frame, loaded from our app:// origin. Frames to the window go as JSON text:
 * one copy, and the same size cap and encoding errors as the WebSocket.
 */
export function ipcTransport(ipcMain: IpcMain, contents: WebContents): Transport {
  return {
    send(frame: Frame) {
      if (contents.isDestroyed()) throw new RpcError('DISCONNECTED', 'The window has closed.');
      contents.send(RPC_CHANNEL, encodeFrame(frame));
    },
    onFrame(listener) {
      const handler = (event: IpcMainEvent, frame: unknown) => {
        if (!isTrustedSender(event, contents)) return;
        listener(frame); // shape validated by the server
      };
      ipcMain.on(RPC_CHANNEL, handler);
      return () => ipcMain.off(RPC_CHANNEL, handler);
    },
    onClose(listener) {
      contents.once('destroyed', listener);
      return () => contents.off('destroyed', listener);
    },
  };
}

function isTrustedSender(event: IpcMainEvent, contents: WebContents): boolean {
  if (event.sender !== contents) return false;
  const frame = event.senderFrame;
  if (!frame || frame !== contents.mainFrame) return false;
  return isAppUrl(frame.url);
}
