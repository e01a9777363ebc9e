import { contract, type Api } from '../../shared/contract';
import { createClient } from '../../shared/rpc/client';
import type { Transport } from '../../shared/rpc/frames';
import type { Bridge } from '../../shared/rpc/ipc-channel';
import { ipcTransport } from './transport/ipc';
import { takeToken, websocketTransport } from './transport/websocket';

let current: Api | undefined;
const closeListeners = new Set<() => void>();
let closed = false;

/** The typed client of the contract; the only way features talk to the core. */
export function api(): Api {
  if (!current) throw new Error('api() used before connect()');
  return current;
}

export function isConnectionClosed(): boolean {
  return closed;
}

export function onConnectionClosed(listener: () => void): () => void {
  closeListeners.add(listener);
  return () => closeListeners.delete(listener);
}

/** Picks the transport: the preload bridge inside Electron, otherwise the headless WebSocket. */
export function connect(win: Window & { bridge?: Bridge }): { ok: true } | { ok: false; reason: string } {
  let transport: Transport;
  if (win.bridge) {
    transport = ipcTransport(win.bridge);
  } else {
    const token = takeToken(win.location, win.sessionStorage, win.history);
    if (!token) return { ok: false, reason: 'This page needs the address printed by `npm run serve`, including its #token=… part.' };
    const scheme = win.location.protocol === 'https:' ? 'wss' : 'ws';
    transport = websocketTransport(`${scheme}://${win.location.host}/rpc?token=${encodeURIComponent(token)}`);
  }
  attachTransport(transport);
  return { ok: true };
}

/** Also used by renderer tests with the in-memory pair. */
export function attachTransport(transport: Transport): Api {
  closed = false;
  transport.onClose(() => {
    closed = true;
    for (const listener of closeListeners) listener();
  });
  current = createClient(contract, transport);
  return current;
}
