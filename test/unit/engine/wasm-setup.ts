// The wasm backend with our kernels, for the kernel tests: registered and made active before a
// file's tests, how many times one of our kernels has run on it, and the convolutions they run.
import assert from 'node:assert/strict';
import { before } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import {
  kernelThreadsFor,
  type WasmBackendLike,
} from '../../../src/engine/kernels/heap-backend.ts';
import type { Op } from '../../../src/engine/kernels/wasm/threads.ts';
import { registerWasmTrainingKernels } from '../../../src/engine/wasm-kernels.ts';

/** Registers our wasm kernels and makes wasm the backend before this file's tests. */
export function onWasm(): void {
  before(async () => {
    registerWasmTrainingKernels();
    assert.ok(await tf.setBackend('wasm'));
  });
}

/** How many times our kernel `op` has run on the wasm backend (which this makes active). */
export async function kernelRuns(op: Op): Promise<number> {
  assert.ok(await tf.setBackend('wasm'));
  return kernelThreadsFor(tf.backend() as unknown as WasmBackendLike).runs[op];
}

export type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

/**
 * A convolution of (x, filter, bias?): tf.conv2d without an activation (the Conv2D kernel), else
 * tf.fused.conv2d with it (FusedConv2D, as a layer runs outside training).
 */
export const conv =
  (pad: Pad, activation?: 'relu' | 'linear' | 'elu', strides = 1) =>
  (x?: tf.Tensor, w?: tf.Tensor, b?: tf.Tensor): tf.Tensor =>
    activation === undefined
      ? tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, strides, pad)
      : tf.fused.conv2d({
          x: x as tf.Tensor4D,
          filter: w as tf.Tensor4D,
          bias: b,
          strides,
          pad,
          activation,
        });
