// Runs the same computation on two tfjs backends and compares the results numerically.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';

/** Deterministic pseudo-random values in [-1, 1) (mulberry32): both backends see equal inputs. */
export function values(size: number, seed: number, quantise?: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out[i] = quantise === undefined ? u * 2 - 1 : Math.round((u * 2 - 1) * quantise) / quantise;
  }
  return out;
}

export interface Input {
  shape: number[];
  data: Float32Array;
}

export function input(shape: number[], seed: number, quantise?: number): Input {
  return {
    shape,
    data: values(
      shape.reduce((a, b) => a * b, 1),
      seed,
      quantise,
    ),
  };
}

/** Runs `fn` on `backend` with fresh tensors made from `inputs`; returns its outputs' values. */
export async function runOn(
  backend: string,
  inputs: Input[],
  fn: (...ts: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
): Promise<{ shape: number[]; data: Float32Array }[]> {
  assert.ok(await tf.setBackend(backend), `backend ${backend} failed to start`);
  const ts = inputs.map((i) => tf.tensor(i.data, i.shape));
  const before = tf.memory().numTensors;
  // Counts the backend's buffers, which a kernel's disposed-too-late intermediates would leave.
  const buffersBefore = tf.engine().backend.numDataIds();
  const outs = tf.tidy(() => {
    const r = fn(...ts);
    return Array.isArray(r) ? r : [r];
  });
  const result = await Promise.all(
    outs.map(async (t) => ({ shape: t.shape, data: (await t.data()) as Float32Array })),
  );
  tf.dispose(outs);
  assert.equal(tf.memory().numTensors, before, `${backend}: the computation leaked tensors`);
  assert.equal(tf.engine().backend.numDataIds(), buffersBefore, `${backend}: a kernel leaked`);
  tf.dispose(ts);
  return result;
}

/** Error relative to the largest reference value: float32 sums reorder, so no per-element rtol. */
export function assertClose(
  actual: { shape: number[]; data: Float32Array },
  expected: { shape: number[]; data: Float32Array },
  what: string,
  rtol = 1e-4,
): void {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  let scale = 0;
  for (const v of expected.data) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.data.length; i++) {
    const d = Math.abs(actual.data[i]! - expected.data[i]!);
    if (!(d <= worst)) [worst, at] = [d, i];
  }
  assert.ok(scale > 0, `${what}: the reference is all zeros, a useless test`);
  assert.ok(
    worst <= rtol * scale,
    `${what}: element ${at} is ${actual.data[at]} but cpu says ${expected.data[at]} ` +
      `(error ${worst.toExponential(2)} > ${rtol} x ${scale.toExponential(2)})`,
  );
}

/** Runs `fn` on wasm and on cpu and compares every output. */
export async function compareWithCpu(
  what: string,
  inputs: Input[],
  fn: (...ts: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
  rtol = 1e-4,
): Promise<void> {
  const got = await runOn('wasm', inputs, fn);
  const want = await runOn('cpu', inputs, fn);
  assert.equal(got.length, want.length);
  got.forEach((g, i) => assertClose(g, want[i]!, `${what} [output ${i}]`, rtol));
}
