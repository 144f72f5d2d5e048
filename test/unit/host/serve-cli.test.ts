// `npm run serve`: its flags, and the real entry point started as a process, like Playwright would.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isLoopback, urlHost } from '../../../src/host/access.ts';
import { parseServeArgs } from '../../../src/host/serve-cli.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('parseServeArgs', () => {
  test('defaults: loopback, a free port, engine from CNN_STUDIO_ENGINE or auto', () => {
    assert.deepEqual(parseServeArgs([], {}), {
      help: false,
      options: { port: 0, host: '127.0.0.1', engine: 'auto', dataDir: null },
    });
    assert.equal(parseServeArgs([], { CNN_STUDIO_ENGINE: 'wasm' }).options.engine, 'wasm');
    assert.equal(
      parseServeArgs(['--engine', 'cpu'], { CNN_STUDIO_ENGINE: 'wasm' }).options.engine,
      'cpu',
    );
  });

  test('flags', () => {
    const { options } = parseServeArgs(['--port', '8123', '--host', '0.0.0.0', '--data', '/d'], {});
    assert.deepEqual(options, { port: 8123, host: '0.0.0.0', engine: 'auto', dataDir: '/d' });
    assert.equal(parseServeArgs(['-h'], {}).help, true);
  });

  test('mistakes are one clear sentence', () => {
    assert.throws(
      () => parseServeArgs(['--port', 'abc'], {}),
      /--port must be a whole number from 0 to 65535; got "abc"/,
    );
    assert.throws(() => parseServeArgs(['--port', '70000'], {}), /--port/);
    assert.throws(() => parseServeArgs(['--port', ''], {}), /--port/);
    assert.throws(
      () => parseServeArgs(['--engine', 'gpu'], {}),
      /--engine="gpu" is not an engine; use one of auto, native, wasm, cpu/,
    );
    assert.throws(
      () => parseServeArgs([], { CNN_STUDIO_ENGINE: 'tpu' }),
      /CNN_STUDIO_ENGINE="tpu" is not an engine/,
    );
    assert.throws(() => parseServeArgs(['--bogus'], {}), /Unknown option '--bogus'\.$/);
  });

  test('loopback detection and URL hosts', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1'])
      assert.equal(isLoopback(h), true, h);
    for (const h of ['0.0.0.0', '::', '192.168.1.2', 'example.com', '128.0.0.1'])
      assert.equal(isLoopback(h), false, h);
    assert.equal(urlHost('::1', 80), '[::1]:80');
    assert.equal(urlHost('127.0.0.1', 80), '127.0.0.1:80');
  });
});

describe('tsx src/host/serve-cli.ts --port 0', () => {
  test('prints the URL with its token, serves the page, and exits 0 on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/host/serve-cli.ts', '--port', '0'],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m =
          /CNN Studio is running at (http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32})\n/.exec(
            out,
          );
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) =>
        reject(new Error(`exited ${code} before printing a URL:\n${out}\n${err}`)),
      );
    });
    const status = await new Promise<number>((resolve, reject) =>
      get(url, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject),
    );
    assert.equal(status, 200);
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    child.kill('SIGTERM');
    assert.equal(await exited, 0, err);
  });

  test('a bad flag exits 2 with the usage', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/host/serve-cli.ts', '--port', 'x'],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) =>
      child.once('exit', (c) => resolve(c)),
    );
    assert.equal(code, 2);
    assert.match(err, /--port must be a whole number/);
    assert.match(err, /Usage: npm run serve/);
    assert.doesNotMatch(err, /\n\s+at /, 'no stack trace');
  });
});
