// The Inside view's two channels through the real dispatcher, host and worker thread: malformed
// questions never reach the worker, no model is said plainly, and for a trained Tiny CNN the
// stages belong to its network and a convolution can be worked through (a pooling layer cannot).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { err, ok, startHost, type HostFixture } from './host-fixture.ts';
import { DEFAULT_CONFIG, type TrainConfig } from '../../../src/shared/config.ts';
import { invokeResult } from '../../../src/shared/result-validate.ts';
import { presetById } from '../../../src/shared/network.ts';
import type { InsideView, WorkedConvolution } from '../../../src/shared/worker-protocol.ts';

let fixture: HostFixture;
before(async () => (fixture = await startHost('cnn-inside-')));
after(() => fixture.close());

const tiny = presetById('tiny-cnn')!;
const pixels = (): Float32Array => Float32Array.from({ length: 784 }, (_, i) => (i % 29) / 29);

test('malformed questions are refused before the worker; no model yet says so', async () => {
  const { dispatch } = fixture;
  assert.equal(err(await dispatch('model:inside', new Float32Array(10))).code, 'BAD_REQUEST');
  const bad = new Float32Array(784);
  bad[5] = 2;
  assert.match(err(await dispatch('model:inside', bad)).message, /between 0 and 1/);
  for (const arg of [
    { pixels: pixels(), layer: -1, y: 0, x: 0, filter: 0 },
    { pixels: pixels(), layer: 0, y: 0.5, x: 0, filter: 0 },
    { pixels: pixels(), layer: 0, y: 0, x: 0 },
  ])
    assert.equal(err(await dispatch('model:worked', arg as never)).code, 'BAD_REQUEST');
  assert.equal(err(await dispatch('model:inside', pixels())).code, 'NO_MODEL');
});

test('a trained Tiny CNN: its stages, its network, one convolution worked through', async () => {
  const { dispatch, host } = fixture;
  const config: TrainConfig = {
    ...DEFAULT_CONFIG,
    network: tiny.network,
    optimizer: tiny.optimizer,
    learningRate: tiny.learningRate,
    epochs: 1,
    trainLimit: 200,
    testLimit: 100,
    seed: 5,
  };
  const done = new Promise<void>((resolve) => {
    const off = host.onEvent((e) => {
      if (e.type !== 'run-kept') return;
      off();
      resolve();
    });
  });
  ok(await dispatch('training:start', config));
  await done;
  const view = ok<InsideView>(await dispatch('model:inside', pixels()));
  assert.deepEqual(invokeResult['model:inside'](view, 'value'), view);
  assert.deepEqual(view.network, tiny.network);
  const conv = tiny.network.layers.findIndex((l) => l.kind === 'conv');
  const [h, w] = view.stages[conv]!.shape as [number, number, number];
  const worked = ok<WorkedConvolution>(
    await dispatch('model:worked', {
      pixels: pixels(),
      layer: conv,
      y: h - 1,
      x: w - 1,
      filter: 0,
    }),
  );
  const c = view.stages[conv]!.shape[2]!;
  const shown = view.stages[conv]!.values[((h - 1) * w + (w - 1)) * Math.min(c, 64)]!;
  assert.ok(Math.abs(worked.output - shown) < 1e-4, `${worked.output} vs ${shown}`);
  const pool = tiny.network.layers.findIndex((l) => l.kind === 'maxpool');
  assert.match(
    err(await dispatch('model:worked', { pixels: pixels(), layer: pool, y: 0, x: 0, filter: 0 }))
      .message,
    new RegExp(`layer ${pool + 1} is not a convolution`),
  );
  assert.match(
    err(await dispatch('model:worked', { pixels: pixels(), layer: conv, y: h, x: 0, filter: 0 }))
      .message,
    /outside the layer's/,
  );
});
