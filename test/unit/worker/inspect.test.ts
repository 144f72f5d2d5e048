// model:inspect and the per-epoch evaluation, in-process on the portable engine: the shapes the
// renderer relies on, agreement with predict, no tensor leaks, and a confusion matrix that adds up.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { loadMnist, type MnistData } from '../../../src/data/mnist.ts';
import { selectEngine } from '../../../src/engine/select.ts';
import { buildModel, buildNetwork, compileModel, probabilities } from '../../../src/model/cnn.ts';
import { presetById } from '../../../src/shared/network.ts';
import { DEFAULT_CONFIG, type TrainConfig } from '../../../src/shared/config.ts';
import type { TrainingEvent } from '../../../src/shared/events.ts';
import { inspection } from '../../../src/shared/answers-validate.ts';
import { trainingEvent } from '../../../src/shared/validate.ts';
import { RunControl } from '../../../src/training/control.ts';
import { ProgressReporter } from '../../../src/training/progress.ts';
import { train } from '../../../src/training/trainer.ts';
import { inspect, testImages } from '../../../src/worker/inspect.ts';

const config: TrainConfig = {
  ...DEFAULT_CONFIG,
  epochs: 1,
  trainLimit: 300,
  testLimit: 400,
  learningRate: 1e-3,
};

let data: MnistData;
let model: tf.LayersModel;
const events: TrainingEvent[] = [];

before(async () => {
  const engine = await selectEngine('wasm');
  data = await loadMnist();
  model = buildModel(config.seed);
  compileModel(model, config.learningRate);
  const reporter = new ProgressReporter({
    runId: 'run-test',
    config,
    engine,
    model,
    emit: (e) => events.push(e),
  });
  const outcome = await train(model, data, config, new RunControl(), reporter);
  assert.equal(outcome.kind, 'finished');
});

/** Test image i as the network sees it. */
const image = (i: number): Float32Array =>
  Float32Array.from(data.test.images.subarray(i * 784, (i + 1) * 784), (b) => b / 255);

test('inspect returns ten probabilities and conv1 [28,28,32] / conv2 [14,14,64] maps', async () => {
  const r = await inspect(model, image(0));
  assert.equal(r.probabilities.length, 10);
  const sum = r.probabilities.reduce((s, p) => s + p, 0);
  assert.ok(Math.abs(sum - 1) < 1e-4, `probabilities sum to ${sum}`);
  assert.deepEqual(
    r.maps.map((m) => [m.layer, m.shape, m.values.length]),
    [
      ['conv1', [28, 28, 32], 28 * 28 * 32],
      ['conv2', [14, 14, 64], 14 * 14 * 64],
    ],
  );
  for (const m of r.maps) {
    assert.ok(m.values instanceof Float32Array);
    assert.ok(
      m.values.every((v) => v >= 0 && Number.isFinite(v)),
      'ReLU outputs are finite and >= 0',
    );
    assert.ok(
      m.values.some((v) => v > 0),
      `${m.layer} has some activation`,
    );
  }
});

test('inspect agrees with predict', async () => {
  const x = image(7);
  const r = await inspect(model, x);
  const t = probabilities(model, tf.tensor4d(x, [1, 28, 28, 1]));
  const expected = Array.from(await t.data());
  t.dispose();
  r.probabilities.forEach((p, i) => assert.ok(Math.abs(p - expected[i]!) < 1e-5, `digit ${i}`));
});

test('repeated inspect calls leave no tensors behind', async () => {
  await inspect(model, image(1)); // the first call builds the probe
  const before = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) await inspect(model, image(i));
  assert.equal(tf.memory().numTensors, before);
});

test('any network: maps for the convolutions it has, none (and no crash) without one', async () => {
  for (const [id, maps] of [
    ['tiny-cnn', ['conv1 28×28×8']],
    ['standard-nn', []],
  ] as const) {
    const m = buildNetwork(presetById(id)!.network, 5);
    const r = inspection(await inspect(m, image(2)), 'r');
    assert.equal(r.probabilities.length, 10);
    assert.deepEqual(
      r.maps.map((x) => `${x.layer} ${x.shape.join('×')}`),
      maps,
      id,
    );
    const t = tf.tidy(() => probabilities(m, tf.tensor4d(image(2), [1, 28, 28, 1])));
    const expected = Array.from(await t.data());
    t.dispose();
    r.probabilities.forEach((p, i) => assert.ok(Math.abs(p - expected[i]!) < 1e-5, `${id} ${i}`));
    m.dispose();
  }
});

test('a new model gets its own probe; the old model keeps its weights', async () => {
  const other = buildModel(99);
  const a = await inspect(model, image(3));
  const b = await inspect(other, image(3));
  assert.notDeepEqual(a.probabilities, b.probabilities);
  other.dispose();
  const again = await inspect(model, image(3));
  assert.deepEqual(again.probabilities, a.probabilities);
});

test('the evaluation event follows epoch-end, is valid, and its matrix adds up', () => {
  const i = events.findIndex((e) => e.type === 'evaluation');
  assert.ok(i > 0, 'an evaluation event was emitted');
  const epochEnd = events[i - 1]!;
  const ev = events[i]!;
  assert.ok(epochEnd.type === 'epoch-end' && ev.type === 'evaluation');
  assert.doesNotThrow(() => trainingEvent(ev, 'event'));
  assert.equal(ev.epoch, 1);
  assert.equal(ev.count, config.testLimit);
  assert.equal(
    ev.matrix.reduce((s, x) => s + x, 0),
    config.testLimit,
  );
  let diagonal = 0;
  for (let d = 0; d < 10; d++) diagonal += ev.matrix[d * 11]!;
  assert.equal(diagonal / ev.count, epochEnd.testAccuracy);
  // Rows are the true labels of the evaluated images.
  for (let label = 0; label < 10; label++) {
    let row = 0;
    for (let p = 0; p < 10; p++) row += ev.matrix[label * 10 + p]!;
    const expected = data.test.labels.subarray(0, config.testLimit).filter((l) => l === label);
    assert.equal(row, expected.length, `row ${label}`);
  }
});

test('cell samples and the worst mistakes point at the right test images', async () => {
  const ev = events.find((e) => e.type === 'evaluation');
  assert.ok(ev?.type === 'evaluation');
  for (let cell = 0; cell < 100; cell++) {
    const kept: number[] = ev.samples[cell]!;
    assert.equal(kept.length, Math.min(ev.matrix[cell]!, 24), `cell ${cell}`);
    for (const idx of kept) assert.equal(data.test.labels[idx], Math.floor(cell / 10));
  }
  // Every evaluated image, grouped by cell: each cell's group is its count long, starts with its
  // samples, and holds images of the row's label, each index once.
  const cells = ev.cells!;
  assert.equal(cells.length, ev.count);
  assert.deepEqual(
    [...cells].sort((a, b) => a - b),
    Array.from({ length: ev.count }, (_, k) => k),
  );
  // The model's answers for the evaluated images, in one batch.
  const answers = tf.tidy(() => {
    const x = tf.concat(
      Array.from({ length: ev.count }, (_, i) => tf.tensor4d(image(i), [1, 28, 28, 1])),
    );
    return Array.from(
      probabilities(model, x as tf.Tensor4D)
        .argMax(1)
        .dataSync(),
    );
  });
  let at = 0;
  for (let cell = 0; cell < 100; cell++) {
    const group = cells.slice(at, at + ev.matrix[cell]!);
    at += ev.matrix[cell]!;
    assert.deepEqual(group.slice(0, ev.samples[cell]!.length), ev.samples[cell], `cell ${cell}`);
    for (const idx of group) {
      assert.equal(data.test.labels[idx], Math.floor(cell / 10));
      assert.equal(answers[idx], cell % 10, `#${idx}`);
    }
  }
  const wrong = ev.wrong;
  assert.ok(wrong.length > 0 && wrong.length <= 24);
  for (let k = 0; k < wrong.length; k++) {
    const w = wrong[k]!;
    assert.notEqual(w.predicted, w.label);
    assert.equal(w.label, data.test.labels[w.index]);
    assert.deepEqual(w.pixels, data.test.images.slice(w.index * 784, (w.index + 1) * 784));
    if (k > 0) assert.ok(wrong[k - 1]!.confidence >= w.confidence, 'most confident first');
    // The model really does predict that, with that confidence.
    const r = await inspect(model, image(w.index));
    const top = r.probabilities.indexOf(Math.max(...r.probabilities));
    assert.equal(top, w.predicted);
    assert.ok(Math.abs(r.probabilities[top]! - w.confidence) < 1e-4);
  }
});

test('testImages copies pixels and labels, and refuses indices past the end', () => {
  const [a, b] = testImages(data.test, [0, 9999]);
  assert.equal(a!.label, data.test.labels[0]);
  assert.equal(b!.index, 9999);
  assert.equal(a!.pixels.length, 784);
  assert.equal(a!.pixels.buffer.byteLength, 784, 'a copy, not a view of the whole split');
  assert.throws(() => testImages(data.test, [10_000]), RangeError);
  assert.throws(() => testImages(data.test, [-1]), RangeError);
});
