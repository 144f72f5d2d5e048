// MaxPoolGrad for the wasm backend: wasm's own recomputes the argmax with a generic 3-D pooling
// loop and then gathers per input pixel. Ours (./wasm/max-pool-grad.c) scatters each window's
// gradient to its first maximum, four channels at a time, images split across the kernel threads,
// with tfjs-cpu's tie-breaking.
import { backend_util } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, MaxPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs';
import { isHeapBackend, kernelThreadsFor, offsetIn } from './heap-backend.ts';
import { share } from './wasm/threads.ts';
import type { WasmOriginals } from './kernel-util.ts';

// Below this many window outputs per thread, waking a helper costs more than it saves.
const MIN_OUTPUTS_PER_THREAD = 20_000;

export function maxPoolGradConfig(o: WasmOriginals): KernelConfig {
  const original = o.maxPoolGrad;
  const kernelFunc: KernelFunc = (args) => {
    const { inputs, backend, attrs } = args;
    const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
    if (!isHeapBackend(backend) || input.dtype !== 'float32' || dy.dtype !== 'float32') {
      return original.kernelFunc(args);
    }
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
    const info = backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      filterSize,
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    const out = backend.makeOutput(input.shape, 'float32');
    const t = kernelThreadsFor(backend);
    const outputs = info.batchSize * info.outHeight * info.outWidth * info.inChannels;
    const threads = t.threadsFor(
      Math.min(info.batchSize, Math.floor(outputs / MIN_OUTPUTS_PER_THREAD)),
    );
    // Per thread: each channel's argmax, then the window's cells (max-pool-grad.c).
    const scratchInts = info.inChannels + info.effectiveFilterHeight * info.effectiveFilterWidth;
    const [shape, ...scratch] = t.buffers([
      13 * 4,
      ...Array.from({ length: threads }, () => scratchInts * 4),
    ]);
    // struct Pool in max-pool-grad.c.
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
    const at = offsetIn(backend);
    const head = [at(input), at(dy), at(out), shape!];
    // Images never share dx: any split gives the same bits.
    t.parallel('maxPoolGrad', threads, (i) => [
      ...head,
      ...share(info.batchSize, threads, i),
      scratch[i]!,
    ]);
    return out;
  };
  return { ...original, kernelFunc };
}
