// BatchMatMul on wasm (src/engine/kernels/batch-matmul.ts) against tfjs-cpu, both of its plans.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { matMulPlan } from '../../../src/engine/kernels/batch-matmul.ts';
import { compareWithCpu, input } from './compare.ts';
import { kernelRuns, onWasm } from './wasm-setup.ts';

onWasm();

// [m, k, n] of C = op(A)·op(B) as the dense layers produce them at batch 4.
const PRODUCTS: { name: string; mkn: [number, number, number] }[] = [
  { name: 'fc1 forward x·W', mkn: [4, 3136, 1000] },
  { name: 'fc1 weight gradient x^T·dy', mkn: [3136, 4, 1000] },
  { name: 'fc1 input gradient dy·W^T', mkn: [4, 1000, 3136] },
  { name: 'fc2 sizes', mkn: [4, 1000, 10] },
  { name: 'tiny', mkn: [3, 5, 7] },
];
const COMBOS = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;

describe('plan choice', () => {
  test('keeps the big weight matrix of a dense layer on the left', () => {
    assert.equal(matMulPlan(50, 3136, 1000, false, false), 'flipped'); // forward x·W
    assert.equal(matMulPlan(50, 1000, 3136, false, true), 'flipped'); // dx = dy·W^T
    assert.equal(matMulPlan(3136, 50, 1000, true, false), 'direct'); // dW = x^T·dy
    assert.equal(matMulPlan(50, 1000, 10, false, false), 'direct'); // fc2 forward
  });
});

for (const { name, mkn } of PRODUCTS) {
  const [m, k, n] = mkn;
  describe(`${name} [${m}x${k}]·[${k}x${n}]`, () => {
    for (const [ta, tb] of COMBOS) {
      test(`transposeA=${ta} transposeB=${tb} (${matMulPlan(m, k, n, ta, tb)}) matches cpu`, async () => {
        const a = input(ta ? [k, m] : [m, k], 11);
        const b = input(tb ? [n, k] : [k, n], 12);
        await compareWithCpu(`matMul ${name} ${ta} ${tb}`, [a, b], (at, bt) =>
          tf.matMul(at!, bt!, ta, tb),
        );
      });
    }
  });
}

describe('rank 3', () => {
  for (const [ta, tb] of COMBOS) {
    test(`batch 1, transposeA=${ta} transposeB=${tb} keeps the [1,m,n] shape`, async () => {
      await compareWithCpu(
        `matMul rank 3 ${ta} ${tb}`,
        [input(ta ? [1, 6, 4] : [1, 4, 6], 13), input(tb ? [1, 5, 6] : [1, 6, 5], 14)],
        (at, bt) => tf.matMul(at!, bt!, ta, tb),
      );
    });
    test(`batch 2 (wasm's own kernel), transposeA=${ta} transposeB=${tb}`, async () => {
      await compareWithCpu(
        `matMul batch 2 ${ta} ${tb}`,
        [input(ta ? [2, 6, 4] : [2, 4, 6], 15), input(tb ? [2, 5, 6] : [2, 6, 5], 16)],
        (at, bt) => tf.matMul(at!, bt!, ta, tb),
      );
    });
  }
});

test('a dense layer’s forward and both gradients match cpu', async () => {
  await compareWithCpu(
    'dense 3136 -> 1000',
    [input([4, 3136], 17), input([3136, 1000], 18), input([4, 1000], 19)],
    (x, w, r) => {
      const f = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => tf.sum(tf.mul(tf.matMul(a, b), r!));
      const [dx, dw] = tf.grads(f)([x!, w!]);
      return [tf.matMul(x!, w!), dx!, dw!];
    },
  );
});

// _FusedMatMul (src/engine/kernels/fused-matmul.ts): a dense layer outside training. Our product
// (matmul.c) plus a bias and ReLU, for one drawn digit as for a batch of 800 (whose 3136×1000
// weights it packs); other activations keep wasm's kernel.
describe('fused matMul (bias + activation)', () => {
  const products = (): Promise<number> => kernelRuns('matmulNN');
  const cases = [
    { m: 1, activation: 'relu', ours: true },
    { m: 4, activation: 'linear', ours: true },
    { m: 4, activation: 'elu', ours: false },
    { m: 800, activation: 'relu', ours: true },
  ] as const;
  for (const { m, activation, ours } of cases) {
    const plan = ours ? 'our product' : "wasm's own";
    test(`[${m}x3136]·[3136x1000] + bias, ${activation}: ${plan}, matches cpu`, async () => {
      const before = await products();
      await compareWithCpu(
        `fused ${m} ${activation}`,
        [input([m, 3136], 21), input([3136, 1000], 22), input([1000], 23)],
        (x, w, bias) => tf.fused.matMul({ a: x!, b: w!, bias, activation }),
      );
      assert.equal((await products()) - before, ours ? 1 : 0);
    });
  }
  test('without a bias, transposed operands', async () => {
    await compareWithCpu('fused no bias', [input([3136, 2], 24), input([1000, 3136], 25)], (x, w) =>
      tf.fused.matMul({ a: x!, b: w!, transposeA: true, transposeB: true, activation: 'relu' }),
    );
  });
});
