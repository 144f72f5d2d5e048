// Makes tfjs's WebAssembly backend able to train the CNN, and fast at it, by registering
// training kernels composed from the kernels it already has (see ./kernels/).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm'; // registers backend 'wasm' and its kernels
import type { KernelConfig } from '@tensorflow/tfjs';
import { adamStepConfig } from './kernels/adam.ts';
import { batchMatMulConfig } from './kernels/batch-matmul.ts';
import { conv2DBackpropFilterConfig } from './kernels/conv-backprop-filter.ts';
import { conv2DBackpropInputConfig } from './kernels/conv-backprop-input.ts';
import { conv2DConfig, fusedConv2DConfig } from './kernels/conv2d-winograd.ts';
import { kernelThreadsFor, type WasmBackendLike } from './kernels/heap-backend.ts';
import type { KernelThreads } from './kernels/wasm/threads.ts';

export { relaxedSimd } from './kernels/wasm/threads.ts';
import { fusedMatMulConfig } from './kernels/fused-matmul.ts';
import { castConfig, identityConfig } from './kernels/identity.ts';
import {
  addConfig,
  reluConfig,
  reluGradient,
  reluGradKernelConfig,
} from './kernels/elementwise.ts';
import { maxPoolConfig, maxPoolGradConfig } from './kernels/max-pool.ts';
import { sumConfig } from './kernels/column-sum.ts';
import type { WasmOriginals } from './kernels/kernel-util.ts';

// Marks our configs in tfjs's (process-global) kernel registry, so a second call, even from a
// second copy of this module, neither re-registers nor captures our kernels as "originals".
const MARK = Symbol.for('cnn-studio.wasm-training-kernel');

function original(kernelName: string): KernelConfig {
  const config = tf.getKernel(kernelName, 'wasm');
  if (config === undefined) {
    throw new Error(`The WebAssembly backend has no '${kernelName}' kernel to build on`);
  }
  return config;
}

function isOurs(config: KernelConfig | undefined): boolean {
  return config !== undefined && MARK in config;
}

function replace(config: KernelConfig): void {
  if (tf.getKernel(config.kernelName, 'wasm') !== undefined) {
    tf.unregisterKernel(config.kernelName, 'wasm');
  }
  tf.registerKernel(Object.assign(config, { [MARK]: true }));
}

/**
 * Registers Conv2DBackpropFilter (missing from tfjs-backend-wasm), the fused Adam step, and faster
 * Conv2DBackpropInput, MaxPool, MaxPoolGrad, BatchMatMul, _FusedMatMul, Conv2D, FusedConv2D, Sum and
 * Identity and same-dtype Cast (shared, not copied), a bias's Add, large Relus and ReLU's gradient
 * in one pass for backend 'wasm'. Idempotent.
 * Call before the first training step; before or after tf.setBackend('wasm') both work, because each replacement keeps the
 * original's setupFunc and the kernels it composes stay registered (their setup runs when the
 * backend starts).
 */
export function registerWasmTrainingKernels(): void {
  if (isOurs(tf.getKernel(tf.BatchMatMul, 'wasm'))) return;
  // Winograd where it fits: the input gradient of conv2 is itself a 5×5 SAME conv (64 → 32).
  const conv2D = conv2DConfig(original(tf.Conv2D));
  const o: WasmOriginals = {
    conv2D,
    transpose: original(tf.Transpose),
    reverse: original(tf.Reverse),
    batchMatMul: original(tf.BatchMatMul),
    conv2DBackpropInput: original(tf.Conv2DBackpropInput),
    maxPoolGrad: original(tf.MaxPoolGrad),
    fusedMatMul: original(tf._FusedMatMul),
    add: original(tf.Add),
    relu: original(tf.Relu),
  };
  replace(conv2DBackpropFilterConfig(o));
  replace(conv2DBackpropInputConfig(o));
  replace(maxPoolGradConfig(o));
  replace(maxPoolConfig(original(tf.MaxPool)));
  replace(fusedMatMulConfig(o));
  replace(conv2D);
  replace(fusedConv2DConfig(original(tf.FusedConv2D)));
  replace(adamStepConfig);
  replace(sumConfig(original(tf.Sum)));
  replace(identityConfig(original(tf.Identity)));
  replace(castConfig(original(tf.Cast)));
  replace(addConfig(o));
  replace(reluConfig(o));
  replace(reluGradKernelConfig);
  // Relu's gradient through reluGradKernelConfig where the active backend has it (process-wide:
  // on other backends it is tfjs-core's own formula).
  tf.registerGradient(reluGradient);
  replace(batchMatMulConfig(o)); // last: it is the "already registered" marker checked above
}

/**
 * Starts our kernels' helper threads for the active wasm backend (call after
 * tf.setBackend('wasm')), `threads` in all where its memory is shared (the threaded build), so
 * that the first large convolution already has them; resolves once they run, with the runner.
 */
export async function startKernelThreads(threads: number): Promise<KernelThreads> {
  const runner = kernelThreadsFor(tf.backend() as unknown as WasmBackendLike, threads);
  await runner.whenReady();
  return runner;
}

/** How many threads our kernels run on, for the active wasm backend. */
export function kernelThreadCount(): number {
  return kernelThreadsFor(tf.backend() as unknown as WasmBackendLike).count;
}
