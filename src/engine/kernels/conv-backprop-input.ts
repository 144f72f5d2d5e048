// Conv2DBackpropInput for the wasm backend: wasm's own is a plain loop, ~40% of a training step.
import type {
  Conv2DBackpropInputAttrs,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs';
import {
  computeConv2DInfo,
  convertConv2DDataFormat,
  dispose,
  isUnitStride,
  run,
  transpose,
} from './kernel-util.ts';
import type { KernelBackendLike, WasmOriginals } from './kernel-util.ts';
import { isHeapBackend, kernelThreadsFor, offsetIn } from './heap-backend.ts';

/**
 * The filter [fh, fw, C, K] reversed in space with its channels swapped: [fh, fw, K, C]. One copy
 * in place of wasm's Reverse (3 ms for conv2's 51 200 floats, a third of the whole gradient)
 * followed by a Transpose; those two where the backend is not one whose memory we can read.
 */
function flipped(o: WasmOriginals, filter: TensorInfo, backend: KernelBackendLike): TensorInfo {
  if (!isHeapBackend(backend) || filter.dtype !== 'float32') {
    const reversed = run(o.reverse, { x: filter }, backend, { dims: [0, 1] });
    const out = transpose(o, reversed, [0, 1, 3, 2], backend);
    dispose(backend, reversed);
    return out;
  }
  const [fh, fw, c, k] = filter.shape as [number, number, number, number];
  const out = backend.makeOutput([fh, fw, k, c], 'float32');
  const at = offsetIn(backend);
  const memory = kernelThreadsFor(backend).memory.buffer;
  const w = new Float32Array(memory, at(filter), fh * fw * c * k);
  const f = new Float32Array(memory, at(out), fh * fw * c * k);
  for (let a = 0; a < fh; a++)
    for (let b = 0; b < fw; b++) {
      const from = ((fh - 1 - a) * fw + (fw - 1 - b)) * c * k;
      const to = (a * fw + b) * k * c;
      for (let ci = 0; ci < c; ci++)
        for (let ki = 0; ki < k; ki++) f[to + ki * c + ci] = w[from + ci * k + ki]!;
    }
  return out;
}

/**
 * For stride 1, dx[p] = sum_a dy[p + top - a] * w[a] is a convolution of dy with the filter
 * reversed in space and with in/out channels swapped, padded by (fh-1-top) before and
 * (inH - outH + top) after; it runs on the fast convolution (Winograd for conv2's 5×5 64 → 32,
 * else XNNPACK). Other cases use wasm's original kernel.
 */
export function conv2DBackpropInputConfig(o: WasmOriginals): KernelConfig {
  const original = o.conv2DBackpropInput;
  const kernelFunc: KernelFunc = (args) => {
    const { inputs, backend: b, attrs } = args;
    const backend = b as KernelBackendLike;
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } =
      attrs as unknown as Conv2DBackpropInputAttrs;
    const info = computeConv2DInfo(
      inputShape,
      filter.shape as [number, number, number, number],
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      convertConv2DDataFormat(dataFormat),
    );
    const padTop = info.filterHeight - 1 - info.padInfo.top;
    const padLeft = info.filterWidth - 1 - info.padInfo.left;
    const padBottom = info.inHeight - info.outHeight + info.padInfo.top;
    const padRight = info.inWidth - info.outWidth + info.padInfo.left;
    if (
      info.dataFormat !== 'channelsLast' ||
      !isUnitStride(strides) ||
      Math.min(padTop, padLeft, padBottom, padRight) < 0
    ) {
      return original.kernelFunc(args);
    }
    const filterFlipped = flipped(o, filter, backend);
    const dx = run(o.conv2D, { x: dy, filter: filterFlipped }, backend, {
      strides: [1, 1],
      pad: [
        [0, 0],
        [padTop, padBottom],
        [padLeft, padRight],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: [1, 1],
    });
    dispose(backend, filterFlipped);
    return dx;
  };
  // Keep the original setup: its fallback path needs the cwrap it creates.
  return { ...original, kernelFunc };
}
