// The tutorial's out = Σ w·in + b, worked with the real numbers: for one output pixel of one
// filter of a convolution layer, the k×k×C patch of the layer's input it came from (zeros where
// SAME padding reaches past the border), the filter's weights, their products, the sum, the bias
// and the activation, and the region of the input image that pixel sees. Read from the model's
// own tensors for the image, so it is what the network computed, not a re-enactment. The Inside
// view's building block (issue 16); the unit test holds it to tfjs's layer output.
import * as tf from '@tensorflow/tfjs';
import { IMAGE_HEIGHT, IMAGE_WIDTH, batchShape } from '../shared/dataset.ts';
import { receptiveField, windowOrigin } from '../shared/windows.ts';
import type { NetworkSpec } from '../shared/network.ts';
import type { WorkedConvolution } from '../shared/worker-protocol.ts';

const ACTIVATE: Record<string, (x: number) => number> = {
  relu: (x) => Math.max(0, x),
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  linear: (x) => x,
};

/**
 * A model from the image to layer `index`'s input, built once per model and layer (a click or an
 * arrow key asks again). Like inspect.ts's probes it shares the model's layers and owns no
 * weights, so it goes with the model and is never disposed itself.
 */
const probes = new WeakMap<tf.LayersModel, Map<number, tf.LayersModel>>();
function inputProbe(model: tf.LayersModel, index: number): tf.LayersModel {
  let byLayer = probes.get(model);
  if (!byLayer) probes.set(model, (byLayer = new Map()));
  let probe = byLayer.get(index);
  if (!probe) {
    probe = tf.model({
      inputs: model.inputs,
      outputs: model.layers[index - 1]!.output as tf.SymbolicTensor,
    });
    byLayer.set(index, probe);
  }
  return probe;
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
    return inputProbe(model, index).predict(image) as tf.Tensor;
  });
  const [, inH, inW, channels] = input.shape as number[];
  const values = input.dataSync();
  input.dispose();
  const [kernelT, biasT] = layer.getWeights();
  const kernel = kernelT!.dataSync(); // [k, k, C, F]
  const bias = biasT!.dataSync()[filter]!;
  const k = l.kernel;
  const [top, left] = windowOrigin(inH!, inW!, k, l.stride, l.padding, y, x);
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
    field: receptiveField(spec.layers, index, y, x, IMAGE_HEIGHT, IMAGE_WIDTH),
  };
}
