// Static file resolution and the CSP helpers shared by browser mode and the Electron app:// protocol.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { newToken, sameToken } from '../../../src/host/access.ts';
import {
  cspFromHtml,
  htmlWithCsp,
  mimeType,
  resolveStatic,
  withConnectSrc,
} from '../../../src/host/static-files.ts';

describe('CSP helpers', () => {
  const html = `<head>\n<meta\n  http-equiv="Content-Security-Policy"\n  content="default-src 'self'; connect-src 'self' ws://127.0.0.1:*; object-src 'none'"\n/>\n</head>`;

  test('reads the meta policy, multi-line tag and single quotes included', () => {
    assert.equal(
      cspFromHtml(html),
      "default-src 'self'; connect-src 'self' ws://127.0.0.1:*; object-src 'none'",
    );
    assert.equal(cspFromHtml('<head></head>'), null);
  });

  test('replaces connect-src only', () => {
    assert.equal(
      withConnectSrc(
        "default-src 'self'; connect-src 'self' ws://127.0.0.1:*; object-src 'none'",
        "'self' ws://127.0.0.1:5000",
      ),
      "default-src 'self'; object-src 'none'; connect-src 'self' ws://127.0.0.1:5000",
    );
    assert.equal(
      withConnectSrc("default-src 'self';", "'self'"),
      "default-src 'self'; connect-src 'self'",
    );
  });

  test('writes the policy back into the page, which then reads back the same', () => {
    const csp = "default-src 'self'; connect-src 'self' ws://localhost:1";
    const out = htmlWithCsp(html, csp);
    assert.equal(cspFromHtml(out), csp);
    const framed = htmlWithCsp(html, `${csp}; frame-ancestors 'none'`);
    assert.equal(cspFromHtml(framed), csp, 'header-only directives stay out of the meta');
    assert.equal(out.match(/Content-Security-Policy/g)?.length, 1);
    assert.equal(
      cspFromHtml(htmlWithCsp('<html><head></head></html>', csp)),
      csp,
      'added when missing',
    );
  });
});

describe('resolveStatic', () => {
  let dir: string;
  let root: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cnn-studio-static-'));
    root = join(dir, 'renderer');
    await mkdir(join(root, 'assets'), { recursive: true });
    await writeFile(join(root, 'index.html'), '<html></html>');
    await writeFile(join(root, 'assets', 'a.js'), '1');
    await writeFile(join(dir, 'secret.txt'), 'secret');
    await symlink(join(dir, 'secret.txt'), join(root, 'assets', 'link.txt'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('maps / and files under the root, with MIME types', async () => {
    assert.deepEqual(await resolveStatic(root, '/'), {
      kind: 'file',
      path: join(root, 'index.html'),
      mime: 'text/html; charset=utf-8',
    });
    const js = await resolveStatic(root, '/assets/a.js');
    assert.equal(js.kind === 'file' && js.mime, 'text/javascript; charset=utf-8');
    assert.equal(
      (await resolveStatic(root, '/assets/')).kind,
      'not-found',
      'a folder without index.html',
    );
    assert.equal(
      (await resolveStatic(root, '/assets')).kind,
      'not-found',
      'a folder is not a file',
    );
  });

  test('refuses traversal, encoded or not, and symlinks out of the root', async () => {
    for (const p of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2F..%2Fsecret.txt',
      '/..\\secret.txt',
      '/a%00.js',
      '/%E0%A4%A',
      'assets/a.js',
    ])
      assert.equal((await resolveStatic(root, p)).kind, 'bad-request', p);
    assert.equal((await resolveStatic(root, '/assets/link.txt')).kind, 'not-found');
  });

  test('MIME types: known ones, and octet-stream for the rest', () => {
    assert.equal(mimeType('x.wasm'), 'application/wasm');
    assert.equal(mimeType('X.SVG'), 'image/svg+xml');
    assert.equal(mimeType('x.unknown'), 'application/octet-stream');
  });
});

describe('tokens', () => {
  test('are 24 random bytes in base64url, and compare exactly', () => {
    const a = newToken();
    assert.match(a, /^[A-Za-z0-9_-]{32}$/);
    assert.notEqual(a, newToken());
    assert.equal(sameToken(a, a), true);
    for (const wrong of [
      a.slice(1),
      `${a}x`,
      '',
      null,
      undefined,
      a.toUpperCase() === a ? a.toLowerCase() : a.toUpperCase(),
    ])
      assert.equal(sameToken(wrong, a), false, String(wrong));
  });
});
