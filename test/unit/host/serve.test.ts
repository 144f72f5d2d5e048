// The browser-mode server over HTTP: the page, its assets, the token and cookie, and every
// refusal (traversal, oversized requests, other methods, a foreign Host). The WebSocket is in
// serve-ws.test.ts.
import assert from 'node:assert/strict';
import { request, type IncomingHttpHeaders } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { AccessPolicy } from '../../../src/host/access.ts';
import type { RunningServer } from '../../../src/host/serve.ts';
import { startTestServer, type TestServer } from './serve-fixture.ts';

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

describe('browser-mode server: HTTP', () => {
  let running: TestServer;
  let server: RunningServer;
  before(async () => {
    running = await startTestServer();
    server = running.server;
  });
  after(() => running.close());

  test('prints a loopback URL with a 32-character token', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
    assert.ok(server.url.endsWith(server.token));
    assert.ok(server.port > 0);
  });

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
    assert.equal((await get(server.port, `/?token=${server.token}`)).status, 200, 'still serving');
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
