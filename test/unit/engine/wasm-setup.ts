// The wasm backend with our kernels, for the kernel tests: registered and made active before a
// file's tests, and how many times one of our kernels has run on it.
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
