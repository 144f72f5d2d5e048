// MaxPool and MaxPoolGrad for the wasm backend (./wasm/max-pool.c), images split across the kernel
// threads, with tfjs-cpu's results. wasm's MaxPool runs XNNPACK on the backend's own thread pool;
// its MaxPoolGrad recomputes the argmax with a generic 3-D pooling loop and then gathers per input
// pixel, where ours scatters each window's gradient to its first maximum, four channels at a time.
import { backend_util } from '@tensorflow/tfjs';
import type {
  KernelConfig,
  KernelFunc,
  MaxPoolAttrs,
  MaxPoolGradAttrs,
  TensorInfo,
} from '@tensorflow/tfjs';
import { isHeapBackend, kernelThreadsFor, offsetIn, type WasmBackendLike } from './heap-backend.ts';
import type { WasmOriginals } from './kernel-util.ts';

// Below this many window outputs per thread, waking a helper costs more than it saves.
const MIN_OUTPUTS_PER_THREAD = 20_000;

type PoolInfo = backend_util.Conv2DInfo;

function poolInfo(x: TensorInfo, attrs: MaxPoolAttrs): PoolInfo {
  const { filterSize, strides, pad, dimRoundingMode } = attrs;
  const shape = x.shape as [number, number, number, number];
  return backend_util.computePool2DInfo(shape, filterSize, strides, 1, pad, dimRoundingMode);
}

/**
 * Runs `op` over the images of `info` on as many threads as pay: thread i gets [...head, the
 * Pool's address, first image, end image, its scratch of `scratchInts` ints].
 */
function pooled(
  backend: WasmBackendLike,
  op: 'maxPool' | 'maxPoolGrad',
  info: PoolInfo,
  scratchInts: number,
  head: number[],
): void {
  const t = kernelThreadsFor(backend);
  const outputs = info.batchSize * info.outHeight * info.outWidth * info.inChannels;
  const threads = t.threadsFor(
    Math.min(info.batchSize, Math.floor(outputs / MIN_OUTPUTS_PER_THREAD)),
  );
  const [shape, ...scratch] = t.buffers([
    13 * 4,
    ...Array.from({ length: threads }, () => scratchInts * 4),
  ]);
  // struct Pool in max-pool.c.
  new Int32Array(t.memory.buffer, shape, 13).set([
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.effectiveFilterHeight,
    info.effectiveFilterWidth,
    info.padInfo.top,
    info.padInfo.left,
  ]);
  t.ranges(op, threads, { units: info.batchSize }, (i) => [[...head, shape!], [scratch[i]!]]);
}

const windowCells = (info: PoolInfo): number =>
  info.effectiveFilterHeight * info.effectiveFilterWidth;

export function maxPoolConfig(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { backend, attrs } = args;
    const { x } = args.inputs as { x: TensorInfo };
    if (!isHeapBackend(backend) || x.dtype !== 'float32' || x.shape.length !== 4) {
      return original.kernelFunc(args);
    }
    const info = poolInfo(x, attrs as unknown as MaxPoolAttrs);
    const out = backend.makeOutput(info.outShape, 'float32');
    const at = offsetIn(backend);
    pooled(backend, 'maxPool', info, windowCells(info), [at(x), at(out)]);
    return out;
  };
  return { ...original, kernelFunc };
}

export function maxPoolGradConfig(o: WasmOriginals): KernelConfig {
  const original = o.maxPoolGrad;
  const kernelFunc: KernelFunc = (args) => {
    const { inputs, backend, attrs } = args;
    const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
    if (!isHeapBackend(backend) || input.dtype !== 'float32' || dy.dtype !== 'float32') {
      return original.kernelFunc(args);
    }
    const info = poolInfo(input, attrs as unknown as MaxPoolGradAttrs);
    const out = backend.makeOutput(input.shape, 'float32');
    const at = offsetIn(backend);
    // Per thread: each channel's argmax, then the window's cells (max-pool.c).
    const scratchInts = info.inChannels + windowCells(info);
    pooled(backend, 'maxPoolGrad', info, scratchInts, [at(input), at(dy), at(out)]);
    return out;
  };
  return { ...original, kernelFunc };
}
