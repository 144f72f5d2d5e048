// Production pages load from app://studio/, not file://: a real origin for the CSP and the IPC
// sender check, no access to the rest of the disk, and a place to send the CSP as a header.
import { protocol, type Session } from 'electron';
import { readFile } from 'node:fs/promises';
import {
  FALLBACK_CSP,
  cacheControl,
  cspFromHtml,
  htmlWithCsp,
  resolveStatic,
  withConnectSrc,
} from '../../src/host/static-files.ts';

export const APP_SCHEME = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://studio`;

/** Must run before `app` is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      // standard + secure: a normal origin that module scripts, fetch and a strict CSP work with.
      privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
    },
  ]);
}

/** Serves `rendererDir` (out/renderer) under APP_ORIGIN in `session`. */
export function serveRenderer(session: Session, rendererDir: string): void {
  session.protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (`${url.protocol}//${url.host}` !== APP_ORIGIN) return plain(404, 'Not found');
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Not allowed');
    const file = await resolveStatic(rendererDir, url.pathname);
    if (file.kind === 'bad-request') return plain(400, 'Bad path');
    if (file.kind === 'not-found') return plain(404, 'Not found');
    const isHtml = file.mime.startsWith('text/html');
    let body: Uint8Array = await readFile(file.path);
    // The desktop renderer talks over IPC only, so connect-src is just 'self'.
    let csp = withConnectSrc(FALLBACK_CSP, "'self'");
    if (isHtml) {
      const html = Buffer.from(body).toString('utf8');
      csp = withConnectSrc(cspFromHtml(html) ?? FALLBACK_CSP, "'self'");
      body = Buffer.from(htmlWithCsp(html, csp));
    }
    return new Response(request.method === 'HEAD' ? null : body, {
      status: 200,
      headers: {
        'Content-Type': file.mime,
        'Content-Security-Policy': csp,
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': cacheControl(url.pathname, isHtml),
      },
    });
  });
}

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
}
