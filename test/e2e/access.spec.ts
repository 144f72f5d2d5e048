// Browser mode is guarded like Jupyter: no token, no page and no socket.
import { expect, test } from './support/fixtures.ts';
import type { PageGlobals } from './support/page-globals.ts';
import { handshake, pageOrigin, wsUrl } from './support/wire-client.ts';

test.skip(
  ({ appKind }) => appKind !== 'browser',
  'browser mode only: the desktop app serves no HTTP and opens no socket',
);

test('the page and its files without the token are refused', async ({ app, request }) => {
  const studio = await app.open(); // the same server lets the page in with its token
  const base = `http://127.0.0.1:${app.server!.port}`;
  // Even the browser that holds the session cookie needs the token for the page itself.
  for (const url of [`${base}/`, `${base}/?token=wrong`]) {
    const response = await studio.page.context().request.get(url, { failOnStatusCode: false });
    expect(response.status(), url).toBe(401);
    expect(await response.text()).toContain('needs its access link');
  }
  // The app's script: fine with the cookie the page set, refused without it.
  const script = await studio.page.locator('script[type="module"]').getAttribute('src');
  expect(script).toMatch(/assets\/.+\.js$/);
  const asset = new URL(script!, `${base}/`).href;
  expect((await studio.page.context().request.get(asset)).status()).toBe(200);
  expect((await request.get(asset, { failOnStatusCode: false })).status()).toBe(401);
});

test('a WebSocket without the right token or origin never opens', async ({ app }) => {
  const server = app.server!;
  const origin = pageOrigin(server);
  expect(await handshake(wsUrl(server, null), origin)).toBe(401);
  expect(await handshake(wsUrl(server, 'wrong'), origin)).toBe(401);
  expect(await handshake(wsUrl(server, server.token), 'http://evil.example')).toBe(403);
  expect(await handshake(wsUrl(server, server.token), undefined)).toBe(403);
  expect(await handshake(wsUrl(server, server.token), origin)).toBe('open'); // the control

  // The same from inside the app's page: the browser only sees a socket that closes unopened.
  const studio = await app.open();
  const outcome = await studio.page.evaluate(async () => {
    const g = globalThis as unknown as PageGlobals;
    const ws = new g.WebSocket(`ws://${g.location.host}/ws`);
    return new Promise<string>((resolve) => {
      ws.addEventListener('open', () => resolve('open'));
      ws.addEventListener('close', (e) => resolve(`closed ${e.code}`));
    });
  });
  expect(outcome).toBe('closed 1006');
});
