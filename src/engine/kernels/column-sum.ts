// Sum for the wasm backend where it sums every axis but the last (a bias's gradient: conv1's sums
// [50, 28, 28, 32] to [32]): the backend's own transposes the whole tensor first so that the
// summed axes are innermost; ./wasm/filter-grad-direct.c's columnSum adds the rows in place.
import { util } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, SumAttrs, TensorInfo } from '@tensorflow/tfjs';
import { isHeapBackend, kernelThreadsFor, offsetIn } from './heap-backend.ts';

/** Whether summing `axis` of `shape` leaves exactly its last axis. */
function leavesLastAxis(shape: number[], axis: number | number[]): boolean {
  const axes = util.parseAxisParam(axis, shape).sort((a, b) => a - b);
  return shape.length >= 2 && axes.length === shape.length - 1 && axes.every((a, i) => a === i);
}

export function sumConfig(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { inputs, backend, attrs } = args;
    const { x } = inputs as { x: TensorInfo };
    const { axis, keepDims } = attrs as unknown as SumAttrs;
    const cols = x.shape.at(-1) ?? 0;
    if (
      !isHeapBackend(backend) ||
      x.dtype !== 'float32' ||
      cols % 4 !== 0 ||
      !leavesLastAxis(x.shape, axis)
    ) {
      return original.kernelFunc(args);
    }
    const shape = keepDims ? [...x.shape.slice(0, -1).map(() => 1), cols] : [cols];
    const out = backend.makeOutput(shape, 'float32');
    const at = offsetIn(backend);
    const rows = util.sizeFromShape(x.shape) / cols;
    kernelThreadsFor(backend).exports.columnSum(at(x), at(out), rows, cols);
    return out;
  };
  return { ...original, kernelFunc };
}
