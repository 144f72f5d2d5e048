// The worked convolution equals what tfjs computed: at chosen output pixels (corners, where SAME
// padding reaches outside, and the middle) of conv1 and conv2 of the tutorial network and of the
// convolutions of random valid networks, sum + bias through the activation is the layer's output
// there, the products are patch × weights, and the receptive field is where it should be.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { selectEngine } from '../../../src/engine/select.ts';
import { buildNetwork } from '../../../src/model/cnn.ts';
import { MNIST } from '../../../src/shared/dataset.ts';
import { checkNetwork } from '../../../src/shared/network-shapes.ts';
import { tutorialNetwork, type NetworkSpec } from '../../../src/shared/network.ts';
import { workedConvolution } from '../../../src/worker/worked.ts';
import { randomSpec, rng } from '../model/random-spec.ts';

before(() => selectEngine('wasm'));

const image = (): Float32Array =>
  Float32Array.from({ length: 784 }, (_, i) => ((i * 7919) % 101) / 101);

/** The layer's real output at (y, x, filter), from a probe over the same layers. */
function layerOutput(
  model: tf.LayersModel,
  index: number,
  pixels: Float32Array,
): { shape: number[]; values: Float32Array } {
  const probe = tf.model({
    inputs: model.inputs,
    outputs: model.layers[index]!.output as tf.SymbolicTensor,
  });
  const out = tf.tidy(() => probe.predict(tf.tensor4d(pixels, [1, 28, 28, 1])) as tf.Tensor);
  const values = out.dataSync() as Float32Array;
  const shape = out.shape.slice(1);
  out.dispose();
  return { shape, values };
}

function check(model: tf.LayersModel, spec: NetworkSpec, index: number, label: string): number {
  const pixels = image();
  const { shape, values } = layerOutput(model, index, pixels);
  const [h, w, f] = shape as [number, number, number];
  let checked = 0;
  for (const [y, x] of [
    [0, 0],
    [h - 1, w - 1],
    [Math.floor(h / 2), Math.floor(w / 3)],
    [0, w - 1],
  ] as const)
    for (const filter of [0, f - 1]) {
      const worked = workedConvolution(model, spec, pixels, index, y, x, filter);
      const expected = values[(y * w + x) * f + filter]!;
      assert.ok(
        Math.abs(worked.output - expected) <= 1e-4 + 1e-4 * Math.abs(expected),
        `${label} (${y}, ${x}) f${filter}: ${worked.output} vs ${expected}`,
      );
      const sum = worked.products.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - worked.sum) < 1e-4);
      worked.products.forEach((p, i) =>
        assert.ok(Math.abs(p - worked.patch[i]! * worked.weights[i]!) < 1e-6),
      );
      assert.equal(worked.patch.length, worked.kernel * worked.kernel * worked.channels);
      const [r0, c0, r1, c1] = worked.field;
      assert.ok(
        0 <= r0 && r0 <= r1 && r1 < 28 && 0 <= c0 && c0 <= c1 && c1 < 28,
        `${label}: field ${worked.field}`,
      );
      checked++;
    }
  return checked;
}

test("conv1 and conv2 of the tutorial network: sum + bias, then ReLU, is tfjs's output", () => {
  const spec = tutorialNetwork();
  const model = buildNetwork(spec, 3);
  assert.equal(check(model, spec, 0, 'conv1'), 8);
  assert.equal(check(model, spec, 2, 'conv2'), 8);
  // conv1's corner: SAME padding puts two rows and columns of zeros above and left of the image.
  const corner = workedConvolution(model, spec, image(), 0, 0, 0, 0);
  assert.deepEqual([corner.top, corner.left], [-2, -2]);
  assert.equal(corner.patch[0], 0);
  assert.deepEqual(corner.field, [0, 0, 2, 2]);
  // conv2 at (7, 7) sees 5×5 pool1 pixels, i.e. 10×10 image pixels, plus conv1's 2 on each side.
  assert.deepEqual(workedConvolution(model, spec, image(), 2, 7, 7, 0).field, [8, 8, 21, 21]);
  assert.throws(
    () => workedConvolution(model, spec, image(), 1, 0, 0, 0),
    /layer 2 is not a convolution/,
  );
  assert.throws(
    () => workedConvolution(model, spec, image(), 0, 28, 0, 0),
    /outside the layer's 28×28×32 output/,
  );
  model.dispose();
});

test('the convolutions of random valid networks (strides, VALID and SAME, any activation)', () => {
  const next = rng(77);
  let networks = 0;
  for (let tries = 0; networks < 5 && tries < 500; tries++) {
    const spec = randomSpec(next);
    if (!checkNetwork(spec, MNIST).ok || !spec.layers.some((l) => l.kind === 'conv')) continue;
    const model = buildNetwork(spec, 5 + networks);
    spec.layers.forEach((l, i) => {
      if (l.kind === 'conv') check(model, spec, i, `network ${networks} layer ${i + 1}`);
    });
    model.dispose();
    networks++;
  }
  assert.equal(networks, 5);
});
