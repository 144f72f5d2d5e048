// The real CNN (src/model/cnn.ts): loss and every weight gradient on wasm equal tfjs-cpu's.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from '../../../src/engine/wasm-kernels.ts';
import { buildModel, softmaxCrossEntropy } from '../../../src/model/cnn.ts';
import { assertClose, values } from './compare.ts';

before(() => registerWasmTrainingKernels());

const BATCH = 2;
const pixels = values(BATCH * 28 * 28, 31).map((v) => (v + 1) / 2);
const labels = [3, 7];

async function lossAndGradients(backend: string) {
  assert.ok(await tf.setBackend(backend));
  const model = buildModel(7);
  const x = tf.tensor4d(pixels, [BATCH, 28, 28, 1]);
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
  const { value, grads } = tf.variableGrads(
    () => softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
  );
  const read = async (t: tf.Tensor) => ({ shape: t.shape, data: (await t.data()) as Float32Array });
  const out = {
    loss: await read(value),
    grads: Object.fromEntries(
      await Promise.all(
        // Variable names get a suffix per model built ("conv1/kernel_1"); the layer part is stable.
        Object.entries(grads).map(
          async ([k, g]) => [k.replace(/_\d+$/, ''), await read(g)] as const,
        ),
      ),
    ),
  };
  tf.dispose([x, y, value, ...Object.values(grads)]);
  model.dispose();
  return out;
}

test('one training step of the CNN computes the same gradients on wasm and cpu', async () => {
  const wasm = await lossAndGradients('wasm');
  const cpu = await lossAndGradients('cpu');
  assertClose(wasm.loss, cpu.loss, 'loss');
  const names = Object.keys(cpu.grads).sort();
  assert.deepEqual(Object.keys(wasm.grads).sort(), names);
  assert.equal(names.length, 8, 'four layers, kernel and bias each');
  for (const name of names) assertClose(wasm.grads[name]!, cpu.grads[name]!, `gradient of ${name}`);
});
