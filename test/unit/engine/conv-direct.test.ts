// Direct convolutions (src/engine/kernels/conv-direct.ts, wasm/conv-direct.c): taken where they
// fit (stride 1, filters in eights, not Winograd's) and equal to tfjs-cpu there, bias and ReLU
// fused or not, any padding, filter size and number of input channels, gradients included; left
// to the backend otherwise.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { compareWithCpu, input, type Input } from './compare.ts';
import { conv, kernelRuns, onWasm } from './wasm-setup.ts';

onWasm();

const runs = (): Promise<number> => kernelRuns('convDirect');

const FITS: {
  name: string;
  inputs: Input[];
  fn: (...ts: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
  runs?: number;
}[] = [
  {
    name: 'conv1: 28×28 → 32 filters of 5×5, SAME, bias and ReLU fused',
    inputs: [input([3, 28, 28, 1], 1), input([5, 5, 1, 32], 2), input([32], 3)],
    fn: conv('same', 'relu'),
  },
  {
    name: 'plain conv2d, 3×4 VALID, 8 filters, a width off the 4-pixel steps (7)',
    inputs: [input([2, 9, 10, 1], 4), input([3, 4, 1, 8], 5)],
    fn: conv('valid'),
  },
  {
    name: 'explicit uneven padding, 16 filters, bias without activation',
    inputs: [input([2, 6, 5, 1], 6), input([4, 3, 1, 16], 7), input([16], 8)],
    fn: conv(
      [
        [0, 0],
        [2, 1],
        [0, 2],
        [0, 0],
      ],
      'linear',
    ),
  },
  {
    name: 'a learner’s 3×3 SAME, 32 → 64 channels, bias and ReLU',
    inputs: [input([2, 14, 14, 32], 15), input([3, 3, 32, 64], 16), input([64], 17)],
    fn: conv('same', 'relu'),
  },
  {
    name: '3 → 8 channels, 7×7 VALID, plain',
    inputs: [input([2, 11, 13, 3], 18), input([7, 7, 3, 8], 19)],
    fn: conv('valid'),
  },
  {
    // The forward pass and dx (a convolution of dy by the flipped filter) are direct
    // convolutions; dW is filter-grad-direct.c's.
    name: 'gradients through a 3×3 SAME 8 → 16 layer',
    inputs: [input([2, 9, 9, 8], 20), input([3, 3, 8, 16], 21), input([2, 9, 9, 16], 22)],
    fn: (x, w, r) =>
      tf.grads((xi: tf.Tensor, wi: tf.Tensor) => tf.sum(tf.mul(conv('same')(xi, wi), r!)))([
        x!,
        w!,
      ]),
    runs: 2,
  },
];

for (const c of FITS) {
  test(c.name, async () => {
    const before = await runs();
    await compareWithCpu(c.name, c.inputs, c.fn);
    assert.equal((await runs()) - before, c.runs ?? 1, 'the direct kernel did not run');
  });
}

test('strides or filters off the eights are left to the backend, and right', async () => {
  const before = await runs();
  const cases: [Input[], (...ts: tf.Tensor[]) => tf.Tensor][] = [
    [[input([2, 9, 9, 1], 9), input([3, 3, 1, 8], 10)], conv('same', undefined, 2)],
    [[input([2, 9, 9, 1], 13), input([3, 3, 1, 12], 14)], conv('same')],
  ];
  for (const [inputs, fn] of cases) await compareWithCpu('left alone', inputs, fn);
  assert.equal(await runs(), before);
});
