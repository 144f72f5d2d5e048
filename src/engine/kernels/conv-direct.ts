// Conv2D and FusedConv2D by direct convolution (./wasm/conv-direct.c) for the wasm backend: conv1
// (28×28×1 → 32) and any other stride-1 convolution Winograd does not take, output rows split
// between the kernel threads.
import type { TensorInfo } from '@tensorflow/tfjs';
import { kernelThreadsFor, offsetIn, type WasmBackendLike } from './heap-backend.ts';
import type { computeConv2DInfo } from './kernel-util.ts';

type Conv2DInfo = ReturnType<typeof computeConv2DInfo>;

// Below this many multiply-adds per thread, waking a helper costs more than it saves (one drawn
// digit through conv1 is 0.6 M).
const MIN_MACS_PER_THREAD = 2_000_000;

/** Stride 1, no dilation, NHWC, filters in multiples of 8. */
export function fitsDirect(info: Conv2DInfo): boolean {
  return (
    info.dataFormat === 'channelsLast' &&
    info.outChannels % 8 === 0 &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1
  );
}

/**
 * y = conv(x, filter) (+ bias, then ReLU if asked) into a new output, for a convolution that
 * fitsDirect; x, filter and bias (if any) float32, bias the size of the output channels.
 */
export function convDirect(
  backend: WasmBackendLike,
  x: TensorInfo,
  filter: TensorInfo,
  bias: TensorInfo | undefined,
  relu: boolean,
  info: Conv2DInfo,
): TensorInfo {
  const out = backend.makeOutput(info.outShape, 'float32');
  const t = kernelThreadsFor(backend);
  const at = offsetIn(backend);
  const { filterHeight: kh, filterWidth: kw, outHeight: oh, outWidth: ow } = info;
  const rows = info.batchSize * oh;
  const macs = rows * ow * info.outChannels * kh * kw * info.inChannels;
  const threads = t.threadsFor(Math.min(rows, Math.floor(macs / MIN_MACS_PER_THREAD)));
  const paddedBytes = (oh + kh - 1) * (ow + kw - 1) * info.inChannels * 4;
  const [shape, ...padded] = t.buffers([10 * 4, ...Array<number>(threads).fill(paddedBytes)]);
  // struct Shape in conv-direct.c.
  new Int32Array(t.memory.buffer, shape, 10).set([
    info.inHeight,
    info.inWidth,
    info.inChannels,
    kh,
    kw,
    info.outChannels,
    info.padInfo.top,
    info.padInfo.left,
    oh,
    ow,
  ]);
  const head = [at(x), at(filter), bias === undefined ? 0 : at(bias), at(out), shape!, +relu];
  t.ranges('convDirect', threads, { units: rows }, (i) => [head, [padded[i]!]]);
  return out;
}
