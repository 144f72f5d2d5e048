// The Electron security checklist, checked on the real modules: electron/main/window.ts,
// protocol.ts, ipc.ts, folders.ts and the preload run under Node against a recording fake of
// Electron's API (electron-hooks.mjs swaps the import), and the page's CSP is read from the HTML.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { register } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FALLBACK_CSP, cspFromHtml } from '../../../src/host/static-files.ts';
import { INVOKE_CHANNELS, type StudioApi } from '../../../src/shared/contract.ts';

register('./electron-hooks.mjs', import.meta.url);
const FAKE: string = './fake-electron.mjs'; // plain JavaScript: typed by the Fake interface below
const { fake } = (await import(FAKE)) as { fake: Fake };
const { createMainWindow } = await import('../../../electron/main/window.ts');
const { registerAppScheme, serveRenderer, APP_ORIGIN } =
  await import('../../../electron/main/protocol.ts');
const { wireIpc } = await import('../../../electron/main/ipc.ts');
const { dialogFolders } = await import('../../../electron/main/folders.ts');

/* eslint-disable @typescript-eslint/no-explicit-any -- the fake's recordings are untyped */
interface Fake {
  windows: any[];
  handlers: Map<string, (event: unknown, arg: unknown) => Promise<any>>;
  exposed: [string, StudioApi][];
  invoked: [string, unknown][];
  privileged: any[];
  dialogs: any[][];
  dialogAnswer: { canceled: boolean; filePaths: string[] };
}

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const URL_ = `${APP_ORIGIN}/index.html`;

/** CSP text -> directive -> sources. */
const directives = (csp: string): Map<string, string[]> =>
  new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...sources]) => [name!, sources]),
  );

describe('the window (electron/main/window.ts)', () => {
  const win = createMainWindow({ preload: '/app/out/preload/index.cjs', url: URL_ }) as any;
  const contents = win.webContents;

  test('webPreferences: isolated, sandboxed, no Node, web security on, nothing extra', () => {
    assert.deepEqual(win.options.webPreferences, {
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      disableBlinkFeatures: 'Auxclick',
    });
  });

  test('loads our app:// origin, never file:// or a remote page', () => {
    assert.equal(win.loadedUrl, 'app://studio/index.html');
  });

  test('new windows are denied, whatever the URL', () => {
    for (const url of ['https://example.com', 'app://studio/index.html', 'file:///etc/passwd'])
      assert.deepEqual(contents.windowOpenHandler({ url }), { action: 'deny' });
  });

  test('navigation and redirects away from our origin are blocked; webviews never attach', () => {
    const attempt = (event: string, url: string): boolean => {
      let prevented = false;
      contents.emit(event, { url, preventDefault: () => (prevented = true) });
      return prevented;
    };
    for (const event of ['will-navigate', 'will-redirect']) {
      for (const url of [
        'https://evil.example/',
        'file:///etc/passwd',
        'app://other/x',
        'http://127.0.0.1:9/',
      ])
        assert.equal(attempt(event, url), true, `${event} ${url}`);
      assert.equal(attempt(event, 'app://studio/index.html'), false, `${event} within our origin`);
    }
    let prevented = false;
    contents.emit('will-attach-webview', { preventDefault: () => (prevented = true) });
    assert.equal(prevented, true);
  });

  test('every permission request and check is denied', () => {
    const session = contents.session;
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'hid']) {
      let granted: boolean | null = null;
      session.permissionRequest(contents, permission, (g: boolean) => (granted = g));
      assert.equal(granted, false, permission);
      assert.equal(session.permissionCheck(contents, permission), false);
    }
    assert.equal(session.devicePermission({ deviceType: 'usb' }), false);
  });
});

describe('the app:// protocol (electron/main/protocol.ts)', () => {
  let dir: string;
  let handle: (req: Request) => Promise<Response>;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cnn-app-scheme-'));
    await writeFile(join(dir, 'index.html'), await readFile(join(ROOT, 'renderer/index.html')));
    await writeFile(join(dir, 'app.js'), 'console.log(1)');
    registerAppScheme();
    const session = { protocol: { handle: (_s: string, fn: typeof handle) => (handle = fn) } };
    serveRenderer(session as never, dir);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('is registered as a standard, secure scheme (a real origin, not file://)', () => {
    const app = fake.privileged.find((s) => s.scheme === 'app');
    assert.equal(app.privileges.standard, true);
    assert.equal(app.privileges.secure, true);
    assert.equal(app.privileges.bypassCSP, undefined, 'the CSP is never bypassed');
  });

  test('serves the page with its CSP as a header too, connect-src limited to itself', async () => {
    const res = await handle(new Request('app://studio/index.html'));
    assert.equal(res.status, 200);
    const csp = res.headers.get('content-security-policy')!;
    assert.deepEqual(directives(csp).get('connect-src'), ["'self'"]);
    // The meta tag repeats the header, minus frame-ancestors (which browsers ignore in a meta tag).
    const header = directives(csp);
    assert.deepEqual(header.get('frame-ancestors'), ["'none'"]);
    header.delete('frame-ancestors');
    assert.deepEqual(
      directives(cspFromHtml(await res.text())!),
      header,
      'meta tag and header agree',
    );
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  });

  test('refuses other hosts, other methods and paths out of the folder', async () => {
    assert.equal((await handle(new Request('app://evil/index.html'))).status, 404);
    assert.equal(
      (await handle(new Request('app://studio/app.js', { method: 'POST', body: 'x' }))).status,
      405,
    );
    for (const path of ['/%2e%2e/%2e%2e/etc/passwd', '/..%2fsecret', '/a%5c..%5cb'])
      assert.ok(
        [400, 404].includes((await handle(new Request(`app://studio${path}`))).status),
        path,
      );
  });
});

describe("the page's Content-Security-Policy (renderer/index.html, meta tag)", () => {
  test('is strict: scripts only from the app, no eval, no inline scripts, no plugins, no framing', async () => {
    const html = await readFile(join(ROOT, 'renderer/index.html'), 'utf8');
    for (const csp of [cspFromHtml(html)!, FALLBACK_CSP]) {
      const d = directives(csp);
      assert.deepEqual(d.get('default-src'), ["'self'"]);
      assert.deepEqual(d.get('script-src'), ["'self'"]);
      assert.deepEqual(d.get('object-src'), ["'none'"]);
      assert.deepEqual(d.get('base-uri'), ["'none'"]);
      assert.deepEqual(d.get('form-action'), ["'none'"]);
      assert.deepEqual(d.get('frame-ancestors'), ["'none'"]);
      for (const [name, sources] of d) {
        assert.ok(!sources.includes("'unsafe-eval'"), `${name} allows eval`);
        assert.ok(
          !sources.some((s) => /^(https?:|\*$|data:$)/.test(s) && name !== 'img-src'),
          `${name}: ${sources}`,
        );
      }
      for (const s of d.get('connect-src') ?? [])
        assert.match(
          s,
          /^('self'|ws:\/\/(127\.0\.0\.1|localhost):\*)$/,
          'connect only to ourselves',
        );
    }
  });
});

describe('the preload (electron/preload/index.ts)', () => {
  let api: StudioApi;
  before(async () => {
    await import('../../../electron/preload/index.ts');
    assert.equal(fake.exposed.length, 1, 'one object is exposed');
    assert.equal(fake.exposed[0]![0], 'studio');
    api = fake.exposed[0]![1];
  });

  test('exposes invoke and on only: no ipcRenderer, no send, no Node', () => {
    assert.deepEqual(Object.keys(api).sort(), ['invoke', 'on']);
  });

  test('forwards contract channels and refuses the rest without touching IPC', async () => {
    assert.deepEqual(await api.invoke('model:list', null), { ok: true, value: 'forwarded' });
    const refused = await api.invoke('fs:readFile' as never, '/etc/passwd' as never);
    assert.ok(!refused.ok && refused.error.code === 'BAD_REQUEST');
    assert.deepEqual(
      fake.invoked.map(([c]) => c),
      ['model:list'],
    );
    assert.throws(() => api.on('ipc:raw' as never, () => {}), /Unknown event channel/);
  });
});

describe('IPC in main (electron/main/ipc.ts)', () => {
  test('one handler per contract channel; requests from other frames never reach the host', async () => {
    const calls: unknown[] = [];
    const win = fake.windows[0];
    const unwire = wireIpc({
      window: () => win,
      origin: APP_ORIGIN,
      dispatch: async (channel, arg) => {
        calls.push([channel, arg]);
        return { ok: true, value: null };
      },
      host: { onEvent: () => () => {} } as never,
    });
    assert.deepEqual([...fake.handlers.keys()].sort(), [...INVOKE_CHANNELS].sort());
    const handler = fake.handlers.get('model:delete')!;
    const ours = { sender: win.webContents, senderFrame: win.webContents.mainFrame };
    assert.deepEqual(await handler(ours, { name: 'x' }), { ok: true, value: null });
    const iframe = {
      sender: win.webContents,
      senderFrame: { url: 'app://studio/x', parent: {}, frameTreeNodeId: 2 },
    };
    const foreign = { sender: {}, senderFrame: win.webContents.mainFrame };
    const navigated = {
      sender: win.webContents,
      senderFrame: { ...win.webContents.mainFrame, url: 'https://evil.example/' },
    };
    for (const event of [iframe, foreign, navigated]) {
      const r = await handler(event, { name: 'x' });
      assert.ok(!r.ok && r.error.code === 'BAD_REQUEST' && /unknown frame/.test(r.error.message));
    }
    assert.equal(calls.length, 1);
    unwire();
    assert.equal(fake.handlers.size, 0);
  });
});

describe('folders in the desktop app (electron/main/folders.ts)', () => {
  const folders = dialogFolders(() => fake.windows[0]);

  test('a path sent by the page is refused and no dialog opens', async () => {
    fake.dialogs.length = 0;
    for (const ask of [
      () => folders.exportFolder('/home/user/.ssh', 'm'),
      () => folders.importFolder('/etc'),
      () => folders.modelsFolder!('/'),
    ])
      await assert.rejects(ask(), /does not accept paths from the page/);
    assert.equal(fake.dialogs.length, 0);
  });

  test('otherwise the user picks in a native dialog; cancelling answers null', async () => {
    assert.equal(await folders.exportFolder(null, 'digits'), '/picked/folder');
    assert.match(fake.dialogs.at(-1)![1].title, /Export "digits"/);
    fake.dialogAnswer = { canceled: true, filePaths: [] };
    assert.equal(await folders.importFolder(null), null);
  });
});
