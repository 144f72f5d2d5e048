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
    const reversed = run(o.reverse, { x: filter }, backend, { dims: [0, 1] });
    const flipped = transpose(o, reversed, [0, 1, 3, 2], backend);
    const dx = run(o.conv2D, { x: dy, filter: flipped }, backend, {
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
    dispose(backend, reversed, flipped);
    return dx;
  };
  // Keep the original setup: its fallback path needs the cwrap it creates.
  return { ...original, kernelFunc };
}
