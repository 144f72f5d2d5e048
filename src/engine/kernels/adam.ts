// The fused Adam step (src/model/fused-adam.ts) for the wasm backend: one pass over a weight, its
// two moments and its gradient (./wasm/adam.c), the elements split across the kernel threads.
import type { DataId, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { AdamStepAttrs } from '../../model/fused-adam.ts';
import { isHeapBackend, kernelThreadsFor, offsetIn, sizeOf } from './heap-backend.ts';
import type { WasmBackendLike } from './heap-backend.ts';
import type { KernelThreads } from './wasm/threads.ts';

// The name FusedAdamOptimizer looks for (ADAM_STEP in src/model/fused-adam.ts; fused-adam.test
// finds this kernel under it). Not imported from there: this module is loaded lazily, and in the
// build, importing a module of the worker's own would make this chunk import the worker's entry.
const ADAM_STEP = 'CnnStudioAdamStep';
// Below this many elements per thread, waking a helper costs more than it saves.
const MIN_ELEMENTS_PER_THREAD = 524_288;
// struct Job in adam.c: nine addresses, then six float32 constants.
const JOB_ADDRESSES = 9;
const JOB_BYTES = (JOB_ADDRESSES + 6) * 4;

/**
 * The wasm backend's reference counts (each tensor's data may be shared by several tensors), and
 * the ids its C++ side files each tensor's data under (tfjs-backend-wasm 4.22's backend_wasm.js).
 */
interface RefCountingBackend extends WasmBackendLike {
  refCount(dataId: DataId): number;
  incRef(dataId: DataId): void;
  dataIdMap: { get(dataId: DataId): { id: number; memoryOffset: number } | undefined };
  dataIdNextNumber?: number;
  wasm: WasmBackendLike['wasm'] & {
    tfjs?: {
      disposeData?(id: number): void;
      registerTensor?(id: number, size: number, memoryOffset: number): void;
    };
  };
}

/** The parts of RefCountingBackend that an update in place needs, all there (else: new tensors). */
interface Renewable extends RefCountingBackend {
  dataIdNextNumber: number;
  wasm: RefCountingBackend['wasm'] & {
    tfjs: {
      disposeData(id: number): void;
      registerTensor(id: number, size: number, memoryOffset: number): void;
    };
  };
}

function canRenew(b: RefCountingBackend): b is Renewable {
  return (
    typeof b.dataIdNextNumber === 'number' &&
    typeof b.wasm.tfjs?.disposeData === 'function' &&
    typeof b.wasm.tfjs.registerTensor === 'function'
  );
}

function isRefCounting(b: unknown): b is RefCountingBackend {
  const o = b as Partial<RefCountingBackend>;
  return isHeapBackend(b) && typeof o.refCount === 'function' && typeof o.incRef === 'function';
}

interface AdamInputs {
  value: TensorInfo;
  m: TensorInfo;
  v: TensorInfo;
  gradient: TensorInfo;
  accBeta1: TensorInfo;
  accBeta2: TensorInfo;
}

/**
 * Where the new value of `t` goes: over `t` itself when nothing else holds its data (a variable
 * that only the optimizer reads), returned as a second reference to it; else a new tensor. Three
 * new 12.5 MB buffers per step for the dense weights, freed one step later, fragmented the heap
 * enough to grow it (RSS +90 MB over a 10-epoch run with evaluations).
 */
function inPlaceOrNew(backend: RefCountingBackend, t: TensorInfo): TensorInfo {
  const entry = backend.dataIdMap.get(t.dataId);
  if (!canRenew(backend) || entry === undefined || backend.refCount(t.dataId) !== 1) {
    return backend.makeOutput(t.shape, 'float32');
  }
  // The backend's own kernels take data as immutable: XNNPACK keeps a weight's packed copy under
  // its data's id (conv1's filter, a large batch's dense weights) until that id is disposed. So
  // the data written over gets a new id, and the old one is disposed, dropping those copies.
  backend.wasm.tfjs.disposeData(entry.id);
  entry.id = backend.dataIdNextNumber++;
  backend.wasm.tfjs.registerTensor(entry.id, sizeOf(t), entry.memoryOffset);
  backend.incRef(t.dataId);
  return { dataId: t.dataId, shape: t.shape, dtype: t.dtype };
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
    if (!isRefCounting(backend) || all.some((t) => t.dtype !== 'float32')) {
      throw new Error(`${ADAM_STEP} needs float32 tensors on the wasm backend`);
    }
    const n = sizeOf(x.value);
    if ([x.m, x.v, x.gradient].some((t) => sizeOf(t) !== n)) {
      throw new Error(`${ADAM_STEP}: the weight, its moments and its gradient differ in size`);
    }
    const outs = [x.value, x.m, x.v].map((t) => inPlaceOrNew(backend, t));
    const t = kernelThreadsFor(backend);
    const at = offsetIn(backend);
    const job = writeJob(t, [...all.map(at), ...outs.map(at)], attrs as unknown as AdamStepAttrs);
    const threads = t.threadsFor(Math.floor(n / MIN_ELEMENTS_PER_THREAD));
    // Ranges start at multiples of 4 (the kernel's vectors); each element is computed alone, so
    // any split gives the same bits.
    t.ranges('adam', threads, { units: n, step: 4 }, () => [[job], []]);
    return outs;
  }) as KernelFunc,
};
