// The Inside view's numbers are the network's own: a stage per layer with tfjs's output shape and
// values, the network read back from the model (for presets and random specs), probabilities that
// are softmax(logits), a logit that is the sum of all its terms plus the bias with the listed
// terms the largest, wide layers cut to INSIDE_CHANNELS channels, pooling windows whose maximum
// (or mean) is tfjs's pooled value, and no tensor left behind.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { selectEngine } from '../../../src/engine/select.ts';
import { buildNetwork } from '../../../src/model/cnn.ts';
import { insideView } from '../../../src/shared/answers-validate.ts';
import { MNIST } from '../../../src/shared/dataset.ts';
import { checkNetwork } from '../../../src/shared/network-shapes.ts';
import { PRESETS, type LayerSpec, type NetworkSpec } from '../../../src/shared/network.ts';
import { poolWindow } from '../../../src/shared/windows.ts';
import { INSIDE_CHANNELS, INSIDE_TERMS } from '../../../src/shared/worker-protocol.ts';
import { inside } from '../../../src/worker/inside.ts';
import { randomSpec, rng } from '../model/random-spec.ts';

before(() => selectEngine('wasm'));

const image = (): Float32Array =>
  Float32Array.from({ length: 784 }, (_, i) => ((i * 7919) % 101) / 101);

/** Every layer's output from plain tfjs, one probe per layer. */
function layerOutputs(model: tf.LayersModel, pixels: Float32Array): Float32Array[] {
  return model.layers.map((layer) => {
    const probe = tf.model({ inputs: model.inputs, outputs: layer.output as tf.SymbolicTensor });
    const out = tf.tidy(() => probe.predict(tf.tensor4d(pixels, [1, 28, 28, 1])) as tf.Tensor);
    const values = out.dataSync() as Float32Array;
    out.dispose();
    return values;
  });
}

async function checkInside(spec: NetworkSpec, seed: number, label: string): Promise<void> {
  const model = buildNetwork(spec, seed);
  const pixels = image();
  const expected = layerOutputs(model, pixels);
  const before = tf.memory().numTensors;
  const view = await inside(model, pixels);
  await inside(model, pixels); // the probe is built once; the second call must leave nothing either
  assert.equal(tf.memory().numTensors, before, `${label}: tensors left behind`);
  assert.deepEqual(insideView(view, 'view'), view, `${label}: the answer passes its guard`);
  assert.deepEqual(view.network, spec, `${label}: the network is read back from the model`);
  assert.equal(view.stages.length, spec.layers.length);
  view.stages.forEach((stage, i) => {
    assert.deepEqual(stage.shape, (model.layers[i]!.outputShape as number[]).slice(1));
    const want = expected[i]!;
    if (stage.shape.length === 3 && stage.shape[2]! > INSIDE_CHANNELS) {
      const [h, w, c] = stage.shape as [number, number, number];
      assert.equal(stage.values.length, h * w * INSIDE_CHANNELS);
      const p = h * w - 1; // the last pixel's first INSIDE_CHANNELS channels
      assert.deepEqual(
        Array.from(stage.values.subarray(p * INSIDE_CHANNELS)),
        Array.from(want.subarray(p * c, p * c + INSIDE_CHANNELS)),
      );
    } else assert.deepEqual(Array.from(stage.values), Array.from(want), `${label} stage ${i}`);
  });
  // Probabilities are softmax(logits), and the logits are the last stage.
  assert.deepEqual(view.logits, Array.from(view.stages.at(-1)!.values));
  const z = Math.max(...view.logits);
  const e = view.logits.map((l) => Math.exp(l - z));
  const total = e.reduce((a, b) => a + b, 0);
  view.probabilities.forEach((p, k) => assert.ok(Math.abs(p - e[k]! / total) < 1e-5));
  // The predicted class's logit: the largest terms, largest first, none bigger left out.
  const { target, bias, top } = view.terms;
  assert.equal(target, view.probabilities.indexOf(Math.max(...view.probabilities)));
  const input = view.stages.length > 1 ? view.stages.at(-2)!.values : pixels;
  assert.equal(top.length, Math.min(INSIDE_TERMS, input.length));
  const size = (t: { input: number; weight: number }): number => Math.abs(t.input * t.weight);
  for (let i = 1; i < top.length; i++) assert.ok(size(top[i - 1]!) >= size(top[i]!));
  const kernel = model.layers.at(-1)!.getWeights()[0]!.dataSync();
  const classes = view.logits.length;
  const listed = new Set(top.map((t) => t.index));
  let sum = bias;
  for (let j = 0; j < input.length; j++) {
    const term = input[j]! * kernel[j * classes + target]!;
    sum += term;
    assert.ok(
      listed.has(j) || Math.abs(term) <= size(top.at(-1)!) + 1e-7,
      `${label}: term ${j} (${term}) is larger than the smallest listed and was left out`,
    );
  }
  top.forEach((t) => assert.equal(t.input, input[t.index]));
  assert.ok(Math.abs(sum - view.logits[target]!) < 1e-3, `${label}: ${sum} vs logit`);
  model.dispose();
}

test('every preset: a stage per layer, equal to what tfjs computes', async () => {
  for (const [i, preset] of PRESETS.entries()) await checkInside(preset.network, i + 1, preset.id);
});

test('random valid networks, and one wider than the view sends', async () => {
  const next = rng(1234);
  let networks = 0;
  for (let tries = 0; networks < 4 && tries < 500; tries++) {
    const spec = randomSpec(next);
    if (!checkNetwork(spec, MNIST).ok) continue;
    await checkInside(spec, 10 + networks, `random ${networks}`);
    networks++;
  }
  assert.equal(networks, 4);
  const wide: LayerSpec[] = [
    { kind: 'conv', filters: 70, kernel: 3, stride: 2, padding: 'same', activation: 'relu' },
    { kind: 'flatten' },
    { kind: 'dense', units: 10, activation: 'linear' },
  ];
  await checkInside({ layers: wide }, 3, 'wide');
});

test("pooling windows: the window's maximum (or mean of the cells inside) is tfjs's output", () => {
  const next = rng(9);
  for (const kind of ['maxpool', 'avgpool'] as const)
    for (const padding of ['same', 'valid'] as const)
      for (const [size, stride, n] of [
        [2, 2, 28],
        [3, 2, 7],
        [2, 2, 7],
        [3, 1, 5],
        [4, 3, 11],
      ] as const) {
        const layer = { kind, size, stride, padding };
        const values = Float32Array.from({ length: n * n }, () => next() * 2 - 1);
        const pooled = tf.tidy(() => {
          const x = tf.tensor4d(values, [1, n, n, 1]);
          const out =
            kind === 'maxpool'
              ? tf.maxPool(x, size, stride, padding)
              : tf.avgPool(x, size, stride, padding);
          return { shape: out.shape, data: out.dataSync() };
        });
        const [, h, w] = pooled.shape;
        for (let y = 0; y < h!; y++)
          for (let x = 0; x < w!; x++) {
            const cells = poolWindow(layer, n, n, y, x);
            assert.equal(cells.length, size * size);
            const inside = cells.filter((c) => c.inside).map((c) => values[c.y * n + c.x]!);
            const want =
              kind === 'maxpool'
                ? Math.max(...inside)
                : inside.reduce((a, b) => a + b, 0) / inside.length;
            const got = pooled.data[y * w! + x]!;
            assert.ok(
              Math.abs(got - want) < 1e-5,
              `${kind} ${padding} ${size}/${stride} on ${n}: (${y}, ${x}) ${got} vs ${want}`,
            );
            if (padding === 'valid') assert.ok(cells.every((c) => c.inside));
          }
      }
});
