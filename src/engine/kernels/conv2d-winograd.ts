// Conv2D and FusedConv2D for the wasm backend: 5×5, stride 1, SAME convolutions with channel
// counts that suit SIMD (the CNN's conv2: 32 → 64) run as Winograd F(4×4, 5×5)
// (./wasm/conv5x5.c), which needs 4.8× fewer multiplications on conv2's 14×14 than XNNPACK's
// direct kernel; other stride-1 convolutions with filters in eights (conv1, a learner's 3×3)
// directly on the kernel threads (./conv-direct.ts); the rest by the backend's own kernel. Gradients are unaffected: they are defined on the kernel's inputs.
import type {
  Conv2DAttrs,
  FusedConv2DAttrs,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs';
import { computeConv2DInfo, reluOrLinear } from './kernel-util.ts';
import { convolve, filterGradient, type ConvShape } from './wasm/winograd.ts';
import { kernelThreadsFor, offsetIn, sizeOf, type WasmBackendLike } from './heap-backend.ts';
import { convDirect, fitsDirect } from './conv-direct.ts';

interface Conv {
  x: TensorInfo;
  filter: TensorInfo;
  bias?: TensorInfo;
  relu: boolean;
  attrs: Conv2DAttrs;
}

type Conv2DInfo = ReturnType<typeof computeConv2DInfo>;

/** 5×5, stride 1, SAME (2 before), NHWC, channel counts that suit the SIMD micro-kernels. */
function fitsWinograd(info: Conv2DInfo): boolean {
  return (
    info.dataFormat === 'channelsLast' &&
    info.filterHeight === 5 &&
    info.filterWidth === 5 &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    info.padInfo.top === 2 &&
    info.padInfo.left === 2 &&
    info.outHeight === info.inHeight &&
    info.outWidth === info.inWidth &&
    info.inChannels % 4 === 0 &&
    info.outChannels % 8 === 0
  );
}

const shapeOf = (info: Conv2DInfo): ConvShape => ({
  n: info.batchSize,
  height: info.inHeight,
  width: info.inWidth,
  inChannels: info.inChannels,
  outChannels: info.outChannels,
});

/**
 * Conv2DBackpropFilter by Winograd F(5×5, 4×4) if `info` (the forward convolution's) fits, into a
 * new [5, 5, C, K] output; null if it does not fit.
 */
export function winogradFilterGradient(
  backend: WasmBackendLike,
  x: TensorInfo,
  dy: TensorInfo,
  info: Conv2DInfo,
): TensorInfo | null {
  if (x.dtype !== 'float32' || dy.dtype !== 'float32' || !fitsWinograd(info)) return null;
  const out = backend.makeOutput([5, 5, info.inChannels, info.outChannels], 'float32');
  const at = offsetIn(backend);
  filterGradient(kernelThreadsFor(backend), {
    x: at(x),
    dy: at(dy),
    dw: at(out),
    ...shapeOf(info),
  });
  return out;
}

/** Runs `conv` by Winograd or else directly if it fits, into a new output; null if neither fits. */
function ours(backend: WasmBackendLike, conv: Conv): TensorInfo | null {
  const { x, filter, bias, attrs } = conv;
  if (x.dtype !== 'float32' || filter.dtype !== 'float32' || attrs.dataFormat !== 'NHWC') {
    return null;
  }
  const info = computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  if (bias !== undefined && (bias.dtype !== 'float32' || sizeOf(bias) !== info.outChannels)) {
    return null;
  }
  if (!fitsWinograd(info)) {
    return fitsDirect(info) ? convDirect(backend, x, filter, bias, conv.relu, info) : null;
  }
  const out = backend.makeOutput(info.outShape, 'float32');
  const at = offsetIn(backend);
  convolve(kernelThreadsFor(backend), {
    x: at(x),
    filter: at(filter),
    bias: bias === undefined ? null : at(bias),
    y: at(out),
    ...shapeOf(info),
    relu: conv.relu,
  });
  return out;
}

export function conv2DConfig(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
    const attrs = args.attrs as unknown as Conv2DAttrs;
    const backend = args.backend as unknown as WasmBackendLike;
    return ours(backend, { x, filter, relu: false, attrs }) ?? original.kernelFunc(args);
  };
  return { ...original, kernelFunc };
}

export function fusedConv2DConfig(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as {
      x: TensorInfo;
      filter: TensorInfo;
      bias?: TensorInfo;
      preluActivationWeights?: TensorInfo;
    };
    const attrs = args.attrs as unknown as FusedConv2DAttrs;
    const { activation } = attrs;
    const backend = args.backend as unknown as WasmBackendLike;
    const simple = reluOrLinear(activation, preluActivationWeights);
    const conv = { x, filter, bias, relu: activation === 'relu', attrs };
    return (simple ? ours(backend, conv) : null) ?? original.kernelFunc(args);
  };
  return { ...original, kernelFunc };
}
