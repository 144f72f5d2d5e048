// The dispatcher shared by Electron IPC and the WebSocket: validation first, then the real host.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createDispatcher } from '../../../src/host/dispatch.ts';
import { spawnSourceWorker } from '../../../src/host/spawn-worker.ts';
import { TrainingHost } from '../../../src/host/training-host.ts';
import type { AppStatus, Result } from '../../../src/shared/contract.ts';
import type { TrainingEvent } from '../../../src/shared/events.ts';

const TINY = {
  epochs: 1,
  batchSize: 50,
  learningRate: 1e-3,
  trainLimit: 100,
  testLimit: 20,
  seed: 7,
};

function newHost() {
  let spawns = 0;
  const host = new TrainingHost({
    spawn: () => {
      spawns++;
      return spawnSourceWorker();
    },
    engine: 'wasm',
    dataDir: null,
    log: () => {},
  });
  return { host, dispatch: createDispatcher(host), spawns: () => spawns };
}

const errorOf = (r: Result<unknown>) => {
  assert.equal(r.ok, false, `expected an error, got ${JSON.stringify(r)}`);
  return (r as { ok: false; error: { code: string; message: string } }).error;
};

describe('dispatcher: refused requests never reach the worker', () => {
  const { host, dispatch, spawns } = newHost();
  after(() => host.close());

  const cases: [unknown, unknown, RegExp][] = [
    ['training:nope', null, /^channel: unknown channel "training:nope"/],
    [42, null, /channel must be a string/],
    [
      'training:start',
      { ...TINY, batchSize: 0 },
      /^training:start: batchSize: Batch size must be between 1 and 4096$/,
    ],
    ['training:start', { ...TINY, extra: 1 }, /^training:start: extra: unknown field$/],
    [
      'training:start',
      { ...TINY, learningRate: Number.NaN },
      /learningRate: expected a finite number/,
    ],
    ['training:start', { ...TINY, batchSize: 101 }, /must not exceed the 100 training images/],
    ['training:start', { ...TINY, epochs: 1.5 }, /epochs: .*whole number/],
    ['training:start', { ...TINY, epochs: 1e6 }, /epochs: .*between 1 and 1000/],
    ['training:start', 'go', /expected an object, got string/],
    ['training:pause', {}, /^training:pause: expected null$/],
    ['training:resume', 1, /^training:resume: expected null$/],
    ['training:stop', undefined, /^training:stop: expected null$/],
    ['training:status', [], /^training:status: expected null$/],
    ['model:predict', new Float32Array(10), /expected 784 values, got 10/],
    ['model:predict', new Array(784).fill(0), /expected a Float32Array, got an array/],
    ['model:predict', new Float32Array(784).fill(2), /\[0\]: must be between 0 and 1/],
  ];
  for (const [channel, arg, message] of cases)
    test(`${String(channel)} ${JSON.stringify(arg)?.slice(0, 40)} -> BAD_REQUEST`, async () => {
      const error = errorOf(await dispatch(channel, arg));
      assert.equal(error.code, 'BAD_REQUEST');
      assert.match(error.message, message);
    });

  test('hostile arguments become envelopes, never exceptions or rejections', async () => {
    const throwingGetter = Object.defineProperty({ ...TINY }, 'seed', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    const trap = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('trap');
        },
      },
    );
    const circular: Record<string, unknown> = { ...TINY };
    circular['self'] = circular;
    for (const arg of [throwingGetter, trap, circular, Symbol('x'), 10n, () => 1, undefined]) {
      for (const channel of ['training:start', 'model:predict', 'training:status', Symbol('c')]) {
        const r = await dispatch(channel, arg);
        assert.equal(errorOf(r).code, 'BAD_REQUEST', `${String(channel)} / ${typeof arg}`);
      }
    }
  });

  test('none of the above started a worker', () => assert.equal(spawns(), 0));

  test('training:status answers idle without starting a worker', async () => {
    const r = await dispatch('training:status', null);
    assert.ok(r.ok);
    const status = r.value as AppStatus;
    assert.deepEqual(status.worker, { state: 'idle', runId: null, hasModel: false });
    assert.equal(status.engine, null);
    assert.deepEqual(status.history, []);
    assert.equal(spawns(), 0);
  });
});

describe('dispatcher: valid requests reach the real worker', () => {
  const { host, dispatch, spawns } = newHost();
  const events: TrainingEvent[] = [];
  host.onEvent((e) => events.push(e));
  after(() => host.close());

  test('pause / resume / stop without a run: the worker says NOT_RUNNING', async () => {
    for (const channel of ['training:pause', 'training:resume', 'training:stop'])
      assert.equal(errorOf(await dispatch(channel, null)).code, 'NOT_RUNNING', channel);
    assert.equal(spawns(), 1);
  });

  test('model:predict before training: NO_MODEL', async () => {
    assert.equal(errorOf(await dispatch('model:predict', new Float32Array(784))).code, 'NO_MODEL');
  });

  test('training:start runs to the end; then status and predict reflect the model', async () => {
    const finished = new Promise<TrainingEvent>((resolve) =>
      host.onEvent((e) => (e.type === 'finished' || e.type === 'failed') && resolve(e)),
    );
    const started = await dispatch('training:start', TINY);
    assert.ok(started.ok, JSON.stringify(started));
    const { runId } = started.value as { runId: string };
    assert.equal(typeof runId, 'string');
    const end = await finished;
    assert.equal(end.type, 'finished', JSON.stringify(end));

    const status = await dispatch('training:status', null);
    assert.ok(status.ok);
    const s = status.value as AppStatus;
    assert.equal(s.worker.state, 'idle');
    assert.equal(s.worker.hasModel, true);
    assert.equal(s.engine?.name, 'wasm');
    assert.ok(s.history.some((e) => e.type === 'run-started' && e.runId === runId));

    const p = await dispatch('model:predict', new Float32Array(784).fill(0.25));
    assert.ok(p.ok, JSON.stringify(p));
    const { probabilities } = p.value as { probabilities: number[] };
    assert.equal(probabilities.length, 10);
    assert.ok(Math.abs(probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-3);
    assert.ok(events.some((e) => e.type === 'batch'));
    assert.equal(spawns(), 1, 'one long-lived worker');
  });
});
