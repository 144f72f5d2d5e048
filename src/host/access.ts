// Who may talk to the browser-mode server. Like Jupyter: a random token in the printed URL, plus
// checks that stop other web pages from reaching a localhost server through the user's browser
// (DNS rebinding via the Host header, cross-site WebSocket hijacking via Origin).
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { Refusal } from './ws-transport.ts';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Constant-time comparison; hashing first means the length does not leak either. */
export function sameToken(given: string | null | undefined, token: string): boolean {
  if (typeof given !== 'string') return false;
  const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(token));
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/** How a host is written in a URL or Host header: IPv6 literals need brackets. */
export function urlHost(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

const HOST_HEADER = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):\d{1,5}$/;

export class AccessPolicy {
  /** Host header values we answer to; null = any well-formed one (deliberately exposed). */
  private readonly hosts: ReadonlySet<string> | null;
  readonly cookieName: string;
  /**
   * What the cookie carries: an HMAC of the token with this port, never the token. Browsers send a
   * cookie to every port of the host, so another local server saw the raw token; this value opens
   * nothing but this server's assets, and the token cannot be worked back from it.
   */
  private readonly cookieValue: string;

  constructor(
    readonly token: string,
    bindHost: string,
    port: number,
  ) {
    this.hosts = isLoopback(bindHost)
      ? new Set(['127.0.0.1', 'localhost', '[::1]'].map((h) => `${h}:${port}`))
      : null;
    this.cookieName = `cnn-studio-${port}`; // per port: cookies ignore ports, servers may not
    this.cookieValue = createHmac('sha256', token).update(`assets:${port}`).digest('base64url');
  }

  /** The request's Host header if we serve it, else null (blocks DNS-rebinding pages). */
  host(req: IncomingMessage): string | null {
    const h = req.headers.host;
    if (typeof h !== 'string' || !HOST_HEADER.test(h)) return null;
    if (this.hosts && !this.hosts.has(h.toLowerCase())) return null;
    return h;
  }

  tokenIn(url: URL): boolean {
    return sameToken(url.searchParams.get('token'), this.token);
  }

  cookieIn(req: IncomingMessage): boolean {
    const pairs = (req.headers.cookie ?? '').split(';').map((c) => c.trim().split('='));
    return sameToken(pairs.find(([k]) => k === this.cookieName)?.[1], this.cookieValue);
  }

  /** Set with the page, so its scripts and styles load without the token in their URLs. */
  cookie(): string {
    return `${this.cookieName}=${this.cookieValue}; Path=/; HttpOnly; SameSite=Strict`;
  }

  /** The WebSocket handshake needs our Host, an Origin equal to the page's, and the token. */
  admitSocket(req: IncomingMessage): Refusal | null {
    const host = this.host(req);
    if (!host) return { status: 403, reason: 'Unknown Host' };
    if (req.headers.origin !== `http://${host}`)
      return { status: 403, reason: 'The Origin must be this server' };
    if (!this.tokenIn(new URL(req.url ?? '/', 'http://localhost')))
      return { status: 401, reason: 'Missing or wrong token' };
    return null;
  }
}
