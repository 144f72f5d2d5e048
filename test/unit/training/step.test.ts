// The stepped training step (src/training/step.ts) is model.trainOnBatch's step: same losses,
// accuracies and weights, and its pauses see the weights before the update.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { fillBatch, shuffledIndices } from '../../../src/data/batch.ts';
import { loadMnist, type MnistData } from '../../../src/data/mnist.ts';
import { selectEngine } from '../../../src/engine/select.ts';
import { buildModel, compileModel } from '../../../src/model/cnn.ts';
import { trainStep } from '../../../src/training/step.ts';

let data: MnistData;
before(async () => {
  await selectEngine('wasm');
  data = await loadMnist();
});

function batches(n: number, size: number): { x: tf.Tensor4D; y: tf.Tensor2D }[] {
  const order = shuffledIndices(data.train.count, 5);
  return Array.from({ length: n }, (_, i) => {
    const xs = new Float32Array(size * 784);
    const ys = new Float32Array(size * 10);
    fillBatch(data.train, order, i * size, (i + 1) * size, xs, ys);
    return { x: tf.tensor4d(xs, [size, 28, 28, 1]), y: tf.tensor2d(ys, [size, 10]) };
  });
}

const compiled = (): tf.LayersModel => {
  const model = buildModel(9);
  compileModel(model, 1e-3); // larger than the default, so three steps move the weights visibly
  return model;
};

const fc1 = (m: tf.LayersModel): Float32Array =>
  m.getLayer('fc1').getWeights()[0]!.dataSync() as Float32Array;

test('three steps equal three trainOnBatch calls', async () => {
  const reference = compiled();
  const split = compiled();
  const data3 = batches(3, 20);
  const w0 = fc1(split).slice();
  for (const { x, y } of data3) {
    const [loss, acc] = (await reference.trainOnBatch(x, y)) as [number, number];
    const step = await trainStep(split, x, y, () => Promise.resolve());
    assert.ok(Math.abs(step.loss - loss) < 1e-5, `loss ${step.loss} vs ${loss}`);
    assert.equal(step.accuracy, acc);
    assert.ok(step.seconds > 0);
  }
  const [a, b] = [fc1(reference), fc1(split)];
  let maxDiff = 0;
  let moved = 0;
  for (let i = 0; i < a.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
    moved = Math.max(moved, Math.abs(b[i]! - w0[i]!));
  }
  assert.ok(maxDiff < 1e-6, `weights differ by ${maxDiff}`);
  assert.ok(moved > 1e-3, `the steps moved the weights by only ${moved}`);
  tf.dispose(data3.flatMap(({ x, y }) => [x, y]));
  reference.dispose();
  split.dispose();
});

test('the pauses inside a step see the weights before the update, and leaks nothing', async () => {
  const model = compiled();
  const [{ x, y }] = batches(1, 10) as [{ x: tf.Tensor4D; y: tf.Tensor2D }];
  await trainStep(model, x, y, () => Promise.resolve()); // creates Adam's slots
  const tensors = tf.memory().numTensors;
  const before = fc1(model).slice();
  let during: Float32Array | null = null;
  await trainStep(model, x, y, () => {
    during = fc1(model).slice();
    return new Promise((resolve) => setImmediate(resolve));
  });
  assert.deepEqual(during, before);
  assert.notDeepEqual(fc1(model), before);
  assert.equal(tf.memory().numTensors, tensors);
  tf.dispose([x, y]);
  model.dispose();
});
