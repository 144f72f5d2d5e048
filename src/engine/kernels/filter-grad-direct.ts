// Conv2DBackpropFilter computed directly (./wasm/filter-grad-direct.c) for stride-1 convolutions
// (Winograd takes conv2's): the transposed formulation (conv-backprop-filter.ts) makes conv1's a
// convolution over a batch of one channel, which XNNPACK runs slowly, and XNNPACK runs on one
// thread now (wasm-threads.ts): a learner's 3×3 32 → 64 layer took 14.3 ms that way on two, 36
// on one, 7.6 here.
import type { TensorInfo } from '@tensorflow/tfjs';
import type { computeConv2DInfo } from './kernel-util.ts';
import { kernelThreadsFor, offsetIn, type WasmBackendLike } from './heap-backend.ts';

type Conv2DInfo = ReturnType<typeof computeConv2DInfo>;

// Partial sums over images, added in order at the end: fixed by the job alone (not the number of
// threads), so 1 to 4 threads give the same bits.
const PARTS = 12;
// Below this many multiply-adds per thread, waking a helper costs more than it saves.
const MIN_MACS_PER_THREAD = 2_000_000;

function fits(info: Conv2DInfo): boolean {
  return (
    info.dataFormat === 'channelsLast' &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    info.outChannels % 4 === 0
  );
}

/** dw [fh, fw, C, K] for the forward convolution `info` of x that gave dy; null if it does not fit. */
export function directFilterGradient(
  backend: WasmBackendLike,
  x: TensorInfo,
  dy: TensorInfo,
  info: Conv2DInfo,
): TensorInfo | null {
  if (x.dtype !== 'float32' || dy.dtype !== 'float32' || !fits(info)) return null;
  const { batchSize: n, inChannels: c, outChannels: k, filterHeight: fh, filterWidth: fw } = info;
  const out = backend.makeOutput([fh, fw, c, k], 'float32');
  const t = kernelThreadsFor(backend);
  const size = fh * fw * c * k;
  const parts = Math.min(PARTS, n);
  const macs = n * info.outHeight * info.outWidth * size;
  const threads = t.threadsFor(Math.min(parts, Math.floor(macs / MIN_MACS_PER_THREAD)));
  const [shape, m] = t.buffers([11 * 4, parts * size * 4]);
  // struct Shape in filter-grad-direct.c.
  new Int32Array(t.memory.buffer, shape, 11).set([
    n,
    info.inHeight,
    info.inWidth,
    c,
    info.outHeight,
    info.outWidth,
    k,
    fh,
    fw,
    info.padInfo.top,
    info.padInfo.left,
  ]);
  const at = offsetIn(backend);
  const head = [at(x), at(dy), m!, shape!, parts];
  t.ranges('filterGradDirectParts', threads, { units: parts }, () => [head, []]);
  t.exports.sumParts(m!, parts, size, at(out));
  return out;
}
