// Why this prediction: the saliency map is the gradient (checked against finite differences of
// the logit on a small smooth network), the occlusion squares cover the whole image, the map is
// the mean drop of the squares over each pixel, and nothing leaks.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { selectEngine } from '../../../src/engine/select.ts';
import { buildNetwork, logits } from '../../../src/model/cnn.ts';
import { OCCLUSION } from '../../../src/shared/worker-protocol.ts';
import { explain, occludedBatch, occlusionMap, patchStarts } from '../../../src/worker/explain.ts';

before(() => selectEngine('wasm'));

/** Smooth activations only (tanh), so a finite difference is the derivative. */
const smooth = () =>
  buildNetwork(
    {
      layers: [
        { kind: 'conv', filters: 4, kernel: 3, stride: 1, padding: 'same', activation: 'tanh' },
        { kind: 'avgpool', size: 2, stride: 2, padding: 'valid' },
        { kind: 'flatten' },
        { kind: 'dense', units: 16, activation: 'tanh' },
        { kind: 'dense', units: 10, activation: 'linear' },
      ],
    },
    9,
  );

const image = (): Float32Array =>
  Float32Array.from({ length: 784 }, (_, i) => ((i * 7919) % 97) / 97);

function logitOf(model: tf.LayersModel, pixels: Float32Array, cls: number): number {
  return tf.tidy(() => logits(model, tf.tensor4d(pixels, [1, 28, 28, 1])).dataSync()[cls]!);
}

test('saliency equals a central finite difference of the class logit', async () => {
  const model = smooth();
  const x = image();
  const e = await explain(model, x, 7);
  assert.equal(e.target, 7);
  const h = 1e-2;
  let checked = 0;
  for (const i of [0, 29, 200, 406, 407, 590, 783]) {
    const up = Float32Array.from(x);
    const down = Float32Array.from(x);
    up[i]! += h;
    down[i]! -= h;
    const fd = (logitOf(model, up, 7) - logitOf(model, down, 7)) / (2 * h);
    assert.ok(
      Math.abs(fd - e.saliency[i]!) <= 2e-3 + 0.02 * Math.abs(fd),
      `pixel ${i}: ${e.saliency[i]} vs ${fd}`,
    );
    checked++;
  }
  assert.equal(checked, 7);
  assert.ok(
    e.saliency.some((g) => Math.abs(g) > 1e-4),
    'a gradient that is not all zero',
  );
  model.dispose();
});

test("no class asked: the predicted one; the probabilities are the model's", async () => {
  const model = smooth();
  const x = image();
  const e = await explain(model, x, null);
  const p = tf.tidy(() =>
    tf.softmax(logits(model, tf.tensor4d(x, [1, 28, 28, 1]))).arraySync(),
  ) as number[][];
  assert.equal(e.target, p[0]!.indexOf(Math.max(...p[0]!)));
  e.probabilities.forEach((q, k) => assert.ok(Math.abs(q - p[0]![k]!) < 1e-6));
  model.dispose();
});

test('occlusion: squares cover every pixel, each copy differs from the image only inside its square', () => {
  const { patch, stride, grey } = OCCLUSION;
  const starts = patchStarts(28, patch, stride);
  assert.deepEqual(starts, [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22]);
  assert.deepEqual(patchStarts(28, 5, 4), [0, 4, 8, 12, 16, 20, 23], 'the far edge is covered');
  const x = image();
  const { batch, squares } = occludedBatch(x);
  assert.equal(squares.length, starts.length ** 2);
  assert.equal(batch.length, squares.length * 784);
  const [y0, x0] = squares[13]!;
  const copy = batch.subarray(13 * 784, 14 * 784);
  for (let i = 0; i < 784; i++) {
    const [y, xx] = [Math.floor(i / 28), i % 28];
    const inside = y >= y0 && y < y0 + patch && xx >= x0 && xx < x0 + patch;
    assert.equal(copy[i], inside ? grey : x[i], `pixel ${i}`);
  }
  // Equal drops everywhere give that drop everywhere: every pixel is covered, the mean is a mean.
  const flat = occlusionMap(new Array(squares.length).fill(0.25), squares);
  assert.ok(flat.every((v) => Math.abs(v - 0.25) < 1e-7));
  // One square's drop lands on its own pixels only.
  const one = occlusionMap(
    squares.map((_, i) => (i === 0 ? 1 : 0)),
    squares,
  );
  assert.ok(one[0]! > 0 && one[27 * 28 + 27] === 0);
});

test('the occlusion map is the mean score drop of the squares over each pixel', async () => {
  const model = smooth();
  const x = image();
  const e = await explain(model, x, 3);
  const { batch, squares } = occludedBatch(x);
  const covered = tf.tidy(() =>
    logits(model, tf.tensor4d(batch, [squares.length, 28, 28, 1])).arraySync(),
  ) as number[][];
  const score = logitOf(model, x, 3);
  const expected = occlusionMap(
    covered.map((s) => score - s[3]!),
    squares,
  );
  expected.forEach((v, i) => assert.ok(Math.abs(v - e.occlusion[i]!) < 1e-5, `pixel ${i}`));
  model.dispose();
});

test('explaining leaves no tensor behind', async () => {
  const model = smooth();
  await explain(model, image(), 1); // the first call may build kernels and caches
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) await explain(model, image(), i);
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
});
