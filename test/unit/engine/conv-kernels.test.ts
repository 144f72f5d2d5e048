// Conv2DBackpropFilter / Conv2DBackpropInput on wasm (src/engine/kernels) against tfjs-cpu.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import {
  kernelThreadsFor,
  type WasmBackendLike,
} from '../../../src/engine/kernels/heap-backend.ts';
import { registerWasmTrainingKernels } from '../../../src/engine/wasm-kernels.ts';
import { compareWithCpu, input } from './compare.ts';

type Shape4 = [number, number, number, number];
type Pad =
  'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

const B = 2; // small batch: tfjs-cpu takes ~2.5 s per image for conv2's filter gradient
// direct: Conv2DBackpropFilter runs by the direct kernel (filter-grad-direct.ts), which takes
// stride 1 and output channels in fours (Winograd takes conv2's first).
const LAYERS: { name: string; x: Shape4; filter: Shape4; pad: Pad; direct?: true }[] = [
  { name: 'conv1', x: [B, 28, 28, 1], filter: [5, 5, 1, 32], pad: 'same', direct: true },
  {
    name: '3×3 VALID, 2 → 36 (a block of 32 and one of 4)',
    x: [3, 7, 9, 2],
    filter: [3, 3, 2, 36],
    pad: 'valid',
    direct: true,
  },
  {
    name: 'explicit uneven padding, 4 → 8',
    x: [13, 6, 5, 4],
    filter: [4, 3, 4, 8],
    pad: [
      [0, 0],
      [2, 1],
      [0, 2],
      [0, 0],
    ],
    direct: true,
  },
  {
    // Taps go in pairs (filter-grad-direct.c); here a pair's columns need not meet, and most
    // taps land on no pixel at all. 20 outputs: a pair block of 16, then 4 a tap at a time.
    name: 'left padding wider than the output, 2 → 20',
    x: [3, 3, 1, 2],
    filter: [5, 5, 2, 20],
    pad: [
      [0, 0],
      [2, 2],
      [4, 0],
      [0, 0],
    ],
    direct: true,
  },
  { name: 'conv2', x: [B, 14, 14, 32], filter: [5, 5, 32, 64], pad: 'same' },
  { name: 'valid 4x3 filter', x: [2, 9, 8, 3], filter: [4, 3, 3, 5], pad: 'valid' },
  {
    name: 'explicit uneven padding',
    x: [2, 9, 8, 3],
    filter: [4, 3, 3, 5],
    pad: [
      [0, 0],
      [1, 2],
      [0, 2],
      [0, 0],
    ],
  },
];

/** dy's shape for a stride-1 convolution of x with filter. */
function outShape(x: Shape4, f: Shape4, pad: Pad): Shape4 {
  const [n, h, w] = x;
  const co = f[3];
  if (pad === 'same') return [n, h, w, co];
  const [pt, pb] = pad === 'valid' ? [0, 0] : pad[1];
  const [pl, pr] = pad === 'valid' ? [0, 0] : pad[2];
  return [n, h + pt + pb - f[0] + 1, w + pl + pr - f[1] + 1, co];
}

const run = (name: string, inputs: Record<string, tf.Tensor>, attrs: object): tf.Tensor =>
  tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;

/** Runs of the direct filter-gradient kernel on the wasm backend so far. */
const directRuns = (): number =>
  kernelThreadsFor(tf.findBackend('wasm') as unknown as WasmBackendLike).runs.filterGradDirectParts;

before(async () => {
  registerWasmTrainingKernels();
  assert.ok(await tf.setBackend('wasm'));
});

for (const { name, x, filter, pad, direct } of LAYERS) {
  const dy = outShape(x, filter, pad);
  describe(name, () => {
    test('Conv2DBackpropFilter matches cpu', async () => {
      const before = directRuns();
      await compareWithCpu(`Conv2DBackpropFilter ${name}`, [input(x, 1), input(dy, 2)], (xt, dyt) =>
        run(
          tf.Conv2DBackpropFilter,
          { x: xt!, dy: dyt! },
          { strides: 1, pad, dataFormat: 'NHWC', filterShape: filter },
        ),
      );
      assert.equal(
        directRuns() > before,
        direct === true,
        'the direct kernel ran or not as it should',
      );
    });

    test('Conv2DBackpropInput matches cpu', async () => {
      await compareWithCpu(
        `Conv2DBackpropInput ${name}`,
        [input(dy, 3), input(filter, 4)],
        (dyt, ft) =>
          run(
            tf.Conv2DBackpropInput,
            { dy: dyt!, filter: ft! },
            { strides: 1, pad, dataFormat: 'NHWC', inputShape: x },
          ),
      );
    });

    test('conv2d forward and both gradients match cpu', async () => {
      await compareWithCpu(
        `conv2d ${name}`,
        [input(x, 5), input(filter, 6), input(dy, 7)],
        (xt, ft, r) => {
          const conv = (a: tf.Tensor, f: tf.Tensor): tf.Tensor =>
            tf.conv2d(a as tf.Tensor4D, f as tf.Tensor4D, 1, pad);
          const [dx, df] = tf.grads((a: tf.Tensor, f: tf.Tensor) => tf.sum(tf.mul(conv(a, f), r!)))(
            [xt!, ft!],
          );
          return [conv(xt!, ft!), dx!, df!];
        },
      );
    });
  });
}

describe('unsupported attributes', () => {
  test('Conv2DBackpropFilter with stride 2 fails with a clear message', async () => {
    assert.ok(await tf.setBackend('wasm'));
    const x = tf.zeros([1, 8, 8, 2]);
    const dy = tf.zeros([1, 4, 4, 3]);
    assert.throws(
      () =>
        run(
          tf.Conv2DBackpropFilter,
          { x, dy },
          { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 2, 3] },
        ),
      /supports stride 1 and NHWC only \(got strides 2/,
    );
    tf.dispose([x, dy]);
  });

  test('Conv2DBackpropInput with stride 2 falls back to wasm’s own kernel', async () => {
    await compareWithCpu(
      'Conv2DBackpropInput stride 2',
      [input([2, 4, 4, 3], 8), input([3, 3, 2, 3], 9)],
      (dyt, ft) =>
        run(
          tf.Conv2DBackpropInput,
          { dy: dyt!, filter: ft! },
          { strides: 2, pad: 'same', dataFormat: 'NHWC', inputShape: [2, 8, 8, 2] },
        ),
    );
  });
});
