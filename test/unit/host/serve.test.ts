// The browser-mode server, started for real on a free port with a real TrainingHost.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { AccessPolicy } from '../../../src/host/access.ts';
import { startServer, type RunningServer } from '../../../src/host/serve.ts';
import { spawnSourceWorker } from '../../../src/host/spawn-worker.ts';
import { TrainingHost } from '../../../src/host/training-host.ts';
import { MAX_PAYLOAD } from '../../../src/host/ws-transport.ts';
import { decode, encode, frameBytes } from '../../../src/wire/codec.ts';
import { nestedFrame } from '../wire/nested-frame.ts';

const META_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*; object-src 'none'; base-uri 'none'; " +
  "form-action 'none'; frame-ancestors 'none'";
const INDEX = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta
      http-equiv="Content-Security-Policy"
      content="${META_CSP}"
    />
    <script type="module" crossorigin src="./assets/app-abc123.js"></script>
  </head>
  <body><div id="app"></div></body>
</html>
`;
const SECRET = 'TOP SECRET: outside the renderer folder';

type Reply = { status: number; headers: IncomingHttpHeaders; body: string };

/** Raw HTTP (fetch would normalise "/../" away before sending it). */
function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

type Outcome = { ws: WebSocket; inbox: Inbox } | { status: number };

class Inbox {
  private readonly queue: unknown[] = [];
  private readonly waiting: ((m: unknown) => void)[] = [];
  constructor(ws: WebSocket) {
    ws.on('message', (data) => {
      const m: unknown = decode(frameBytes(data as Buffer));
      const w = this.waiting.shift();
      if (w) w(m);
      else this.queue.push(m);
    });
  }
  next(): Promise<Record<string, unknown>> {
    const m = this.queue.shift();
    if (m !== undefined) return Promise.resolve(m as Record<string, unknown>);
    return new Promise((resolve) => this.waiting.push(resolve as (m: unknown) => void));
  }
  /** The next message matching `pred`, skipping others. */
  async until(pred: (m: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    for (;;) {
      const m = await this.next();
      if (pred(m)) return m;
    }
  }
}

function connect(
  s: RunningServer,
  opts: { token?: string | null; origin?: string | null; path?: string } = {},
): Promise<Outcome> {
  const token = opts.token === undefined ? s.token : opts.token;
  const query = token === null ? '' : `?token=${encodeURIComponent(token)}`;
  const origin = opts.origin === undefined ? `http://127.0.0.1:${s.port}` : opts.origin;
  const ws = new WebSocket(
    `ws://127.0.0.1:${s.port}${opts.path ?? '/ws'}${query}`,
    origin === null ? {} : { origin },
  );
  return new Promise((resolve, reject) => {
    const inbox = new Inbox(ws);
    ws.once('open', () => resolve({ ws, inbox }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      res.resume();
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

async function open(s: RunningServer): Promise<{ ws: WebSocket; inbox: Inbox }> {
  const c = await connect(s);
  assert.ok('ws' in c, `expected a connection, got HTTP ${'status' in c ? c.status : '?'}`);
  return c;
}

const closed = (ws: WebSocket): Promise<number> =>
  new Promise((resolve) => ws.once('close', (code) => resolve(code)));

describe('browser-mode server', () => {
  let dir: string;
  let host: TrainingHost;
  let server: RunningServer;
  let spawns = 0;
  const invoke = (ws: WebSocket, id: number, channel: string, arg: unknown) =>
    ws.send(encode({ kind: 'invoke', id, channel, arg }));

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cnn-studio-serve-'));
    await mkdir(join(dir, 'renderer', 'assets'), { recursive: true });
    await writeFile(join(dir, 'renderer', 'index.html'), INDEX);
    await writeFile(join(dir, 'renderer', 'assets', 'app-abc123.js'), 'console.log("app");\n');
    await writeFile(join(dir, 'secret.txt'), SECRET);
    host = new TrainingHost({
      spawn: () => (spawns++, spawnSourceWorker()),
      engine: 'wasm',
      dataDir: null,
      log: () => {},
    });
    server = await startServer({
      port: 0,
      rendererDir: join(dir, 'renderer'),
      trainingHost: host,
      log: () => {},
    });
  });
  after(async () => {
    await server.close();
    await host.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('prints a loopback URL with a 32-character token', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
    assert.ok(server.url.endsWith(server.token));
    assert.ok(server.port > 0);
  });

  describe('HTTP', () => {
    test('the page without a token, or with a wrong one: 401', async () => {
      for (const path of [
        '/',
        '/index.html',
        '/?token=',
        `/?token=${server.token.slice(1)}`,
        `/?token=${server.token}x`,
      ]) {
        const r = await get(server.port, path);
        assert.equal(r.status, 401, path);
        assert.doesNotMatch(r.body, /<html/);
      }
    });

    test('the page with the token: 200, CSP header equal to the meta CSP, ws origin explicit', async () => {
      const r = await get(server.port, `/?token=${server.token}`);
      assert.equal(r.status, 200);
      assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
      const csp = r.headers['content-security-policy'];
      assert.equal(typeof csp, 'string');
      assert.match(
        csp as string,
        new RegExp(`connect-src 'self' ws://127\\.0\\.0\\.1:${server.port}(;|$)`),
      );
      assert.doesNotMatch(csp as string, /ws:\/\/127\.0\.0\.1:\*/);
      assert.match(csp as string, /script-src 'self'/);
      assert.match(csp as string, /frame-ancestors 'none'/);
      const meta = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(r.body)?.[1];
      // Equal, except frame-ancestors, which browsers honour only as a header.
      assert.match(csp as string, /; frame-ancestors 'none'/);
      assert.equal(meta, (csp as string).replace(/; frame-ancestors 'none'/, ''));
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
      assert.equal(r.headers['referrer-policy'], 'no-referrer');
      assert.equal(r.headers['cache-control'], 'no-store');
      assert.match(
        String(r.headers['set-cookie']),
        new RegExp(`cnn-studio-${server.port}=.*HttpOnly.*SameSite=Strict`),
      );
    });

    test('assets need the token or the cookie set with the page; hashed ones are cacheable', async () => {
      assert.equal((await get(server.port, '/assets/app-abc123.js')).status, 401);
      const page = await get(server.port, `/?token=${server.token}`);
      const cookie = String(page.headers['set-cookie']).split(';')[0]!;
      const r = await get(server.port, '/assets/app-abc123.js', { cookie });
      assert.equal(r.status, 200);
      assert.equal(r.headers['content-type'], 'text/javascript; charset=utf-8');
      assert.match(String(r.headers['cache-control']), /immutable/);
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
      assert.equal(r.body, 'console.log("app");\n');
      const wrong = await get(server.port, '/assets/app-abc123.js', {
        cookie: `cnn-studio-${server.port}=nope`,
      });
      assert.equal(wrong.status, 401);
      // Browsers send the cookie to every port of 127.0.0.1: it must not be the token itself,
      // and the token (which opens the page and the socket) must not work as the cookie either.
      assert.ok(!cookie.includes(server.token), 'the cookie does not carry the token');
      const elsewhere = new AccessPolicy(server.token, '127.0.0.1', server.port + 1).cookie();
      assert.notEqual(elsewhere.split(';')[0]!.split('=')[1], cookie.split('=')[1], 'per port');
      const raw = await get(server.port, '/assets/app-abc123.js', {
        cookie: `cnn-studio-${server.port}=${server.token}`,
      });
      assert.equal(raw.status, 401);
    });

    test('path traversal is refused, raw or percent-encoded', async () => {
      const t = `?token=${server.token}`;
      for (const path of [
        '/../package.json',
        '/../secret.txt',
        '/%2e%2e/secret.txt',
        '/%2E%2E/secret.txt',
        '/assets/..%2f..%2fsecret.txt',
        '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
        '/..%5csecret.txt',
        '/assets/%2e%2e/%2e%2e/secret.txt',
        '/%00index.html',
        '/%zz',
      ]) {
        const r = await get(server.port, path + t);
        assert.ok(r.status === 400 || r.status === 404, `${path}: ${r.status}`);
        assert.doesNotMatch(r.body, /TOP SECRET|"name"/, path);
      }
    });

    test('a 70 KB URL gets 414 and 3 000 headers get 431, not a reset connection', async () => {
      assert.equal((await get(server.port, `/${'a'.repeat(70_000)}`)).status, 414);
      const many = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`x-h${i}`, '1']));
      assert.equal((await get(server.port, '/', many)).status, 431);
      assert.equal(
        (await get(server.port, `/?token=${server.token}`)).status,
        200,
        'still serving',
      );
    });

    test('unknown files 404 (after auth), other methods 405, foreign Host 403', async () => {
      assert.equal((await get(server.port, `/nope.js?token=${server.token}`)).status, 404);
      assert.equal((await get(server.port, '/nope.js')).status, 401);
      assert.equal((await get(server.port, `/?token=${server.token}`, {}, 'POST')).status, 405);
      assert.equal((await get(server.port, '/favicon.ico')).status, 204, 'no console 404');
      // A DNS-rebinding page reaches us under its own host name.
      const r = await get(server.port, `/?token=${server.token}`, {
        host: `evil.example:${server.port}`,
      });
      assert.equal(r.status, 403);
      const ok = await get(server.port, `/?token=${server.token}`, {
        host: `localhost:${server.port}`,
      });
      assert.equal(ok.status, 200);
      assert.match(
        String(ok.headers['content-security-policy']),
        new RegExp(`ws://localhost:${server.port}`),
      );
    });
  });

  describe('WebSocket', () => {
    test('refuses a handshake without the token, with a wrong one, or on another path', async () => {
      assert.deepEqual(await connect(server, { token: null }), { status: 401 });
      assert.deepEqual(await connect(server, { token: 'x'.repeat(32) }), { status: 401 });
      assert.deepEqual(await connect(server, { path: '/socket' }), { status: 404 });
    });

    test('refuses a foreign or missing Origin even with the token (cross-site hijacking)', async () => {
      assert.deepEqual(await connect(server, { origin: 'http://evil.example' }), { status: 403 });
      assert.deepEqual(await connect(server, { origin: `http://127.0.0.1:${server.port + 1}` }), {
        status: 403,
      });
      assert.deepEqual(await connect(server, { origin: null }), { status: 403 });
    });

    test('training:status answers idle without starting the worker', async () => {
      const { ws, inbox } = await open(server);
      invoke(ws, 1, 'training:status', null);
      const m = await inbox.next();
      assert.equal(m['kind'], 'result');
      assert.equal(m['id'], 1);
      const result = m['result'] as { ok: boolean; value: { worker: { state: string } } };
      assert.equal(result.ok, true);
      assert.equal(result.value.worker.state, 'idle');
      assert.equal(spawns, 0);
      ws.close();
    });

    test('malformed frames get an error reply and the socket keeps working', async () => {
      const { ws, inbox } = await open(server);
      const bad: [string | Uint8Array, RegExp][] = [
        [Uint8Array.from([0xc1, 1]), /not valid MessagePack/],
        [encode([1, 2, 3]), /Expected an object/],
        [encode('invoke'), /Expected an object/],
        [encode({ kind: 'subscribe', id: 1 }), /Unknown kind "subscribe"/],
        [encode({ kind: 'invoke', id: -1, channel: 'training:status', arg: null }), /id must be/],
        [encode({ kind: 'invoke', id: 1.5, channel: 'training:status', arg: null }), /id must be/],
        ['{"kind":"invoke","id":1,"channel":"training:status","arg":null}', /Text frames/],
        // Once fatal to the whole process: JSON.stringify recursed into a 5 000-deep kind.
        [nestedFrame(['kind'], 5000), /nests deeper than 100 levels/],
        [
          nestedFrame(['kind', 'invoke', 'id', 2, 'channel', 'model:predict', 'arg'], 9000),
          /nests deeper than 100 levels/,
        ],
      ];
      for (const [frame, message] of bad) {
        ws.send(frame, { binary: typeof frame !== 'string' });
        const m = await inbox.next();
        assert.equal(m['kind'], 'error', String(frame));
        assert.deepEqual(Object.keys(m).sort(), ['error', 'kind']);
        const error = m['error'] as { code: string; message: string };
        assert.equal(error.code, 'BAD_REQUEST');
        assert.match(error.message, message);
      }
      // With a usable id the client gets a result it can match to its request.
      ws.send(encode({ kind: 'invoke', id: 5, channel: 'training:status', arg: null, x: 1 }));
      ws.send(encode({ kind: 'invoke', id: 6, channel: 'training:status' }));
      invoke(ws, 7, 'training:explode', null);
      invoke(ws, 8, 'training:start', { epochs: 1 });
      invoke(ws, 9, 'model:predict', new Array(784).fill('0.5'));
      invoke(ws, 10, 'model:predict', new Float32Array(784).fill(1.5));
      invoke(ws, 12, 'model:predict', new Array(784).fill(0.5));
      const replies = new Map<number, string>();
      for (let i = 0; i < 7; i++) {
        const m = await inbox.next();
        assert.equal(m['kind'], 'result');
        const r = m['result'] as { ok: boolean; error: { code: string; message: string } };
        assert.equal(r.ok, false);
        assert.equal(r.error.code, 'BAD_REQUEST');
        replies.set(m['id'] as number, r.error.message);
      }
      assert.match(replies.get(5) ?? '', /x: unknown field/);
      assert.match(replies.get(6) ?? '', /arg: missing/);
      assert.match(replies.get(7) ?? '', /unknown channel "training:explode"/);
      assert.match(replies.get(8) ?? '', /^training:start: batchSize: missing$/);
      assert.match(replies.get(9) ?? '', /expected a Float32Array/);
      assert.match(replies.get(10) ?? '', /\[0\]: must be between 0 and 1/);
      // Numbers are not pixels: nothing converts a plain array (JSON once needed that).
      assert.match(replies.get(12) ?? '', /expected a Float32Array, got an array/);
      invoke(ws, 11, 'training:status', null);
      assert.equal((await inbox.next())['id'], 11);
      ws.close();
    });

    test('a frame over maxPayload closes that socket (1009); new connections still work', async () => {
      const { ws } = await open(server);
      const code = closed(ws);
      ws.send(
        encode({ kind: 'invoke', id: 1, channel: 'model:predict', arg: 'x'.repeat(MAX_PAYLOAD) }),
      );
      assert.equal(await code, 1009);
      const fresh = await open(server);
      invoke(fresh.ws, 2, 'training:status', null);
      const m = await fresh.inbox.next();
      assert.equal(m['id'], 2);
      assert.equal((m['result'] as { ok: boolean }).ok, true);
      fresh.ws.close();
    });

    test('every tab gets events; a run streams to all, Float32Arrays as Float32Arrays', async () => {
      const a = await open(server);
      const b = await open(server);
      const tiny = {
        epochs: 1,
        batchSize: 50,
        learningRate: 1e-3,
        trainLimit: 100,
        testLimit: 20,
        seed: 3,
      };
      invoke(a.ws, 1, 'training:start', tiny);
      const started = await a.inbox.until((m) => m['kind'] === 'result');
      assert.equal((started['result'] as { ok: boolean }).ok, true, JSON.stringify(started));
      for (const tab of [a, b]) {
        const isEvent = (type: string) => (m: Record<string, unknown>) =>
          m['kind'] === 'event' && (m['payload'] as { type: string }).type === type;
        const filters = await tab.inbox.until(isEvent('filters'));
        assert.equal(filters['channel'], 'training:event');
        const kernels = (filters['payload'] as { kernels: { shape: number[]; values: unknown }[] })
          .kernels;
        assert.ok(kernels.length > 0);
        for (const k of kernels) {
          assert.ok(k.values instanceof Float32Array, 'values stay a Float32Array on the wire');
          assert.equal(
            k.values.length,
            k.shape.reduce((x, y) => x * y, 1),
          );
        }
        await tab.inbox.until(isEvent('finished'));
      }
      invoke(b.ws, 2, 'training:status', null);
      const status = await b.inbox.until((m) => m['kind'] === 'result' && m['id'] === 2);
      const history = (
        status['result'] as {
          value: { history: { type: string; kernels?: { values: unknown }[] }[] };
        }
      ).value.history;
      const f = history.find((e) => e.type === 'filters');
      assert.ok(f?.kernels?.[0]?.values instanceof Float32Array, 'status results keep them too');
      assert.equal(spawns, 1);
      a.ws.close();
      b.ws.close();
    });
  });
});
