import { contextBridge, ipcRenderer } from 'electron';
import { contract } from '../../shared/contract';
import { endpoints } from '../../shared/rpc/define';
import { RPC_CHANNEL } from '../../shared/rpc/ipc-channel';

// The allow-list is derived from the contract: the page can reach nothing the contract lacks.
const allowed = new Set(endpoints(contract).map((e) => e.name));

interface OutFrame {
  t: string;
  ch?: unknown;
}

contextBridge.exposeInMainWorld('bridge', {
  send(frame: OutFrame) {
    if (typeof frame !== 'object' || frame === null) return;
    if ((frame.t === 'req' || frame.t === 'sub' || frame.t === 'unsub') && !allowed.has(String(frame.ch))) return;
    ipcRenderer.send(RPC_CHANNEL, frame);
  },
  onFrame(listener: (frame: unknown) => void) {
    const handler = (_event: unknown, frame: unknown) => listener(frame);
    ipcRenderer.on(RPC_CHANNEL, handler);
    return () => ipcRenderer.off(RPC_CHANNEL, handler);
  },
});
