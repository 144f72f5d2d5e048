// The fused Adam step (src/model/fused-adam.ts) for the wasm backend: one pass over a weight, its
// two moments and its gradient (./wasm/adam.c), the elements split across the kernel threads.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { AdamStepAttrs } from '../../model/fused-adam.ts';
import { isHeapBackend, kernelThreadsFor, offsetIn, sizeOf } from './heap-backend.ts';
import type { KernelThreads } from './wasm/threads.ts';

// The name FusedAdamOptimizer looks for (ADAM_STEP in src/model/fused-adam.ts; fused-adam.test
// finds this kernel under it). Not imported from there: this module is loaded lazily, and in the
// build, importing a module of the worker's own would make this chunk import the worker's entry.
const ADAM_STEP = 'CnnStudioAdamStep';
// Below this many elements per thread, waking a helper costs more than it saves.
const MIN_ELEMENTS_PER_THREAD = 32_768;
// struct Job in adam.c: nine addresses, then six float32 constants.
const JOB_ADDRESSES = 9;
const JOB_BYTES = (JOB_ADDRESSES + 6) * 4;

interface AdamInputs {
  value: TensorInfo;
  m: TensorInfo;
  v: TensorInfo;
  gradient: TensorInfo;
  accBeta1: TensorInfo;
  accBeta2: TensorInfo;
}

/** Writes the job and returns its address (in the workspace, until the next kernel's buffers). */
function writeJob(t: KernelThreads, addresses: number[], a: AdamStepAttrs): number {
  const [job] = t.buffers([JOB_BYTES]);
  new Int32Array(t.memory.buffer, job!, JOB_ADDRESSES).set(addresses);
  // Float32Array rounds each as tfjs rounds a JavaScript number into a float32 scalar tensor;
  // 1 - β is computed in double first, as tfjs's `mul(gradient, 1 - this.beta1)` does.
  new Float32Array(t.memory.buffer, job! + JOB_ADDRESSES * 4, 6).set([
    a.beta1,
    a.beta2,
    1 - a.beta1,
    1 - a.beta2,
    -a.learningRate,
    a.epsilon,
  ]);
  return job!;
}

export const adamStepConfig: KernelConfig = {
  kernelName: ADAM_STEP,
  backendName: 'wasm',
  kernelFunc: (({ inputs, backend, attrs }) => {
    const x = inputs as unknown as AdamInputs;
    const all = [x.value, x.m, x.v, x.gradient, x.accBeta1, x.accBeta2];
    if (!isHeapBackend(backend) || all.some((t) => t.dtype !== 'float32')) {
      throw new Error(`${ADAM_STEP} needs float32 tensors on the wasm backend`);
    }
    const n = sizeOf(x.value);
    if ([x.m, x.v, x.gradient].some((t) => sizeOf(t) !== n)) {
      throw new Error(`${ADAM_STEP}: the weight, its moments and its gradient differ in size`);
    }
    const outs = [0, 1, 2].map(() => backend.makeOutput(x.value.shape, 'float32'));
    const t = kernelThreadsFor(backend);
    const at = offsetIn(backend);
    const job = writeJob(t, [...all.map(at), ...outs.map(at)], attrs as unknown as AdamStepAttrs);
    const threads = t.threadsFor(Math.floor(n / MIN_ELEMENTS_PER_THREAD));
    // Shares start at multiples of 4 (the kernel's vectors); each element is computed alone, so
    // any split gives the same bits.
    const quads = Math.ceil(n / 4);
    t.parallel('adam', threads, (i) => [
      job,
      Math.min(n, 4 * Math.floor((quads * i) / threads)),
      Math.min(n, 4 * Math.floor((quads * (i + 1)) / threads)),
    ]);
    return outs;
  }) as KernelFunc,
};
