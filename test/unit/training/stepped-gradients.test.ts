// steppedVariableGrads (src/training/stepped-gradients.ts) is tf.variableGrads with pauses inside:
// the same loss and gradients bit for bit, with questions (a prediction, a saliency map's own
// gradients) answered in its pauses, and no tensor left behind, on success or on error.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { selectEngine } from '../../../src/engine/select.ts';
import { buildModel, compileModel, softmaxCrossEntropy } from '../../../src/model/cnn.ts';
import { explain } from '../../../src/worker/explain.ts';
import { steppedVariableGrads } from '../../../src/training/stepped-gradients.ts';

before(async () => {
  await selectEngine('wasm');
});

function batch(n: number, seed: number): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const x = tf.randomUniform([n, 28, 28, 1], 0, 1, 'float32', seed) as tf.Tensor4D;
  const labels = tf.tensor1d(
    Array.from({ length: n }, (_, i) => (i * 7 + seed) % 10),
    'int32',
  );
  const y = tf.oneHot(labels, 10).toFloat() as tf.Tensor2D;
  labels.dispose();
  return { x, y };
}

const lossOf = (model: tf.LayersModel, x: tf.Tensor4D, y: tf.Tensor2D) => (): tf.Scalar =>
  softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor2D).mean<tf.Scalar>();

const weightsOf = (model: tf.LayersModel): tf.Variable[] =>
  model.trainableWeights.map((w) => w.read() as tf.Variable);

async function bitsOf(g: { value: tf.Scalar; grads: Record<string, tf.Tensor> }): Promise<{
  value: Float32Array;
  grads: Record<string, Float32Array>;
}> {
  const grads: Record<string, Float32Array> = {};
  for (const [name, t] of Object.entries(g.grads)) grads[name] = (await t.data()) as Float32Array;
  return { value: (await g.value.data()) as Float32Array, grads };
}

test('the loss and gradients are tf.variableGrads’ bit for bit, with questions answered in the pauses', async () => {
  const model = buildModel(4);
  compileModel(model, 1e-4);
  const { x, y } = batch(12, 3);
  const vars = weightsOf(model);
  const whole = tf.variableGrads(lossOf(model, x, y), vars);
  const expected = await bitsOf(whole as never);
  tf.dispose([whole.value, ...Object.values(whole.grads)]);

  const tensors = tf.memory().numTensors;
  const drawing = new Float32Array(784).map((_, i) => (i % 9) / 9);
  let pauses = 0;
  let saliencies = 0;
  const stepped = await steppedVariableGrads(lossOf(model, x, y), vars, async () => {
    pauses++;
    // A prediction in every pause; a saliency map (its own tape) in a few.
    const p = tf.tidy(() =>
      tf.softmax(model.predict(tf.tensor4d(drawing, [1, 28, 28, 1])) as tf.Tensor),
    );
    await p.data();
    p.dispose();
    if (pauses % 5 === 1) {
      const why = await explain(model, drawing, null);
      assert.equal(why.saliency.length, 784);
      saliencies++;
    }
  });
  const got = await bitsOf(stepped);
  assert.ok(pauses > vars.length, `only ${pauses} pauses for ${vars.length} weights`);
  assert.ok(saliencies >= 2);
  assert.deepEqual(Object.keys(got.grads).sort(), Object.keys(expected.grads).sort());
  assert.deepEqual(got.value, expected.value);
  for (const name of Object.keys(expected.grads)) {
    assert.deepEqual(got.grads[name], expected.grads[name], `the gradient of ${name} differs`);
  }
  tf.dispose([stepped.value, ...Object.values(stepped.grads)]);
  assert.equal(tf.memory().numTensors, tensors, 'tensors were left behind');
  tf.dispose([x, y]);
  model.dispose();
});

test('a weight used several times has its gradients added in tfjs’s order', async () => {
  const w = tf.variable(tf.randomNormal([257], 0, 1, 'float32', 7), true, 'w_used_thrice');
  const frozen = tf.variable(tf.ones([257]), false, 'frozen');
  const f = (): tf.Scalar => tf.add(tf.mul(w, w), tf.sin(tf.mul(w, frozen))).sum();
  const whole = tf.variableGrads(f, [w, frozen]);
  const stepped = await steppedVariableGrads(f, [w, frozen], () => Promise.resolve());
  assert.deepEqual(
    await stepped.grads.w_used_thrice!.data(),
    await whole.grads.w_used_thrice!.data(),
  );
  assert.deepEqual(await stepped.value.data(), await whole.value.data());
  assert.equal(stepped.grads.frozen, null); // as tf.variableGrads names a frozen weight
  tf.dispose([
    whole.value,
    stepped.value,
    whole.grads.w_used_thrice!,
    stepped.grads.w_used_thrice!,
  ]);
  tf.dispose([w, frozen]);
});

test('a loss that is not a scalar is refused, and leaves no tensor behind', async () => {
  const model = buildModel(5);
  const { x, y } = batch(4, 1);
  const tensors = tf.memory().numTensors;
  await assert.rejects(
    steppedVariableGrads(
      () => (model.apply(x) as tf.Tensor2D).sum(1) as unknown as tf.Scalar,
      weightsOf(model),
      () => Promise.resolve(),
    ),
    /The loss must be a scalar, not rank 1/,
  );
  assert.equal(tf.memory().numTensors, tensors);
  tf.dispose([x, y]);
  model.dispose();
});

test('an error in a pause stops the computation, and leaves no tensor behind', async () => {
  const model = buildModel(6);
  const { x, y } = batch(4, 2);
  const tensors = tf.memory().numTensors;
  let pauses = 0;
  await assert.rejects(
    steppedVariableGrads(lossOf(model, x, y), weightsOf(model), () => {
      if (++pauses === 3) return Promise.reject(new Error('the worker is closing'));
      return Promise.resolve();
    }),
    /the worker is closing/,
  );
  assert.equal(tf.memory().numTensors, tensors);
  tf.dispose([x, y]);
  model.dispose();
});
