/**
 * The renderer's Content Security Policy: our own scripts only, no eval, connections only back to
 * our own origin. `connect` adds the exact WebSocket addresses of headless mode (its own port
 * only, so a page cannot reach other local services); the desktop window talks over IPC and needs none.
 */
export function contentSecurityPolicy(connect: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    ["connect-src 'self'", ...connect].join(' '),
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The desktop window's policy (app:// origin, IPC only). */
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();
