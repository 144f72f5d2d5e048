// Identity on wasm (src/engine/kernels/identity.ts) shares its input's data, as tfjs-cpu's does:
// the tensors a gradient keeps (tfjs clones each one) cost no copy, and each holder still reads
// the same values after the others are gone.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from '../../../src/engine/wasm-kernels.ts';

before(async () => {
  registerWasmTrainingKernels();
  assert.ok(await tf.setBackend('wasm'));
});

interface Heap {
  dataIdMap: { get(id: object): { memoryOffset: number; refCount: number } };
}
const heapEntry = (t: tf.Tensor): { memoryOffset: number; refCount: number } =>
  (tf.backend() as unknown as Heap).dataIdMap.get(t.dataId);

test('a clone shares the data, and outlives the original', () => {
  const values = Float32Array.from({ length: 3000 }, (_, i) => Math.sin(i));
  const a = tf.tensor2d(values, [30, 100]);
  const b = tf.clone(a);
  assert.equal(b.dataId, a.dataId);
  assert.equal(heapEntry(b).memoryOffset, heapEntry(a).memoryOffset);
  assert.equal(heapEntry(a).refCount, 2);
  a.dispose();
  assert.equal(heapEntry(b).refCount, 1);
  assert.deepEqual(b.dataSync(), values);
  b.dispose();
});

test('the tensors a gradient keeps share their data until the gradient is taken', () => {
  const init = tf.randomNormal([64, 32], 0, 1, 'float32', 3);
  const w = tf.variable(init);
  init.dispose();
  const x = tf.randomNormal([8, 64], 0, 1, 'float32', 4);
  let holdersDuring = 0;
  const { value, grads } = tf.variableGrads(() => {
    const y = tf.matMul(x, w); // tfjs keeps x and w for the gradient
    holdersDuring = heapEntry(w).refCount;
    return tf.relu(y).sum();
  }, [w]);
  assert.equal(holdersDuring, 2, 'the kept weight is a copy, not the same data');
  assert.equal(heapEntry(w).refCount, 1, 'the kept weight was not let go');
  assert.ok(grads[w.name]!.dataSync().some((g) => g !== 0));
  tf.dispose([value, grads[w.name]!, w, x]);
});

test('a cast to the same dtype shares the data; to another dtype it converts', () => {
  const a = tf.tensor1d([0.5, -2, 3.75, 0]);
  const same = tf.cast(a, 'float32');
  assert.equal(same.dataId, a.dataId);
  assert.equal(heapEntry(a).refCount, 2);
  const ints = tf.cast(a, 'int32');
  assert.notEqual(ints.dataId, a.dataId);
  assert.equal(ints.dtype, 'int32');
  assert.deepEqual(Array.from(ints.dataSync()), [0, -2, 3, 0]);
  a.dispose();
  assert.deepEqual(Array.from(same.dataSync()), [0.5, -2, 3.75, 0]);
  tf.dispose([same, ints]);
});

test("ReLU's gradient is tfjs-cpu's with the shared cast", async () => {
  const x = tf.randomNormal([4, 6, 6, 3], 0, 1, 'float32', 9);
  const dy = tf.randomNormal([4, 6, 6, 3], 0, 1, 'float32', 10);
  const g = tf.grad((t: tf.Tensor) => tf.relu(t));
  const onWasm = g(x, dy).arraySync();
  const [xs, dys] = [x.arraySync(), dy.arraySync()];
  tf.dispose([x, dy]);
  await tf.setBackend('cpu');
  const [xc, dyc] = [tf.tensor(xs), tf.tensor(dys)];
  const onCpu = g(xc, dyc).arraySync();
  tf.dispose([xc, dyc]);
  assert.ok(await tf.setBackend('wasm'));
  assert.deepEqual(onWasm, onCpu);
});
