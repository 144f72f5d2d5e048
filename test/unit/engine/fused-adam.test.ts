// The fused Adam step (src/model/fused-adam.ts, src/engine/kernels/adam.ts, wasm/adam.c): on wasm
// it runs as one kernel, and its weights, moments and β powers after several steps are exactly
// (bit for bit) tfjs's own Adam's on tfjs-cpu, subnormal values aside (flushed to zero); its state
// saves and restores as Adam's does.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import {
  kernelThreadsFor,
  type WasmBackendLike,
} from '../../../src/engine/kernels/heap-backend.ts';
import { registerWasmTrainingKernels } from '../../../src/engine/wasm-kernels.ts';
import { ADAM_STEP, FusedAdamOptimizer } from '../../../src/model/fused-adam.ts';
import { values } from './compare.ts';

before(() => {
  registerWasmTrainingKernels();
});

// Sizes: a multiple of 4, one that leaves 3 elements after the vectors, and a scalar.
const SHAPES = [[40, 30], [7, 5, 3], []];
const STEPS = 4;

interface Result {
  weights: Float32Array[];
  slots: Float32Array[];
  iterations: number;
}

/** Trains variables of SHAPES for STEPS steps of synthetic gradients with `make`'s optimizer. */
async function train(backend: string, make: () => tf.Optimizer): Promise<Result> {
  assert.ok(await tf.setBackend(backend));
  const vars = SHAPES.map((s, i) =>
    tf.variable(tf.tensor(values(tf.util.sizeFromShape(s), 10 + i), s), true, `w${i}-${backend}`),
  );
  const optimizer = make();
  for (let step = 0; step < STEPS; step++) {
    const grads = vars.map((v, i) => ({
      name: v.name,
      // Large and tiny gradients: the moments' rounding shows.
      tensor: tf.tensor(
        values(v.size, 100 * step + i).map((g, j) => g * 10 ** ((j % 7) - 3)),
        v.shape,
      ),
    }));
    optimizer.applyGradients(grads);
    tf.dispose(grads.map((g) => g.tensor));
  }
  const slots = await optimizer.getWeights();
  const result = {
    weights: vars.map((v) => v.dataSync() as Float32Array),
    slots: slots.map((s) => s.tensor.dataSync() as Float32Array),
    iterations: optimizer.iterations,
  };
  tf.dispose([...vars, ...slots.map((s) => s.tensor)]);
  optimizer.dispose();
  return result;
}

test('on wasm the step is one kernel per weight, and equals tfjs Adam on cpu bit for bit', async () => {
  const lr = 3e-3;
  const want = await train('cpu', () => tf.train.adam(lr));
  assert.ok(await tf.setBackend('wasm'));
  assert.ok(tf.getKernel(ADAM_STEP, 'wasm'), 'the fused kernel is registered for wasm');
  const threads = kernelThreadsFor(tf.backend() as unknown as WasmBackendLike);
  const before = threads.runs.adam;
  const got = await train('wasm', () => new FusedAdamOptimizer(lr, 0.9, 0.999));
  assert.equal(threads.runs.adam - before, STEPS * SHAPES.length, 'the fused kernel did not run');
  assert.equal(got.iterations, STEPS);
  assert.ok(
    want.weights[0]!.some((w, i) => w !== values(1200, 10)[i]),
    'the weights moved',
  );
  assert.deepEqual(got.weights, want.weights);
  // Slots: the iteration count, then each weight's m and v in order (the checkpoint's layout).
  assert.equal(got.slots.length, 1 + 2 * SHAPES.length);
  assert.deepEqual(got.slots, want.slots);
});

test('on wasm, subnormal moments are stored as zero (as native TensorFlow flushes them)', async () => {
  // 1e-37 · (1 - β1) is subnormal: tfjs keeps it, which made every later step slow (adam.c).
  const grads = [1e-37, -1e-37, 1e-39, 0.5, NaN];
  const step = async (backend: string, make: () => tf.Optimizer): Promise<Float32Array[]> => {
    assert.ok(await tf.setBackend(backend));
    const w = tf.variable(tf.tensor1d([1, 1, 1, 1, 1]), true, `flush-${backend}`);
    const optimizer = make();
    const g = tf.tensor1d(grads);
    optimizer.applyGradients([{ name: w.name, tensor: g }]);
    const slots = await optimizer.getWeights();
    const out = [w, ...slots.map((s) => s.tensor)].map((t) => t.dataSync() as Float32Array);
    tf.dispose([w, g, ...slots.map((s) => s.tensor)]);
    optimizer.dispose();
    return out;
  };
  const [wCpu, , mCpu] = await step('cpu', () => tf.train.adam(1e-3));
  const [wWasm, , mWasm] = await step('wasm', () => new FusedAdamOptimizer(1e-3, 0.9, 0.999));
  assert.ok(mCpu![0]! > 0 && mCpu![0]! < 2 ** -126, 'tfjs keeps a subnormal moment');
  assert.ok(mWasm![0] === 0 && mWasm![1] === 0, 'flushed');
  assert.equal(mWasm![2], 0, 'a subnormal gradient makes a subnormal moment: zero');
  assert.equal(mWasm![3], mCpu![3], 'a normal moment is tfjs Adam’s, bit for bit');
  assert.ok(Number.isNaN(mWasm![4]!), 'NaN stays NaN');
  // A moment of zero moves nothing; the others as tfjs moves them.
  assert.deepEqual(Array.from(wWasm!.subarray(0, 4)), [1, 1, 1, wCpu![3]]);
  assert.ok(Number.isNaN(wWasm![4]!));
});

test('tfjs Adam on wasm (unfused) agrees too, so the kernel matches the backend it replaces', async () => {
  const lr = 1e-4;
  const fused = await train('wasm', () => new FusedAdamOptimizer(lr, 0.9, 0.999));
  const plain = await train('wasm', () => tf.train.adam(lr));
  assert.deepEqual(fused.weights, plain.weights);
});

test('where the backend has no fused kernel (cpu) it is tfjs Adam, and still says it is Adam', async () => {
  assert.ok(await tf.setBackend('cpu'));
  const optimizer = new FusedAdamOptimizer(1e-4, 0.9, 0.999);
  assert.equal(optimizer.getClassName(), 'Adam');
  assert.equal(tf.getKernel(ADAM_STEP, 'cpu'), undefined);
  const a = await train('cpu', () => new FusedAdamOptimizer(1e-4, 0.9, 0.999));
  const b = await train('cpu', () => tf.train.adam(1e-4));
  assert.deepEqual(a.weights, b.weights);
  optimizer.dispose();
});

test('a state saved from the fused optimizer continues exactly in tfjs Adam, and back', async () => {
  assert.ok(await tf.setBackend('wasm'));
  const v = tf.variable(tf.tensor(values(64, 3), [8, 8]), true, 'resume-w');
  const grad = (s: number) => [{ name: v.name, tensor: tf.tensor(values(64, 50 + s), [8, 8]) }];
  const first = new FusedAdamOptimizer(1e-3, 0.9, 0.999);
  for (let s = 0; s < 3; s++) first.applyGradients(grad(s));
  const saved = await first.getWeights();
  const start = v.dataSync().slice();
  const continueWith = async (o: tf.Optimizer): Promise<Float32Array> => {
    v.assign(tf.tensor(start, [8, 8]));
    await o.setWeights(saved.map((w) => ({ name: w.name, tensor: w.tensor.clone() })));
    for (let s = 3; s < 6; s++) o.applyGradients(grad(s));
    return v.dataSync() as Float32Array;
  };
  const viaPlain = await continueWith(tf.train.adam(1e-3));
  const viaFused = await continueWith(new FusedAdamOptimizer(1e-3, 0.9, 0.999));
  assert.deepEqual(viaFused, viaPlain);
});

test('a weight is updated in place only when nothing else holds its data', async () => {
  assert.ok(await tf.setBackend('wasm'));
  const v = tf.variable(tf.tensor(values(64, 7), [8, 8]), true, 'shared-w');
  const optimizer = new FusedAdamOptimizer(1e-2, 0.9, 0.999);
  const step = (): void => {
    const grads = [{ name: v.name, tensor: tf.tensor(values(64, 8), [8, 8]) }];
    optimizer.applyGradients(grads);
    tf.dispose(grads[0]!.tensor);
  };
  step(); // now the variable alone holds its data
  const held = tf.clone(v); // shares the variable's data (the backend counts two holders)
  const before = held.dataSync().slice();
  step();
  assert.deepEqual(held.dataSync(), before, 'a tensor sharing the old data was changed');
  assert.notDeepEqual(v.dataSync(), before, 'the variable did not move');
  const numBefore = tf.memory().numTensors;
  step();
  assert.equal(tf.memory().numTensors, numBefore, 'a step leaked tensors');
  tf.dispose([held, v]);
  optimizer.dispose();
});

test('after an update in place, the backend’s own kernels use the new weights, not a cached packing', async () => {
  assert.ok(await tf.setBackend('wasm'));
  // conv1's shape runs on XNNPACK, which keeps the filter packed under its data's id.
  const w = tf.variable(tf.tensor(values(800, 11), [5, 5, 1, 32]), true, 'conv-w');
  const x = tf.tensor(values(2 * 28 * 28, 12), [2, 28, 28, 1]) as tf.Tensor4D;
  const optimizer = new FusedAdamOptimizer(1e-1, 0.9, 0.999);
  const step = (): void => {
    const grads = [{ name: w.name, tensor: tf.tensor(values(800, 13), [5, 5, 1, 32]) }];
    optimizer.applyGradients(grads);
    tf.dispose(grads[0]!.tensor);
  };
  step(); // the variable alone holds its data from here on: the next step writes over it
  tf.conv2d(x, w as tf.Tensor4D, 1, 'same').dispose(); // packs the current filter
  step();
  const got = tf.conv2d(x, w as tf.Tensor4D, 1, 'same');
  const copy = tf.tensor4d(w.dataSync(), [5, 5, 1, 32]); // new data, never packed
  const want = tf.conv2d(x, copy, 1, 'same');
  assert.deepEqual(got.dataSync(), want.dataSync());
  tf.dispose([w, x, got, copy, want]);
  optimizer.dispose();
});
