import { extname, join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONTENT_SECURITY_POLICY } from '../../shared/security';
import type { ElectronApi } from './electron-api';

export const APP_SCHEME = 'app';

/** Must run before `app.ready`: app:// behaves like a secure standard origin. */
export function registerSchemePrivileges(protocol: ElectronApi['protocol']): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

/** The file under `rendererDir` an app:// URL names, or undefined for anything outside it. */
export function rendererFile(rendererDir: string, url: string): string | undefined {
  const parsed = new URL(url);
  if (parsed.host !== 'studio') return undefined;
  let pathname: string;
  try {
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return undefined; // malformed escapes
  }
  if (pathname.includes('\0')) return undefined;
  const relative = normalize(pathname).replace(/^([/\\])+/, '') || 'index.html';
  const file = join(rendererDir, relative);
  const root = rendererDir.endsWith(sep) ? rendererDir : rendererDir + sep;
  return file.startsWith(root) ? file : undefined;
}

/** Serves the built renderer from app://studio/, nothing outside its folder, with our CSP. */
export function serveRenderer(electron: Pick<ElectronApi, 'protocol' | 'net'>, rendererDir: string): void {
  electron.protocol.handle(APP_SCHEME, async (request) => {
    const file = rendererFile(rendererDir, request.url);
    if (!file) return new Response('Not found', { status: 404 });
    const response = await electron.net.fetch(pathToFileURL(file).toString()).catch(() => undefined);
    if (!response?.ok) return new Response('Not found', { status: 404 });
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    if (extname(file) === '.js') headers.set('Content-Type', 'text/javascript');
    return new Response(response.body, { status: 200, headers });
  });
}
