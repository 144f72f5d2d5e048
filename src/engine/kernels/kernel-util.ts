// Helpers for building wasm kernels out of the wasm backend's own kernel functions.
import * as tf from '@tensorflow/tfjs';
import type {
  DataId,
  KernelConfig,
  NamedAttrMap,
  NamedTensorInfoMap,
  TensorInfo,
} from '@tensorflow/tfjs';

/** The part of the wasm backend the composed kernels touch. */
export interface KernelBackendLike {
  disposeData(dataId: DataId, force?: boolean): boolean;
}

/**
 * The wasm backend's kernels we compose, captured before any of them is overridden; conv2D is
 * ours, which is the backend's own except where Winograd fits.
 */
export interface WasmOriginals {
  conv2D: KernelConfig;
  transpose: KernelConfig;
  reverse: KernelConfig;
  batchMatMul: KernelConfig;
  conv2DBackpropInput: KernelConfig;
  maxPoolGrad: KernelConfig;
  fusedMatMul: KernelConfig;
  add: KernelConfig;
  relu: KernelConfig;
}

/** Runs one kernel function directly (no engine bookkeeping); the caller owns the result. */
export function run(
  config: KernelConfig,
  inputs: NamedTensorInfoMap,
  backend: KernelBackendLike,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const out = config.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) {
    throw new Error(`wasm kernel ${config.kernelName} returned ${out.length} outputs, expected 1`);
  }
  return out;
}

export function transpose(
  o: WasmOriginals,
  x: TensorInfo,
  perm: number[],
  backend: KernelBackendLike,
): TensorInfo {
  return run(o.transpose, { x }, backend, { perm });
}

/** A view of the same data with another shape (wasm tensors are dense and row-major). */
export function view(x: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: x.dataId, shape, dtype: x.dtype };
}

export function dispose(backend: KernelBackendLike, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** A fused op's activation that our kernels apply themselves: none, or ReLU (never PReLU). */
export function reluOrLinear(activation: string | undefined, prelu: unknown): boolean {
  return (activation === 'linear' || activation === 'relu') && !prelu;
}

export function asPair(v: [number, number] | number): [number, number] {
  return typeof v === 'number' ? [v, v] : v;
}

export function isUnitStride(strides: [number, number] | number): boolean {
  const [h, w] = asPair(strides);
  return h === 1 && w === 1;
}

export const { computeConv2DInfo, convertConv2DDataFormat } = tf.backend_util;
