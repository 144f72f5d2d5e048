// model:inspect and data:test-images through the real dispatcher, host and worker thread.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createDispatcher } from '../../../src/host/dispatch.ts';
import { spawnSourceWorker } from '../../../src/host/spawn-worker.ts';
import { TrainingHost } from '../../../src/host/training-host.ts';
import type { Result } from '../../../src/shared/contract.ts';
import type { TestImage, TrainingEvent } from '../../../src/shared/events.ts';
import type { Explanation, Inspection } from '../../../src/shared/worker-protocol.ts';

const host = new TrainingHost({
  spawn: () => spawnSourceWorker(),
  engine: 'wasm',
  dataDir: null,
  log: () => {},
});
const dispatch = createDispatcher(host);
const events: TrainingEvent[] = [];
host.onEvent((e) => events.push(e));
after(() => host.close());

const drawing = (): Float32Array => {
  const x = new Float32Array(784);
  for (let r = 6; r < 22; r++) x[r * 28 + 14] = 1; // a "1"
  return x;
};

const errorOf = (r: Result<unknown>) => {
  assert.equal(r.ok, false, `expected an error, got ${JSON.stringify(r).slice(0, 200)}`);
  return (r as { ok: false; error: { code: string; message: string } }).error;
};

test('model:inspect before any model: NO_MODEL', async () => {
  const e = errorOf(await dispatch('model:inspect', drawing()));
  assert.equal(e.code, 'NO_MODEL');
  assert.equal(errorOf(await dispatch('model:predict', drawing())).code, 'NO_MODEL');
});

test('data:test-images returns labelled pixels, and refuses an index past the end', async () => {
  const r = (await dispatch('data:test-images', { indices: [0, 1, 2] })) as Result<TestImage[]>;
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(
    r.value.map((i) => [i.index, i.label, i.pixels.length]),
    [
      [0, 7, 784],
      [1, 2, 784],
      [2, 1, 784],
    ],
  ); // the first three MNIST test digits are 7, 2, 1
  assert.ok(r.value[0]!.pixels instanceof Uint8Array);
  const e = errorOf(await dispatch('data:test-images', { indices: [10_000] }));
  assert.equal(e.code, 'BAD_REQUEST');
  assert.match(e.message, /Test image 10000 does not exist; the test set has 10000 images/);
});

test('after a short run: an evaluation event per epoch, and inspect answers', async () => {
  const finished = new Promise<void>((resolve) =>
    host.onEvent((e) => e.type === 'finished' && resolve()),
  );
  const r = await dispatch('training:start', {
    epochs: 1,
    batchSize: 50,
    learningRate: 1e-3,
    trainLimit: 100,
    testLimit: 50,
    seed: 3,
  });
  assert.ok(r.ok, JSON.stringify(r));
  await finished;
  const evaluation = events.find((e) => e.type === 'evaluation');
  assert.ok(evaluation?.type === 'evaluation');
  assert.equal(evaluation.count, 50);
  const epochEnd = events.find((e) => e.type === 'epoch-end');
  assert.ok(epochEnd?.type === 'epoch-end');
  const diagonal = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].reduce(
    (s, d) => s + evaluation.matrix[d * 11]!,
    0,
  );
  assert.equal(diagonal / evaluation.count, epochEnd.testAccuracy);

  const status = await host.status();
  assert.equal(status.history.filter((e) => e.type === 'evaluation').length, 1);

  const i = (await dispatch('model:inspect', drawing())) as Result<Inspection>;
  assert.ok(i.ok, JSON.stringify(i).slice(0, 300));
  assert.equal(i.value.probabilities.length, 10);
  assert.deepEqual(
    i.value.maps.map((m) => [m.layer, m.shape, m.values.length, m.values instanceof Float32Array]),
    [
      ['conv1', [28, 28, 32], 25088, true],
      ['conv2', [14, 14, 64], 12544, true],
    ],
  );
  // Why: the predicted class unless one is asked for, two 28×28 maps, as typed arrays.
  const why = (await dispatch('model:explain', {
    pixels: drawing(),
    target: null,
  })) as Result<Explanation>;
  assert.ok(why.ok, JSON.stringify(why).slice(0, 300));
  const predicted = i.value.probabilities.indexOf(Math.max(...i.value.probabilities));
  assert.equal(why.value.target, predicted);
  assert.ok(why.value.saliency instanceof Float32Array && why.value.saliency.length === 784);
  assert.ok(why.value.occlusion instanceof Float32Array && why.value.occlusion.length === 784);
  const seven = (await dispatch('model:explain', {
    pixels: drawing(),
    target: 7,
  })) as Result<Explanation>;
  assert.ok(seven.ok && seven.value.target === 7);
  assert.equal(
    errorOf(await dispatch('model:explain', { pixels: drawing(), target: 10 })).code,
    'BAD_REQUEST',
  );
  const p = (await dispatch('model:predict', drawing())) as Result<{ probabilities: number[] }>;
  assert.ok(p.ok);
  p.value.probabilities.forEach((x, d) =>
    assert.ok(Math.abs(x - i.value.probabilities[d]!) < 1e-6, `digit ${d}`),
  );
});

test('inspect is answered between batches while a run trains, and while it is paused', async () => {
  const firstBatch = new Promise<void>((resolve) =>
    host.onEvent((e) => e.type === 'batch' && resolve()),
  );
  const started = await dispatch('training:start', {
    epochs: 1,
    batchSize: 10,
    learningRate: 1e-4,
    trainLimit: 3000,
    testLimit: 20,
    seed: 4,
  });
  assert.ok(started.ok, JSON.stringify(started));
  await firstBatch;
  const during = (await dispatch('model:inspect', drawing())) as Result<Inspection>;
  assert.ok(during.ok, JSON.stringify(during).slice(0, 300));
  assert.equal((await host.status()).worker.state, 'running', 'answered mid-run');
  assert.ok((await dispatch('training:pause', null)).ok);
  const paused = (await dispatch('model:inspect', drawing())) as Result<Inspection>;
  assert.ok(paused.ok);
  assert.equal(paused.value.maps.length, 2);
  const stopped = new Promise<void>((resolve) =>
    host.onEvent((e) => e.type === 'stopped' && resolve()),
  );
  assert.ok((await dispatch('training:stop', null)).ok);
  await stopped;
});
