// The part of tfjs's wasm backend our C kernels (./wasm/) need: its memory, where each tensor
// lives in it, and new outputs; and the kernel threads, one set per backend.
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import type { DataId, TensorInfo } from '@tensorflow/tfjs';
import { KernelThreads, type WasmHeapModule } from './wasm/threads.ts';

export interface WasmBackendLike {
  wasm: WasmHeapModule;
  dataIdMap: { get(dataId: DataId): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
}

/** Whether `b` is a wasm backend with a heap our kernels can work in (else: use the original). */
export function isHeapBackend(b: unknown): b is WasmBackendLike {
  const o = b as Partial<WasmBackendLike> | null;
  return (
    typeof o?.makeOutput === 'function' &&
    typeof o.dataIdMap?.get === 'function' &&
    typeof o.wasm?._malloc === 'function'
  );
}

const threads = new WeakMap<object, KernelThreads>();

/**
 * The backend's kernel threads, made (and their helper threads started) on first use: `count`
 * (the engine's choice, see startKernelThreads; tests) or as many as the backend's own pool.
 */
export function kernelThreadsFor(backend: WasmBackendLike, count?: number): KernelThreads {
  let t = threads.get(backend);
  if (t === undefined) {
    t = new KernelThreads(backend.wasm, count ?? getThreadsCount());
    threads.set(backend, t);
  }
  return t;
}

/** A tensor's byte offset in the backend's memory. */
export const offsetIn =
  (backend: WasmBackendLike) =>
  (t: TensorInfo): number =>
    backend.dataIdMap.get(t.dataId)!.memoryOffset;

export const sizeOf = (t: TensorInfo): number => t.shape.reduce((a, b) => a * b, 1);
