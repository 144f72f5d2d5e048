// Identity for the wasm backend that shares the data instead of copying it, as tfjs-cpu's does
// (and the wasm backend's own Reshape). tfjs calls it for every tensor a gradient needs later
// (Engine.saveTensorsForBackwardMode clones them): the dense layer's 3136×1000 weights and every
// activation, ~7 ms of copies a training step (BENCHMARKS.md). Nothing in tfjs writes to a
// tensor's memory after making it; our in-place Adam writes only to data nothing else shares.
// Cast to the dtype a tensor already has is the same copy (ReLU's gradient casts its Step, a
// float32, to float32: ~1.5 ms a step for conv1 and conv2), so it shares too.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';

interface RefCounting {
  incRef(dataId: TensorInfo['dataId']): void;
}

const refCounting = (b: unknown): b is RefCounting =>
  typeof (b as Partial<RefCounting> | null)?.incRef === 'function';

/** x's data under `dtype`, shared rather than copied, if that is x's own dtype; else null. */
function shared(args: Parameters<KernelFunc>[0], dtype: TensorInfo['dtype']): TensorInfo | null {
  const { x } = args.inputs as { x: TensorInfo };
  if (x.dtype !== dtype || x.dtype === 'string' || !refCounting(args.backend)) return null;
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype };
}

export function identityConfig(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) =>
    shared(args, (args.inputs as { x: TensorInfo }).x.dtype) ?? original.kernelFunc(args);
  return { ...original, kernelFunc };
}

export function castConfig(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) =>
    shared(args, (args.attrs as { dtype: TensorInfo['dtype'] }).dtype) ?? original.kernelFunc(args);
  return { ...original, kernelFunc };
}
