/**
 * THE renderer's Content Security Policy, its only source: the app:// protocol (desktop) and the
 * headless server send it as a header; index.html carries no meta tag (a second policy would
 * apply on top of this one, and the page cannot know the headless port). The renderer's policy: our own scripts only, no eval, connections only back to
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
