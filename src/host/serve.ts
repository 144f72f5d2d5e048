// Browser mode (`npm run serve`): the built renderer over plain HTTP plus a WebSocket that carries
// the same requests and events as Electron IPC, so the app runs in any browser without Electron.
// Binds 127.0.0.1 and requires a random token, like Jupyter. The command line is ./serve-cli.ts.
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { EngineChoice } from '../shared/config.ts';
import { AccessPolicy, isLoopback, newToken, urlHost } from './access.ts';
import { createDispatcher } from './dispatch.ts';
import { noFolders, typedFolders } from './folders.ts';
import { spawnSourceWorker } from './spawn-worker.ts';
import {
  FALLBACK_CSP,
  cacheControl,
  cspFromHtml,
  htmlWithCsp,
  resolveStatic,
  withConnectSrc,
} from './static-files.ts';
import { TrainingHost } from './training-host.ts';
import { attachWsTransport, WS_PATH } from './ws-transport.ts';

export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../out/renderer', import.meta.url));

export interface ServerOptions {
  /** Interface to bind; default 127.0.0.1. Anything else exposes the app to the network. */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** The built renderer; default out/renderer of this checkout. */
  rendererDir?: string;
  /** Use this host (the caller closes it), or let the server create and own one. */
  trainingHost?: TrainingHost;
  engine?: EngineChoice;
  dataDir?: string | null;
  /** The models folder (npm run serve: --models, default ~/.cnn-studio/models); none if absent. */
  modelsDir?: string | null;
  /** Where each epoch's checkpoint goes (default ~/.cnn-studio/checkpoint); none if absent. */
  checkpointDir?: string | null;
  /** Where every run is kept when it ends (default ~/.cnn-studio/runs); none if absent. */
  runsDir?: string | null;
  /** Where "My handwriting" is kept (null: nowhere). */
  handwritingDir?: string | null;
  /** Fixed token (tests); default 24 random bytes, base64url. */
  token?: string;
  log?: (message: string) => void;
}

export interface RunningServer {
  /** The page URL including ?token=. */
  url: string;
  token: string;
  port: number;
  /** Stops a run cleanly (if the server owns the host), then closes sockets and the listener. */
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer', // the token is in the page URL: never send it anywhere
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

/**
 * A request the HTTP parser refused still gets a status line, so a client learns why: 414 when
 * the request line alone is too long, 431 for too many or too large headers, 400 for the rest.
 */
export function answerClientError(e: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || e.code === 'ECONNRESET' || e.code === 'EPIPE') {
    socket.destroy();
    return;
  }
  let status = '400 Bad Request';
  if (e.code === 'HPE_HEADER_OVERFLOW') {
    const raw = (e as { rawPacket?: Buffer }).rawPacket?.toString('latin1') ?? '';
    const firstLine = raw.split('\r\n', 1)[0] ?? '';
    status = firstLine.includes(' HTTP/')
      ? '431 Request Header Fields Too Large'
      : '414 URI Too Long';
  }
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const bindHost = options.host ?? '127.0.0.1';
  const rendererDir = options.rendererDir ?? DEFAULT_RENDERER_DIR;
  const log = options.log ?? console.error;
  const token = options.token ?? newToken();
  const ownsHost = options.trainingHost === undefined;
  const host =
    options.trainingHost ??
    new TrainingHost({
      spawn: () => spawnSourceWorker(),
      engine: options.engine ?? 'auto',
      dataDir: options.dataDir ?? null,
      modelsDir: options.modelsDir ?? null,
      checkpointDir: options.checkpointDir ?? null,
      runsDir: options.runsDir ?? null,
      handwritingDir: options.handwritingDir ?? null,
      log,
    });
  if (ownsHost) host.warmUp();

  let policy: AccessPolicy | null = null; // known once the port is
  const server = createServer((req, res) => {
    if (!policy) return void res.writeHead(503).end();
    handle(policy, rendererDir, req, res).catch((e: unknown) => {
      log(`HTTP ${req.method} ${req.url}: ${(e as Error).message}`);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('Internal error');
    });
  });
  server.on('clientError', (e: NodeJS.ErrnoException, socket) => answerClientError(e, socket));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, bindHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  policy = new AccessPolicy(token, bindHost, port);
  const access = policy;

  const ws = attachWsTransport(server, {
    // The page runs in a browser, where the server cannot show a folder dialog: export and import
    // take a typed path, and only while the server is reachable from this computer alone.
    dispatch: createDispatcher(host, {
      folders: isLoopback(bindHost)
        ? typedFolders()
        : noFolders(
            'Folder paths (export, import, a data folder) work only while the server listens on this computer alone (the default 127.0.0.1).',
          ),
    }),
    subscribe: (listener) => host.onEvent(listener),
    admit: (req) => access.admitSocket(req),
    log,
  });

  // 0.0.0.0 / :: listen everywhere, loopback included: print the address that works locally.
  const shown = bindHost === '0.0.0.0' || bindHost === '::' ? '127.0.0.1' : bindHost;
  const url = `http://${urlHost(shown, port)}/?token=${token}`;
  let closing: Promise<void> | null = null;
  return {
    url,
    token,
    port,
    close: () =>
      (closing ??= (async () => {
        if (ownsHost) await host.close(); // tabs still get the final 'stopped' event
        await ws.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })()),
  };
}

async function handle(
  policy: AccessPolicy,
  rendererDir: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const hostHeader = policy.host(req);
  if (!hostHeader) return text(res, 403, 'Unknown Host header.');
  const csp = withConnectSrc(FALLBACK_CSP, `'self' ws://${hostHeader}`);
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return text(res, 405, 'Only GET and HEAD are supported.');
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  // Checked on the raw path as well: WHATWG URL parsing already folds "/../" into "/".
  const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
  if (/(^|\/|%2f|\\)(\.|%2e){2}(\/|%2f|\\|$)/i.test(rawPath)) return text(res, 400, 'Bad path.');
  if (url.pathname === WS_PATH) return text(res, 426, 'This endpoint speaks WebSocket.');

  const file = await resolveStatic(rendererDir, url.pathname);
  if (file.kind === 'bad-request') return text(res, 400, 'Bad path.');
  // Browsers ask for it unprompted; an empty answer keeps a 404 out of the console.
  if (file.kind === 'not-found' && url.pathname === '/favicon.ico')
    return void res.writeHead(204, { 'Cache-Control': 'max-age=86400' }).end();
  const isHtml = file.kind === 'file' && file.mime.startsWith('text/html');
  // The page needs the token in its URL; its scripts and styles may use the cookie set with it.
  const allowed = policy.tokenIn(url) || (!isHtml && policy.cookieIn(req));
  if (!allowed)
    return text(
      res,
      401,
      'CNN Studio needs its access link. Open the URL printed by `npm run serve` (it ends in ?token=...).',
    );
  if (file.kind === 'not-found') return text(res, 404, 'Not found.');

  let body = await readFile(file.path);
  if (isHtml) {
    const html = body.toString('utf8');
    const pageCsp = withConnectSrc(cspFromHtml(html) ?? FALLBACK_CSP, `'self' ws://${hostHeader}`);
    body = Buffer.from(htmlWithCsp(html, pageCsp));
    res.setHeader('Content-Security-Policy', pageCsp);
    res.setHeader('Set-Cookie', policy.cookie());
  } else res.setHeader('Content-Security-Policy', csp);
  res.writeHead(200, {
    'Content-Type': file.mime,
    'Content-Length': body.length,
    'Cache-Control': cacheControl(url.pathname, isHtml),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function text(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(message + '\n');
}
