// Sum on wasm where it leaves only the last axis (src/engine/kernels/column-sum.ts) against
// tfjs-cpu, and the backend's own Sum wherever else; a bias's gradient through it.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from '../../../src/engine/wasm-kernels.ts';
import { runOn, assertClose, input, type Input } from './compare.ts';

before(() => {
  registerWasmTrainingKernels();
});

const CASES: { name: string; x: Input; fn: (x: tf.Tensor) => tf.Tensor; shape: number[] }[] = [
  {
    name: "conv1's bias gradient: [8, 28, 28, 32] over axes 0, 1, 2",
    x: input([8, 28, 28, 32], 1),
    fn: (x) => tf.sum(x, [0, 1, 2]),
    shape: [32],
  },
  {
    name: 'axes given in any order and negative, keepDims, 36 columns (blocks of 32 and 4)',
    x: input([5, 7, 36], 2),
    fn: (x) => tf.sum(x, [-2, 0], true),
    shape: [1, 1, 36],
  },
  {
    name: 'columns not in fours: the backend’s own',
    x: input([9, 6], 3),
    fn: (x) => tf.sum(x, 0),
    shape: [6],
  },
  {
    name: 'the last axis summed: the backend’s own',
    x: input([4, 5, 8], 4),
    fn: (x) => tf.sum(x, [1, 2]),
    shape: [4],
  },
  {
    name: "a dense bias's gradient through tf.grad",
    x: input([50, 1000], 5),
    fn: (x) => tf.grad((b: tf.Tensor) => tf.sum(tf.mul(tf.add(x, b), x)))(tf.zeros([1000])),
    shape: [1000],
  },
];

for (const { name, x, fn, shape } of CASES) {
  test(name, async () => {
    const [want] = await runOn('cpu', [x], fn);
    const [got] = await runOn('wasm', [x], fn);
    assert.deepEqual(got!.shape, shape);
    assertClose(got!, want!, name, 1e-5);
  });
}
