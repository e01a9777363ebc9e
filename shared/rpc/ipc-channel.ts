/** The one Electron IPC channel that carries every frame of the contract. */
export const RPC_CHANNEL = 'multiarch-studio:rpc';

/** What the preload script exposes on `window.bridge`. */
export interface Bridge {
  send(frame: unknown): void;
  onFrame(listener: (frame: unknown) => void): () => void;
}
