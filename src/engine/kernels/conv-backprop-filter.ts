// Conv2DBackpropFilter for the wasm backend, which ships without it (so it cannot train a CNN).
import { Conv2DBackpropFilter } from '@tensorflow/tfjs';
import type {
  Conv2DBackpropFilterAttrs,
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
import { winogradFilterGradient } from './conv2d-winograd.ts';
import { directFilterGradient } from './filter-grad-direct.ts';
import type { WasmBackendLike } from './heap-backend.ts';

/**
 * dW[a,b,ci,co] = sum over n,i,j of xpad[n,i+a,j+b,ci] * dy[n,i,j,co] (stride 1): a VALID
 * convolution whose batch is ci, whose channels are n and whose filter is dy, i.e.
 * conv(x^T [ci,h,w,n] padded like the forward pass, dy^T [ho,wo,n,co]) = [ci,fh,fw,co], then
 * transposed to [fh,fw,ci,co], on wasm's (XNNPACK) convolution. conv2's (5×5 SAME, 32 → 64)
 * runs by Winograd instead (./wasm/conv5x5.c): 4.8× fewer multiplications on 14×14, no
 * transposes; others with output channels in fours (conv1's, a learner's 3×3) directly
 * (./filter-grad-direct.ts).
 */
export function conv2DBackpropFilterConfig(o: WasmOriginals): KernelConfig {
  const kernelFunc: KernelFunc = ({ inputs, backend: b, attrs }) => {
    const backend = b as KernelBackendLike;
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
      attrs as unknown as Conv2DBackpropFilterAttrs;
    const info = computeConv2DInfo(
      x.shape as [number, number, number, number],
      filterShape,
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      convertConv2DDataFormat(dataFormat),
    );
    if (info.dataFormat !== 'channelsLast' || !isUnitStride(strides)) {
      throw new Error(
        `Conv2DBackpropFilter on the WebAssembly engine supports stride 1 and NHWC only ` +
          `(got strides ${String(strides)}, dataFormat ${dataFormat}); ` +
          `use the native or pure-JavaScript engine for this model`,
      );
    }
    const heap = b as unknown as WasmBackendLike;
    const fast =
      winogradFilterGradient(heap, x, dy, info) ?? directFilterGradient(heap, x, dy, info);
    if (fast !== null) return fast;
    const { top, bottom, left, right } = info.padInfo;
    const xT = transpose(o, x, [3, 1, 2, 0], backend);
    const dyT = transpose(o, dy, [1, 2, 0, 3], backend);
    const g = run(o.conv2D, { x: xT, filter: dyT }, backend, {
      strides: [1, 1],
      pad: [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: [1, 1],
    });
    const out = transpose(o, g, [1, 2, 0, 3], backend);
    dispose(backend, xT, dyT, g);
    return out;
  };
  return { kernelName: Conv2DBackpropFilter, backendName: 'wasm', kernelFunc };
}
