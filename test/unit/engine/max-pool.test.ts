// MaxPool and MaxPoolGrad on wasm (src/engine/kernels/max-pool.ts) against tfjs-cpu, ties included.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { compareWithCpu, input, runOn } from './compare.ts';
import { kernelRuns, onWasm } from './wasm-setup.ts';

onWasm();

type Shape4 = [number, number, number, number];
const POOLS: { name: string; x: Shape4; size: number; stride: number; pad: 'valid' | 'same' }[] = [
  { name: 'pool1 (2x2/2 after conv1)', x: [2, 28, 28, 32], size: 2, stride: 2, pad: 'valid' },
  { name: 'pool2 (2x2/2 after conv2)', x: [2, 14, 14, 64], size: 2, stride: 2, pad: 'valid' },
  { name: 'overlapping 3x3/2 same', x: [2, 9, 9, 3], size: 3, stride: 2, pad: 'same' },
  { name: 'odd size 2x2/2 same (padded)', x: [2, 7, 7, 3], size: 2, stride: 2, pad: 'same' },
];

for (const { name, x, size, stride, pad } of POOLS) {
  describe(name, () => {
    // ReLU makes whole windows of zeros; quantising makes equal maxima within a window.
    for (const [kind, quantise] of [
      ['distinct values', undefined],
      ['many ties', 2],
    ] as const) {
      test(`forward and gradient match cpu (${kind})`, async () => {
        const outShape = tf.tidy(
          () => tf.maxPool(tf.zeros(x) as tf.Tensor4D, size, stride, pad).shape,
        );
        await compareWithCpu(
          `maxPool ${name} ${kind}`,
          [input(x, 21, quantise), input(outShape, 22)],
          (xt, r) => {
            const pool = (a: tf.Tensor): tf.Tensor =>
              tf.maxPool(tf.relu(a) as tf.Tensor4D, size, stride, pad);
            const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(pool(a), r!)))(xt!);
            return [pool(xt!), dx];
          },
        );
      });
    }
  });
}

test('MaxPool and its gradient are ours, and as cpu skip NaN (a window of only NaN is -∞), keeping the first of ±0', async () => {
  const runs = (): Promise<number> => kernelRuns('maxPool');
  const before = await runs();
  // Two channels (the scalar path) and four (the vector path): windows of 2×2 over a 2×2 image.
  for (const c of [1, 4]) {
    const data = new Float32Array(
      [NaN, 1, NaN, 2, -0, 0, NaN, NaN, NaN, NaN, NaN, NaN].flatMap(
        (v) => Array(c).fill(v) as number[],
      ),
    );
    const x = { shape: [3, 2, 2, c], data };
    const pool = (a?: tf.Tensor): tf.Tensor => tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid');
    const [got] = await runOn('wasm', [x], pool);
    const [want] = await runOn('cpu', [x], pool);
    assert.deepEqual(Array.from(got!.data), Array.from(want!.data));
    assert.deepEqual(Array.from(got!.data.subarray(0, c)), Array(c).fill(2));
    assert.ok(Object.is(got!.data[c], -0), 'the first of -0 and 0');
    assert.equal(got!.data[2 * c], -Infinity);
    // The gradient goes to the first maximum; a window of only NaN passes none.
    const grad = (a?: tf.Tensor): tf.Tensor => tf.grad((t: tf.Tensor) => tf.sum(pool(t)))(a!);
    const gradsBefore = await kernelRuns('maxPoolGrad');
    const [gotDx] = await runOn('wasm', [x], grad);
    const [wantDx] = await runOn('cpu', [x], grad);
    assert.equal((await kernelRuns('maxPoolGrad')) - gradsBefore, 1, 'MaxPoolGrad ran elsewhere');
    assert.deepEqual(Array.from(gotDx!.data), Array.from(wantDx!.data));
    assert.deepEqual(
      Array.from(gotDx!.data.subarray(0, 4 * c)),
      [0, 0, 0, 1].flatMap((v) => Array(c).fill(v) as number[]),
    );
  }
  assert.equal((await runs()) - before, 4, 'MaxPool ran elsewhere');
});
