import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ErrorEnvelope } from '../../../src/shared/errors.ts';
import type { TrainingEvent } from '../../../src/shared/events.ts';
import type { ConnectionStatus } from '../../../renderer/src/lib/client.ts';
import {
  CONNECTION_LOST,
  createWsClient,
  type SocketLike,
} from '../../../renderer/src/lib/ws-client.ts';
import { decode, encode } from '../../../src/wire/codec.ts';
import { ENGINE, MODEL_INFO, batch, started } from './fixtures.ts';

type Handler = (event: never) => void;

class FakeSocket implements SocketLike {
  readonly sent: unknown[] = [];
  readonly handlers = new Map<string, Handler[]>();
  closedWith: number | undefined;
  binaryType = 'blob';
  constructor(readonly url: string) {}
  send(data: Uint8Array): void {
    this.sent.push(decode(data));
  }
  close(code?: number): void {
    this.closedWith = code;
  }
  addEventListener(type: string, listener: Handler): void {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), listener]);
  }
  fire(type: string, event?: unknown): void {
    for (const h of this.handlers.get(type) ?? []) (h as (e: unknown) => void)(event);
  }
  open(): void {
    this.fire('open');
  }
  /** As a browser hands it over with binaryType 'arraybuffer'; a string arrives as text. */
  receive(message: unknown): void {
    this.fire('message', {
      data: typeof message === 'string' ? message : encode(message).slice().buffer,
    });
  }
  drop(code = 1006, reason = ''): void {
    this.fire('close', { code, reason });
  }
}

function setup() {
  const sockets: FakeSocket[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const statuses: ConnectionStatus[] = [];
  const events: TrainingEvent[] = [];
  const problems: ErrorEnvelope[] = [];
  const client = createWsClient({
    url: 'ws://host/ws?token=t0k',
    endpoint: 'ws://host/ws',
    connect: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    setTimer: (fn, ms) => timers.push({ fn, ms }),
    clearTimer: () => {},
    random: () => 0.5, // no jitter
    now: () => 1000,
  });
  client.onConnection((s) => statuses.push(s));
  client.on('training:event', (e) => events.push(e));
  client.onProblem((p) => problems.push(p));
  const socket = (): FakeSocket => sockets.at(-1)!;
  return { client, sockets, socket, timers, statuses, events, problems };
}

describe('ws client: requests', () => {
  it('sends invoke messages and resolves each by id', async () => {
    const t = setup();
    t.socket().open();
    assert.equal(t.socket().url, 'ws://host/ws?token=t0k');
    const a = t.client.invoke('training:pause', null);
    const b = t.client.invoke('training:start', { ...started('x').config });
    assert.deepEqual(t.socket().sent[0], {
      kind: 'invoke',
      id: 1,
      channel: 'training:pause',
      arg: null,
    });
    assert.equal((t.socket().sent[1] as { id: number }).id, 2);
    t.socket().receive({ kind: 'result', id: 2, result: { ok: true, value: { runId: 'r9' } } });
    t.socket().receive({
      kind: 'result',
      id: 1,
      result: { ok: false, error: { code: 'NOT_RUNNING', message: 'Nothing to pause' } },
    });
    assert.deepEqual(await b, { ok: true, value: { runId: 'r9' } });
    assert.deepEqual(await a, {
      ok: false,
      error: { code: 'NOT_RUNNING', message: 'Nothing to pause' },
    });
  });

  it('sends binary frames (asking for ArrayBuffers back); a Float32Array stays one', () => {
    const t = setup();
    t.socket().open();
    assert.equal(t.socket().binaryType, 'arraybuffer');
    const pixels = new Float32Array(784).fill(0.5);
    void t.client.invoke('model:predict', pixels);
    const msg = t.socket().sent[0] as { arg: unknown };
    assert.ok(msg.arg instanceof Float32Array);
    assert.deepEqual(msg.arg, pixels);
  });

  it('a request that cannot be encoded is refused in words and never sent', async () => {
    const t = setup();
    t.socket().open();
    const bad = new Int32Array(784) as unknown as Float32Array;
    const r = await t.client.invoke('model:predict', bad);
    assert.equal(t.socket().sent.length, 0);
    assert.ok(!r.ok && /model:predict request could not be encoded/.test(r.error.message));
    assert.match(r.ok ? '' : (r.error.detail ?? ''), /Int32Array cannot be sent/);
  });

  it('answers at once with an error when not connected', async () => {
    const t = setup();
    const r = await t.client.invoke('training:status', null);
    assert.equal(r.ok, false);
    assert.equal(t.socket().sent.length, 0);
  });

  it('validates the history inside training:status, typed arrays and all', async () => {
    const t = setup();
    t.socket().open();
    const p = t.client.invoke('training:status', null);
    const kernels = [
      { layer: 'conv1', shape: [1, 1, 1, 2], values: new Float32Array([0.25, -0.5]) },
    ];
    t.socket().receive({
      kind: 'result',
      id: 1,
      result: {
        ok: true,
        value: {
          engine: ENGINE,
          worker: { state: 'running', runId: 'r', hasModel: true },
          history: [started('r'), { type: 'filters', runId: 'r', epoch: 0, batch: 0, kernels }],
          shown: null,
        },
      },
    });
    const r = await p;
    assert.ok(r.ok);
    const filters = r.value.history[1];
    assert.equal(filters?.type, 'filters');
    if (filters?.type !== 'filters') return;
    assert.ok(filters.kernels[0]?.values instanceof Float32Array);
    assert.deepEqual(Array.from(filters.kernels[0]!.values), [0.25, -0.5]);
  });

  it('turns an unreadable answer into an error result', async () => {
    const t = setup();
    t.socket().open();
    const p = t.client.invoke('training:status', null);
    t.socket().receive({ kind: 'result', id: 1, result: { ok: true, value: { history: 'no' } } });
    const r = await p;
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.code, 'BAD_REQUEST');
  });

  it("checks every channel's answer, not only three: a malformed model list is refused", async () => {
    const t = setup();
    t.socket().open();
    const model = MODEL_INFO;
    const good = t.client.invoke('model:list', null);
    t.socket().receive({
      kind: 'result',
      id: 1,
      result: { ok: true, value: { folder: '/m', models: [model] } },
    });
    assert.deepEqual(await good, { ok: true, value: { folder: '/m', models: [model] } });

    const bad = t.client.invoke('model:list', null);
    t.socket().receive({
      kind: 'result',
      id: 2,
      result: { ok: true, value: { folder: '/m', models: [{ ...model, bytes: 'many' }] } },
    });
    const r = await bad;
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.error.code, 'BAD_REQUEST');
      assert.match(r.error.message, /answer to model:list could not be read/);
      assert.match(r.error.detail ?? '', /value\.models\[0\]\.bytes/);
    }

    const stop = t.client.invoke('training:stop', null);
    t.socket().receive({ kind: 'result', id: 3, result: { ok: true, value: { surprise: 1 } } });
    assert.equal((await stop).ok, false, 'even a null answer is checked');
  });
});

describe('ws client: events', () => {
  it('delivers events with kernel values as Float32Array and NaN losses as NaN', () => {
    const t = setup();
    t.socket().open();
    t.socket().receive({
      kind: 'event',
      channel: 'training:event',
      payload: { ...batch('r', 1, 1, [2.3, 0]), losses: [2.3, NaN] },
    });
    const filters = (batch: number, values: unknown) => ({
      kind: 'event',
      channel: 'training:event',
      payload: {
        type: 'filters',
        runId: 'r',
        epoch: 1,
        batch,
        kernels: [{ layer: 'conv1', shape: [1, 1, 1, 3], values }],
      },
    });
    t.socket().receive(filters(2, new Float32Array([1, 2, 3])));
    // A plain array where a Float32Array belongs is refused, not converted.
    t.socket().receive(filters(3, [1, 2, 3]));
    assert.equal(t.events.length, 2);
    assert.equal(t.problems.length, 1);
    assert.match(t.problems[0]?.detail ?? '', /values: expected a Float32Array/);
    const [b, f] = t.events;
    assert.ok(b?.type === 'batch' && Number.isNaN(b.losses[1]) && b.losses[0] === 2.3);
    assert.ok(f?.type === 'filters' && f.kernels[0]?.values instanceof Float32Array);
  });

  it('reports, and does not deliver, an event that fails validation', () => {
    const t = setup();
    t.socket().open();
    t.socket().receive({
      kind: 'event',
      channel: 'training:event',
      payload: { type: 'paused', runId: 'r', extra: 1 },
    });
    t.socket().receive('{"kind":"event"}');
    t.socket().fire('message', { data: Uint8Array.from([0xc1]).buffer });
    assert.equal(t.events.length, 0);
    assert.equal(t.problems.length, 3);
    assert.match(t.problems[0]?.detail ?? '', /extra/);
    assert.match(t.problems[1]?.message ?? '', /text message; expected a binary frame/);
    assert.match(t.problems[2]?.detail ?? '', /not valid MessagePack/);
  });

  it('a frame that may have been an answer fails what waits; a bad event does not', async () => {
    const t = setup();
    t.socket().open();
    const p = t.client.invoke('training:stop', null);
    t.socket().receive({ kind: 'event', channel: 'training:event', payload: { type: 'x' } });
    t.socket().receive({ kind: 'event', channel: 'elsewhere', payload: started('r') });
    // A map whose only key is __proto__: MessagePack, but never one of ours; its id is lost.
    const proto = Uint8Array.from([0x81, 0xa9, ...Buffer.from('__proto__'), 0xc0]);
    t.socket().fire('message', { data: proto.buffer });
    const r = await p;
    assert.ok(!r.ok && r.error.message === 'The server sent a message this app cannot decode.');
    assert.match(r.ok ? '' : (r.error.detail ?? ''), /__proto__/);
    assert.equal(t.problems.length, 3);
  });

  it('fails pending requests on a server "error" message', async () => {
    const t = setup();
    t.socket().open();
    const p = t.client.invoke('training:stop', null);
    t.socket().receive({ kind: 'error', error: { code: 'BAD_REQUEST', message: 'bad json' } });
    const r = await p;
    assert.deepEqual(r, { ok: false, error: { code: 'BAD_REQUEST', message: 'bad json' } });
    assert.equal(t.problems.length, 1);
  });
});

describe('ws client: reconnecting', () => {
  it('retries with growing delays until the first connection', () => {
    const t = setup();
    t.socket().drop();
    t.timers.shift()!.fn();
    t.socket().drop();
    t.timers.shift()!.fn();
    t.socket().drop();
    assert.equal(t.sockets.length, 3);
    assert.deepEqual(
      t.statuses.map((s) => [s.state, s.attempt]),
      [
        ['connecting', 0],
        ['connecting', 1],
        ['connecting', 2],
        ['connecting', 3],
      ],
    );
    assert.deepEqual(
      t.statuses.slice(1).map((s) => s.retryAt! - 1000),
      [300, 600, 1200],
    );
  });

  it('marks a dropped connection as lost, fails what was pending, and reconnects', async () => {
    const t = setup();
    t.socket().open();
    const pending = t.client.invoke('training:status', null);
    t.socket().drop(1001, 'server restarting');
    const r = await pending;
    assert.deepEqual(r, { ok: false, error: { code: 'INTERNAL', message: CONNECTION_LOST } });
    assert.equal(t.statuses.at(-1)?.state, 'lost');
    assert.equal(t.statuses.at(-1)?.reason, 'server restarting');
    t.timers.shift()!.fn();
    t.socket().open();
    assert.equal(t.sockets.length, 2);
    assert.deepEqual([t.statuses.at(-1)?.state, t.statuses.at(-1)?.attempt], ['open', 0]);
    // Events from the new socket flow again; a stale socket's are ignored.
    t.sockets[0]!.receive({ kind: 'event', channel: 'training:event', payload: started('old') });
    t.socket().receive({ kind: 'event', channel: 'training:event', payload: started('new') });
    assert.deepEqual(
      t.events.map((e) => (e.type === 'run-started' ? e.runId : e.type)),
      ['new'],
    );
  });

  it('caps the backoff and stops for good when closed', () => {
    const t = setup();
    for (let i = 0; i < 8; i++) {
      t.socket().drop();
      t.timers.shift()!.fn();
    }
    assert.equal(t.statuses.at(-1)?.retryAt, 1000 + 5000);
    t.client.close();
    t.socket().drop();
    assert.equal(t.timers.length, 0);
    assert.equal(t.socket().closedWith, 1000);
  });
});
