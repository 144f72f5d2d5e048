// The browser-mode server's WebSocket: handshakes refused without the token or from a foreign
// origin, malformed and oversized frames answered without harm, and a run streamed to every tab.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import type { RunningServer } from '../../../src/host/serve.ts';
import { MAX_PAYLOAD } from '../../../src/host/ws-transport.ts';
import { decode, encode, frameBytes } from '../../../src/wire/codec.ts';
import { nestedFrame } from '../wire/nested-frame.ts';
import { startTestServer, type TestServer } from './serve-fixture.ts';

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

describe('browser-mode server: WebSocket', () => {
  let running: TestServer;
  let server: RunningServer;
  const invoke = (ws: WebSocket, id: number, channel: string, arg: unknown) =>
    ws.send(encode({ kind: 'invoke', id, channel, arg }));
  before(async () => {
    running = await startTestServer();
    server = running.server;
  });
  after(() => running.close());

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
    assert.equal(running.spawns(), 0);
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
    assert.equal(running.spawns(), 1);
    a.ws.close();
    b.ws.close();
  });
});
