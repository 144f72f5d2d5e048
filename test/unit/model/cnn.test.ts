// The network is exactly the tutorial's: every layer's output shape and the parameter count.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildModel, logits, probabilities } from '../../../src/model/cnn.ts';

test('layer names, output shapes and parameter counts match the tutorial', () => {
  const model = buildModel(1);
  const rows = model.layers.map((l) => [l.name, JSON.stringify(l.outputShape), l.countParams()]);
  assert.deepEqual(rows, [
    ['conv1', '[null,28,28,32]', 5 * 5 * 1 * 32 + 32],
    ['pool1', '[null,14,14,32]', 0],
    ['conv2', '[null,14,14,64]', 5 * 5 * 32 * 64 + 64],
    ['pool2', '[null,7,7,64]', 0],
    ['flatten', '[null,3136]', 0], // 7*7*64; the tutorial's text says 3164 (a typo)
    ['fc1', '[null,1000]', 3136 * 1000 + 1000],
    ['fc2', '[null,10]', 1000 * 10 + 10],
  ]);
  assert.equal(model.countParams(), 3_199_106);
  model.dispose();
});

test('the output is a probability distribution over ten digits', () => {
  const model = buildModel(1);
  const sums = tf.tidy(() =>
    probabilities(model, tf.randomUniform([3, 28, 28, 1]))
      .sum(1)
      .arraySync(),
  );
  for (const s of sums as number[]) assert.ok(Math.abs(s - 1) < 1e-5);
  model.dispose();
});

test('logits in one pass equal model.predict, which slices the batch by 32', () => {
  const model = buildModel(2);
  const [ours, keras] = tf.tidy(() => {
    const x = tf.randomUniform<tf.Rank.R4>([40, 28, 28, 1], 0, 1, 'float32', 7);
    return [logits(model, x).arraySync(), (model.predict(x) as tf.Tensor2D).arraySync()];
  });
  assert.equal(ours.length, 40);
  for (let i = 0; i < 40; i++)
    for (let k = 0; k < 10; k++) assert.ok(Math.abs(ours[i]![k]! - keras[i]![k]!) < 1e-5);
  model.dispose();
});

test('initialisation is seeded: same seed same weights, other seed other weights', () => {
  const first = (seed: number): number[] => {
    const model = buildModel(seed);
    const w = Array.from(model.getLayer('conv1').getWeights()[0]!.dataSync().slice(0, 8));
    model.dispose();
    return w;
  };
  assert.deepEqual(first(3), first(3));
  assert.notDeepEqual(first(3), first(4));
});
