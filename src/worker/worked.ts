// The tutorial's out = Σ w·in + b, worked with the real numbers: for one output pixel of one
// filter of a convolution layer, the k×k×C patch of the layer's input it came from (zeros where
// SAME padding reaches past the border), the filter's weights, their products, the sum, the bias
// and the activation, and the region of the input image that pixel sees. Read from the model's
// own tensors for the image, so it is what the network computed, not a re-enactment. The Inside
// view's building block (issue 16); the unit test holds it to tfjs's layer output.
import * as tf from '@tensorflow/tfjs';
import { IMAGE_HEIGHT, IMAGE_WIDTH, batchShape } from '../shared/dataset.ts';
import { padsOf } from '../shared/network-shapes.ts';
import type { LayerSpec, NetworkSpec } from '../shared/network.ts';

export interface WorkedConvolution {
  /** The patch, weights and products, each k × k × C (row, column, input channel). */
  kernel: number;
  channels: number;
  patch: Float32Array;
  weights: Float32Array;
  products: Float32Array;
  /** Σ products. */
  sum: number;
  bias: number;
  /** sum + bias, and the activation of it (the layer's output at that pixel). */
  preActivation: number;
  output: number;
  activation: string;
  /** The patch's top-left in the layer's input; negative where SAME padding starts outside. */
  top: number;
  left: number;
  /** The part of the input image this output pixel sees: [top, left, bottom, right], inclusive. */
  field: [number, number, number, number];
}

const ACTIVATE: Record<string, (x: number) => number> = {
  relu: (x) => Math.max(0, x),
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  linear: (x) => x,
};

/** The input image's rows (or columns) that output rows a..b of layer `upTo` depend on. */
function fieldOf(
  layers: readonly LayerSpec[],
  upTo: number,
  a: number,
  b: number,
  size: number,
): [number, number] {
  // Sizes along one axis before each layer, then walk back from `upTo` to the image.
  const sizes = [size];
  for (const l of layers.slice(0, upTo)) {
    const n = sizes.at(-1)!;
    if (l.kind === 'conv')
      sizes.push(
        l.padding === 'same' ? Math.ceil(n / l.stride) : Math.floor((n - l.kernel) / l.stride) + 1,
      );
    else if (l.kind === 'maxpool' || l.kind === 'avgpool')
      sizes.push(
        l.padding === 'same' ? Math.ceil(n / l.stride) : Math.floor((n - l.size) / l.stride) + 1,
      );
    else sizes.push(n);
  }
  for (let i = upTo; i >= 0; i--) {
    const l = layers[i]!;
    const n = sizes[i]!;
    if (l.kind !== 'conv' && l.kind !== 'maxpool' && l.kind !== 'avgpool') continue;
    const k = l.kind === 'conv' ? l.kernel : l.size;
    const [before] = padsOf(n, k, l.stride, l.padding);
    [a, b] = [Math.max(0, a * l.stride - before), Math.min(n - 1, b * l.stride - before + k - 1)];
  }
  return [a, b];
}

/**
 * The worked numbers of conv layer `index` (of `spec`, as `model` was built from it) at output
 * row `y`, column `x`, filter `filter`, for `pixels`. Throws RangeError for a layer that is not a
 * convolution or a position outside its output.
 */
export function workedConvolution(
  model: tf.LayersModel,
  spec: NetworkSpec,
  pixels: Float32Array,
  index: number,
  y: number,
  x: number,
  filter: number,
): WorkedConvolution {
  const l = spec.layers[index];
  if (l?.kind !== 'conv') throw new RangeError(`layer ${index + 1} is not a convolution`);
  const layer = model.layers[index]!;
  const [, h, w, filters] = layer.outputShape as number[];
  if (!(y >= 0 && y < h! && x >= 0 && x < w! && filter >= 0 && filter < filters!))
    throw new RangeError(
      `(${y}, ${x}) filter ${filter} is outside the layer's ${h}×${w}×${filters} output`,
    );
  const input = tf.tidy(() => {
    const image = tf.tensor4d(pixels, batchShape(1));
    if (index === 0) return image;
    const probe = tf.model({
      inputs: model.inputs,
      outputs: model.layers[index - 1]!.output as tf.SymbolicTensor,
    });
    return probe.predict(image) as tf.Tensor;
  });
  const [, inH, inW, channels] = input.shape as number[];
  const values = input.dataSync();
  input.dispose();
  const [kernelT, biasT] = layer.getWeights();
  const kernel = kernelT!.dataSync(); // [k, k, C, F]
  const bias = biasT!.dataSync()[filter]!;
  const k = l.kernel;
  const top = y * l.stride - padsOf(inH!, k, l.stride, l.padding)[0];
  const left = x * l.stride - padsOf(inW!, k, l.stride, l.padding)[0];
  const size = k * k * channels!;
  const patch = new Float32Array(size);
  const weights = new Float32Array(size);
  const products = new Float32Array(size);
  let sum = 0;
  for (let ky = 0; ky < k; ky++)
    for (let kx = 0; kx < k; kx++)
      for (let c = 0; c < channels!; c++) {
        const [iy, ix] = [top + ky, left + kx];
        const inside = iy >= 0 && iy < inH! && ix >= 0 && ix < inW!;
        const i = (ky * k + kx) * channels! + c;
        patch[i] = inside ? values[(iy * inW! + ix) * channels! + c]! : 0;
        weights[i] = kernel[i * filters! + filter]!;
        products[i] = patch[i]! * weights[i]!;
        sum += products[i]!;
      }
  const preActivation = sum + bias;
  const [r0, r1] = fieldOf(spec.layers, index, y, y, IMAGE_HEIGHT);
  const [c0, c1] = fieldOf(spec.layers, index, x, x, IMAGE_WIDTH);
  return {
    kernel: k,
    channels: channels!,
    patch,
    weights,
    products,
    sum,
    bias,
    preActivation,
    output: ACTIVATE[l.activation]!(preActivation),
    activation: l.activation,
    top,
    left,
    field: [r0, c0, r1, c1],
  };
}
