// A bias's Add, ReLU and ReLU's gradient on wasm (src/engine/kernels/elementwise.ts) against tfjs-cpu:
// each element is one float32 add or multiply, so the bits must be cpu's, special values included.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { runOn, values, type Input } from './compare.ts';
import { kernelRuns, onWasm } from './wasm-setup.ts';

onWasm();

const runs = kernelRuns;

/** `fn` on wasm and cpu: the same bits, NaN where cpu has NaN (of any sign or payload). */
async function sameBits(inputs: Input[], fn: (...ts: tf.Tensor[]) => tf.Tensor): Promise<void> {
  const [got] = await runOn('wasm', inputs, fn);
  const [want] = await runOn('cpu', inputs, fn);
  assert.deepEqual(got!.shape, want!.shape);
  const bits = (d: Float32Array): (number | 'NaN')[] =>
    Array.from(new Uint32Array(d.buffer), (b, i) => (Number.isNaN(d[i]) ? 'NaN' : b));
  assert.deepEqual(bits(got!.data), bits(want!.data));
}

const x = { shape: [3, 28, 28, 32], data: values(3 * 28 * 28 * 32, 1) };
const bias = { shape: [32], data: values(32, 2) };

test('a bias added to every pixel: our kernel, on either side, cpu’s bits', async () => {
  const before = await runs('biasAdd');
  await sameBits([x, bias], (a, b) => tf.add(a!, b!));
  await sameBits([x, bias], (a, b) => tf.add(b!, a!));
  await sameBits([x, { ...bias, shape: [1, 1, 1, 32] }], (a, b) => tf.add(a!, b!));
  assert.equal((await runs('biasAdd')) - before, 3, 'the bias Adds ran elsewhere');
});

test('other Adds are the backend’s own, and right', async () => {
  const before = await runs('biasAdd');
  const odd = { shape: [2, 5, 5, 3], data: values(150, 3) };
  await sameBits([odd, { shape: [3], data: values(3, 4) }], (a, b) => tf.add(a!, b!));
  await sameBits([x, x], (a, b) => tf.add(a!, b!)); // no broadcast
  const column = { shape: [50, 1], data: values(50, 5) };
  await sameBits([column, { shape: [50, 12], data: values(600, 6) }], (a, b) => tf.add(a!, b!));
  assert.equal(await runs('biasAdd'), before);
});

test('a large Relu: our kernel, cpu’s bits (NaN kept, -0 to +0); a small one: the backend’s', async () => {
  const data = values(6 * 28 * 28 * 32, 9); // large enough for two threads
  data.set([NaN, -0, 0, 1e-40, -1e-40, Infinity, -Infinity]);
  const before = await runs('relu');
  await sameBits([{ shape: [6, 28, 28, 32], data }], (a) => tf.relu(a!));
  assert.equal((await runs('relu')) - before, 1, 'the Relu ran elsewhere');
  await sameBits([{ shape: [50, 300], data: data.slice(0, 15_000) }], (a) => tf.relu(a!));
  assert.equal((await runs('relu')) - before, 1, 'a small Relu woke the kernel threads');
});

test('ReLU’s gradient in one pass: cpu’s bits, NaN, ±0 and subnormals included', async () => {
  const special = [NaN, -0, 0, 1e-40, -1e-40, Infinity, -Infinity, 2, -3];
  const data = values(3 * 28 * 28 * 32, 7);
  data.set(special);
  const dy = values(data.length, 8);
  dy.set([1, 1, 1, 1, 1, Infinity, 1, NaN, NaN], 0);
  const before = await runs('reluGrad');
  await sameBits(
    [
      { shape: x.shape, data },
      { shape: x.shape, data: dy },
    ],
    (a, r) => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu(t), r!)))(a!),
  );
  assert.equal((await runs('reluGrad')) - before, 1, 'the gradient ran elsewhere');
});

test('the Relu gradient is tfjs’s own on a backend without the kernel', async () => {
  assert.ok(await tf.setBackend('cpu'));
  const g = tf.tidy(() =>
    Array.from(
      tf
        .grad((t: tf.Tensor) => tf.relu(t).sum())(tf.tensor1d([NaN, -1, 0, 2]))
        .dataSync(),
    ),
  );
  assert.deepEqual(g, [NaN, 0, 0, 1]);
});
