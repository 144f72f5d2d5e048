// Serving the built renderer (out/renderer) safely, shared by the browser-mode server and the
// Electron app:// protocol: path resolution that cannot leave the root, MIME types, and the CSP.
import { realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, sep } from 'node:path';

const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

export function mimeType(file: string): string {
  return MIME[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Used when the built index.html carries no CSP meta tag (it should). */
export const FALLBACK_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

// Vite keeps index.html's tags as written: http-equiv first, then content, either quote style.
const CSP_META =
  /<meta\s+http-equiv\s*=\s*(["'])Content-Security-Policy\1\s+content\s*=\s*(?:"([^"]*)"|'([^']*)')\s*\/?>/i;

const ENTITIES: Readonly<Record<string, string>> = {
  '&amp;': '&',
  '&quot;': '"',
  '&#39;': "'",
  '&lt;': '<',
  '&gt;': '>',
};

/** The policy in index.html's `<meta http-equiv="Content-Security-Policy">`, if any. */
export function cspFromHtml(html: string): string | null {
  const m = CSP_META.exec(html);
  const raw = m?.[2] ?? m?.[3];
  if (raw === undefined) return null;
  return raw
    .replace(/&(amp|quot|#39|lt|gt);/g, (e) => ENTITIES[e] ?? e)
    .replace(/\s+/g, ' ')
    .trim();
}

/** The same policy with `connect-src` replaced (or added): the one directive that depends on where we serve. */
export function withConnectSrc(csp: string, sources: string): string {
  const directives = csp
    .split(';')
    .map((d) => d.trim())
    .filter((d) => d !== '' && !/^connect-src(\s|$)/i.test(d));
  return [...directives, `connect-src ${sources}`].join('; ');
}

/** Directives browsers ignore (and warn about) in a meta tag; they only work as a header. */
const HEADER_ONLY = /^(frame-ancestors|report-uri|report-to|sandbox)(\s|$)/i;

/**
 * index.html with its meta CSP set to `csp`, so the header and the meta tag say the same thing
 * (browsers enforce both; a looser meta would be pointless, a stricter one would break the page).
 * Header-only directives are left out of the meta, where they would only log a console error.
 */
export function htmlWithCsp(html: string, csp: string): string {
  const meta = csp
    .split(';')
    .map((d) => d.trim())
    .filter((d) => d !== '' && !HEADER_ONLY.test(d))
    .join('; ');
  const attr = meta.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  const tag = `<meta http-equiv="Content-Security-Policy" content="${attr}" />`;
  return CSP_META.test(html)
    ? html.replace(CSP_META, () => tag)
    : html.replace(/<head>/i, `<head>\n    ${tag}`);
}

export type Resolved =
  { kind: 'file'; path: string; mime: string } | { kind: 'bad-request' } | { kind: 'not-found' };

/**
 * Maps a URL path ("/", "/assets/index-abc.js") to a file under `root`, or refuses. Refuses
 * anything with a `..` segment (raw or percent-encoded), a backslash, a NUL, or that resolves
 * (through symlinks too) outside `root`. `root` must be absolute.
 */
export async function resolveStatic(root: string, urlPath: string): Promise<Resolved> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { kind: 'bad-request' };
  }
  if (!decoded.startsWith('/') || /[\\\0]/.test(decoded)) return { kind: 'bad-request' };
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '..' || s === '.')) return { kind: 'bad-request' };
  if (segments.length === 0 || decoded.endsWith('/')) segments.push('index.html');
  const candidate = join(root, ...segments);
  try {
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(candidate)]);
    if (!inside(realRoot, realFile) || !(await stat(realFile)).isFile())
      return { kind: 'not-found' };
    return { kind: 'file', path: realFile, mime: mimeType(realFile) };
  } catch {
    return { kind: 'not-found' };
  }
}

function inside(root: string, file: string): boolean {
  const rel = relative(root, file);
  return rel !== '' && !rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel);
}

/** Hashed build assets never change under one name; everything else is revalidated. */
export function cacheControl(urlPath: string, isHtml: boolean): string {
  if (isHtml) return 'no-store';
  return urlPath.startsWith('/assets/') ? 'private, max-age=31536000, immutable' : 'no-cache';
}
