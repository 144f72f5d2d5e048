// Property: no frame, in either direction of browser mode's WebSocket, takes a process down or
// goes unanswered.
// - Server: a real server, host and worker. Every frame gets exactly one answer (a result for
//   its id, or an error when it has no usable id), the server keeps answering, and the models
//   folder changes only when an answer says the operation succeeded. Channels that train for
//   minutes or write outside the models folder (training:start, resume, export, import,
//   choose-folder) are left to the validator properties in messages.test.ts.
// - Client: the browser's client against a hostile server. Each request settles exactly once,
//   every event it passes on is valid, and nothing is thrown.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { createWsClient, type SocketLike } from '../../../renderer/src/lib/ws-client.ts';
import { startServer, type RunningServer } from '../../../src/host/serve.ts';
import { spawnSourceWorker } from '../../../src/host/spawn-worker.ts';
import { TrainingHost } from '../../../src/host/training-host.ts';
import { MAX_PAYLOAD } from '../../../src/host/ws-transport.ts';
import type { InvokeChannel } from '../../../src/shared/contract.ts';
import { invokeResult } from '../../../src/shared/result-validate.ts';
import { errorEnvelope, trainingEvent } from '../../../src/shared/validate.ts';
import { saveRealModel, tempRoot } from '../library/model-fixture.ts';
import { MODEL_INFO, batch } from '../renderer/fixtures.ts';
import { decode, encode, frameBytes } from '../../../src/wire/codec.ts';
import { nestedFrame } from '../wire/nested-frame.ts';
import { nastyString, nastyValue, nearMiss, property } from './support.ts';

const SAFE: Partial<Record<InvokeChannel, unknown>> = {
  'training:status': null,
  'training:pause': null,
  'training:resume': null,
  'training:stop': null,
  'training:checkpoint': null,
  'model:list': null,
  'model:predict': new Float32Array(784).fill(0.5),
  'model:inspect': new Float32Array(784),
  'data:test-images': { indices: [0, 9999] },
  'model:save': { name: 'digits', overwrite: false },
  'model:load': { name: 'real' },
  'model:rename': { from: 'real', to: 'renamed' },
  'model:delete': { name: 'real' },
};

/** A frame (binary, or text), and the id an answer must carry (null: no id expected). */
type Frame = { data: string | Uint8Array; id: number | null };

let nextId = 1;
const frames: fc.Arbitrary<Frame> = fc
  .oneof(
    // Near-misses of real requests: the deepest reach into dispatch.
    fc
      .tuple(fc.constantFrom(...Object.entries(SAFE)), fc.boolean())
      .chain(([[channel, arg], miss]) =>
        (miss ? nearMiss(arg) : fc.constant(arg)).map((a) => {
          const id = nextId++;
          return { data: encode({ kind: 'invoke', id, channel, arg: a }), id };
        }),
      ),
    // Anything at all where the channel or the argument goes.
    fc.tuple(nastyString, nastyValue).map(([channel, arg]) => {
      const id = nextId++;
      return { data: encode({ kind: 'invoke', id, channel, arg }), id };
    }),
    // Frames with no usable id: random values, cut-off frames, deep nesting, random bytes, text.
    nastyValue.map((v) => ({ data: encode(v), id: null })),
    nastyValue
      .map((arg) => encode({ kind: 'invoke', id: nextId++, channel: 'model:list', arg }))
      .chain((b) =>
        fc.nat({ max: b.length - 1 }).map((cut) => ({ data: b.subarray(0, cut), id: null })),
      ),
    fc.integer({ min: 90, max: 20_000 }).map((n) => ({ data: nestedFrame(['kind'], n), id: null })),
    fc.uint8Array({ maxLength: 64 }).map((b) => ({ data: b, id: null })),
    fc.string().map((s) => ({ data: `{"kind":"invoke","id":1,"arg":${s}`, id: null })),
    // Frames over MAX_PAYLOAD close the socket with 1009, as serve.test.ts checks; not here.
  )
  .filter(
    (f) => (typeof f.data === 'string' ? Buffer.byteLength(f.data) : f.data.length) < MAX_PAYLOAD,
  );

/** A frame the server reads as an invoke with a usable id must be answered with that id. */
function expectedId(f: Frame): number | null {
  if (f.id === null || typeof f.data === 'string') return null;
  try {
    const m = decode(f.data) as Record<string, unknown>;
    return Object.keys(m).length === 4 && m['kind'] === 'invoke' ? f.id : null;
  } catch {
    return null;
  }
}

describe('the WebSocket wire under fuzzing', () => {
  let root: string;
  let host: TrainingHost;
  let server: RunningServer;

  before(async () => {
    root = await tempRoot('cnn-fuzz-wire-');
    await saveRealModel(join(root, 'models', 'real'));
    host = new TrainingHost({
      spawn: () => spawnSourceWorker(),
      engine: 'wasm',
      dataDir: null,
      modelsDir: join(root, 'models'),
      log: () => {},
    });
    server = await startServer({
      port: 0,
      rendererDir: join(root, 'no-renderer'),
      trainingHost: host,
      log: () => {},
    });
  });
  after(async () => {
    await server.close();
    await host.close();
    await rm(root, { recursive: true, force: true });
  });

  test('server: every frame gets exactly one answer; the disk changes only on success', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, {
      origin: `http://127.0.0.1:${server.port}`,
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const inbox: Record<string, unknown>[] = [];
    let wake: (() => void) | null = null;
    ws.on('message', (d) => {
      inbox.push(decode(frameBytes(d as Buffer)) as Record<string, unknown>);
      wake?.();
    });
    /** The next message; a frame left unanswered for 60 s fails the property, not the run. */
    const next = async (): Promise<Record<string, unknown>> => {
      while (inbox.length === 0) {
        const waited = await new Promise<boolean>((r) => {
          const timer = setTimeout(() => r(false), 60_000);
          wake = () => (clearTimeout(timer), r(true));
        });
        if (!waited) return { kind: 'none' };
      }
      return inbox.shift()!;
    };
    const models = () => readdir(join(root, 'models')).then((l) => l.sort().join('|'));

    await property(
      'server frames',
      frames,
      async (frame) => {
        const before = await models();
        ws.send(frame.data, { binary: typeof frame.data !== 'string' });
        // Requests are answered concurrently, but each frame is sent only after the last answer.
        let a = await next();
        while (a['kind'] === 'event') a = await next();
        if (a['kind'] === 'none') return 'no answer within 60 s';
        const id = expectedId(frame);
        if (a['kind'] === 'result' && a['id'] !== frame.id) return `answered id ${String(a['id'])}`;
        if (id !== null && a['kind'] !== 'result') return `no result for id ${id}`;
        const result = a['result'] as { ok: boolean; error?: unknown } | undefined;
        const error =
          a['kind'] === 'error' ? a['error'] : result?.ok === false ? result.error : null;
        if (error !== null) {
          errorEnvelope(error, 'error'); // a clear error, in the shape the client reads
          if ((await models()) !== before) return 'the models folder changed on a failure';
        }
        return true;
      },
      400,
    );
    // Nothing answered twice: the only message left to come is the answer to this one.
    ws.send(encode({ kind: 'invoke', id: 0, channel: 'training:status', arg: null }));
    let last = await next();
    while (last['kind'] === 'event') last = await next();
    assert.equal(last['id'], 0, JSON.stringify(last).slice(0, 300));
    ws.close();
  });
});

describe('the browser client under fuzzing', () => {
  let wss: WebSocketServer;
  let url: string;
  /** What the hostile server sends before its answer to the next request, and that answer. */
  let hostile: { frames: (string | Uint8Array)[]; value: unknown } = { frames: [], value: null };

  before(async () => {
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => wss.once('listening', resolve));
    url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
    wss.on('connection', (ws) =>
      ws.on('message', (d) => {
        const { id } = decode(frameBytes(d as Buffer)) as { id: number };
        for (const f of hostile.frames) ws.send(f, { binary: typeof f !== 'string' });
        ws.send(encode({ kind: 'result', id, result: { ok: true, value: hostile.value } }));
      }),
    );
  });
  after(() => new Promise((resolve) => wss.close(resolve)));

  test('client: each request settles once, events passed on are valid, nothing throws', async () => {
    const client = createWsClient({
      url,
      connect: (u) => new WebSocket(u) as unknown as SocketLike,
    });
    await new Promise<void>((resolve) =>
      client.onConnection((s) => s.state === 'open' && resolve()),
    );
    const events: unknown[] = [];
    client.on('training:event', (e) => events.push(e));
    const problems: unknown[] = [];
    client.onProblem((p) => problems.push(p));
    let thrown: unknown = null;
    const onThrow = (e: unknown) => (thrown = e);
    process.on('uncaughtException', onThrow);

    const answer = fc.oneof(
      nastyValue.map((v) => encode(v)),
      fc
        .integer({ min: 90, max: 20_000 })
        .map((n) => nestedFrame(['kind', 'event', 'channel', 'training:event', 'payload'], n)),
      nastyValue.map((v) => encode({ kind: v, id: 0 })),
      nearMiss({ kind: 'event', channel: 'training:event', payload: batch('r', 1, 0, [1]) }).map(
        (v) => encode(v),
      ),
      nearMiss({
        kind: 'result',
        id: 0,
        result: { ok: false, error: { code: 'BUSY', message: 'x' } },
      }).map((v) => encode(v)),
      fc.uint8Array({ maxLength: 64 }),
      fc.string(),
    );
    // The answer itself: a near-miss of a real answer for one of these channels.
    const model = MODEL_INFO;
    const real: [InvokeChannel, unknown][] = [
      [
        'training:status',
        {
          engine: null,
          worker: { state: 'idle', runId: null, hasModel: false },
          history: [],
          shown: null,
        },
      ],
      ['training:stop', null],
      ['training:start', { runId: 'r' }],
      ['model:list', { folder: '/m', models: [model] }],
      ['model:save', model],
      ['model:predict', { probabilities: Array.from({ length: 10 }, () => 0.1) }],
      ['model:export', { path: '/x', format: 'tfjs' }],
      ['run:export', { path: '/x.onnx', format: 'onnx' }],
      ['training:checkpoint', null],
    ];
    const reply = fc
      .constantFrom(...real)
      .chain(([channel, value]) => nearMiss(value).map((v) => [channel, v] as const));
    await property(
      'client frames',
      fc.tuple(fc.array(answer, { maxLength: 3 }), reply),
      async ([frames, [channel, value]]) => {
        hostile = { frames, value };
        events.length = 0;
        problems.length = 0;
        const r = await client.invoke(channel, null as never);
        if (thrown !== null) return `threw ${String(thrown)}`;
        // What reaches the app is an error, or an answer its channel's guard accepts.
        if (r.ok) invokeResult[channel](r.value, 'value');
        else errorEnvelope(r.error, 'error');
        for (const e of events) trainingEvent(e, 'event');
        for (const p of problems) errorEnvelope(p, 'problem'); // shown to the user: bounded
        return true;
      },
      500,
    );
    process.off('uncaughtException', onThrow);
    client.close();
    assert.equal(thrown, null);
  });
});
