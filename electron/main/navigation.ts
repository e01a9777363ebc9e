/** The app's own origin (served by protocol.ts); kept free of Electron imports so it can be tested under Node. */
export const APP_ORIGIN = 'app://studio';

/**
 * Only our own pages. Compared by scheme and host: Node's URL (the main process's) gives every
 * non-special scheme the origin "null", so `origin === APP_ORIGIN` would never hold. An
 * unparsable URL counts as foreign (a throw in a guard would let the navigation through).
 */
export function isAppUrl(url: string): boolean {
  try {
    const { protocol, host } = new URL(url);
    return `${protocol}//${host}` === APP_ORIGIN;
  } catch {
    return false;
  }
}

export function isSafeExternal(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}
