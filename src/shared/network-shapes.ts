// Shapes, parameters and computation of a network, computed before anything trains, with the
// tutorial's rule: out = ceil(in / stride) for SAME padding, floor((in - k) / stride) + 1 for
// VALID. An impossible network gets one sentence that names the layer and the numbers. Tests
// check every figure here against what tfjs builds.
import type { DatasetShape } from './dataset.ts';
import {
  LAYER_LIMITS,
  MAX_MEMORY_BYTES,
  MAX_PARAMS,
  describeLayer,
  type LayerKind,
  type LayerSpec,
  type NetworkSpec,
} from './network.ts';

export interface LayerSummary {
  /** The stable tfjs layer name: conv1, pool1, flatten, fc1, dropout1, ... (see layerNames). */
  name: string;
  /** Output shape without the batch: [h, w, c] or [n]. */
  output: number[];
  params: number;
  /** Multiply-adds (comparisons for pooling) for one image, forward. */
  flops: number;
}

export interface NetworkSummary {
  input: number[];
  layers: LayerSummary[];
  params: number;
  flops: number;
  /** Estimated training memory at `batchSize` (weights, gradients, optimizer state, activations). */
  memoryBytes: number;
}

export type NetworkCheck =
  | { ok: true; summary: NetworkSummary }
  /** `index`: the layer at fault (-1: the network as a whole). */
  | { ok: false; index: number; reason: string };

export const shapeText = (s: readonly number[]): string => s.join('×');

const product = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** Output size along one axis, or 0 when the window does not fit (VALID). */
export const outSize = (n: number, k: number, stride: number, padding: 'same' | 'valid'): number =>
  padding === 'same' ? Math.ceil(n / stride) : Math.max(0, Math.floor((n - k) / stride) + 1);

/** TensorFlow's SAME padding along one axis: [before, after]; VALID pads nothing. */
export function padsOf(
  n: number,
  k: number,
  stride: number,
  padding: 'same' | 'valid',
): [number, number] {
  if (padding === 'valid') return [0, 0];
  const total = Math.max((outSize(n, k, stride, 'same') - 1) * stride + k - n, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** The name stem of each kind; max- and average-pooling share the tutorial's "pool". */
const NAME_STEM: Readonly<Record<LayerKind, string>> = {
  conv: 'conv',
  maxpool: 'pool',
  avgpool: 'pool',
  flatten: 'flatten',
  dense: 'fc',
  dropout: 'dropout',
};

/** The tfjs names of the layers: numbered per stem, the tutorial's (conv1 … fc2) included. */
export function layerNames(layers: readonly LayerSpec[]): string[] {
  const counts: Record<string, number> = {};
  return layers.map((l) => {
    const stem = NAME_STEM[l.kind];
    const n = (counts[stem] = (counts[stem] ?? 0) + 1);
    return stem === 'flatten' && n === 1 ? 'flatten' : `${stem}${n}`;
  });
}

const bytes = (n: number): string =>
  n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GB` : `${Math.round(n / 1024 ** 2)} MB`;

/** Checks a network for a dataset; on success, every layer's shape, parameters and cost. */
export function checkNetwork(spec: NetworkSpec, data: DatasetShape, batchSize = 50): NetworkCheck {
  const layers = spec.layers;
  const [minLayers, maxLayers] = LAYER_LIMITS.layers;
  if (layers.length < minLayers)
    return {
      ok: false,
      index: -1,
      reason: 'The network has no layers: it needs at least its output layer.',
    };
  if (layers.length > maxLayers)
    return {
      ok: false,
      index: -1,
      reason: `The network has ${layers.length} layers; at most ${maxLayers} are allowed.`,
    };
  const names = layerNames(layers);
  const input = [data.height, data.width, data.channels];
  let shape = input;
  const out: LayerSummary[] = [];
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i]!;
    const at = `Layer ${i + 1} (${describeLayer(l)})`;
    const fail = (reason: string): NetworkCheck => ({
      ok: false,
      index: i,
      reason: `${at}: ${reason}`,
    });
    let params = 0;
    let flops = 0;
    switch (l.kind) {
      case 'conv':
      case 'maxpool':
      case 'avgpool': {
        if (shape.length !== 3)
          return fail(
            `its input is already flat (${shapeText(shape)}); put it before the Flatten.`,
          );
        const [h, w, c] = shape as [number, number, number];
        const k = l.kind === 'conv' ? l.kernel : l.size;
        const oh = outSize(h, k, l.stride, l.padding);
        const ow = outSize(w, k, l.stride, l.padding);
        if (oh === 0 || ow === 0)
          return fail(
            `its ${h}×${w} input is smaller than its ${k}×${k} window with VALID padding, so the output would be empty. Use SAME padding, a smaller window, or remove a pooling before it.`,
          );
        const channels = l.kind === 'conv' ? l.filters : c;
        shape = [oh, ow, channels];
        if (l.kind === 'conv') {
          params = k * k * c * l.filters + l.filters;
          flops = oh * ow * l.filters * k * k * c;
        } else flops = oh * ow * c * k * k;
        break;
      }
      case 'flatten':
        if (shape.length !== 3) return fail('its input is already flat.');
        shape = [product(shape)];
        break;
      case 'dense': {
        if (shape.length !== 1)
          return fail(
            `a dense layer needs a flat input, and its input is ${shapeText(shape)}: add a Flatten before it.`,
          );
        params = shape[0]! * l.units + l.units;
        flops = shape[0]! * l.units;
        shape = [l.units];
        break;
      }
      case 'dropout':
        break;
    }
    out.push({ name: names[i]!, output: shape, params, flops });
  }
  const last = layers.at(-1)!;
  const classes = data.classNames.length;
  if (last.kind !== 'dense' || last.units !== classes || last.activation !== 'linear')
    return {
      ok: false,
      index: layers.length - 1,
      reason: `The last layer must be dense with ${classes} units (one per class of ${data.name}) and a linear activation: its outputs are the logits, and softmax is part of the loss. It is ${describeLayer(last)}.`,
    };
  const params = out.reduce((n, l) => n + l.params, 0);
  if (params > MAX_PARAMS) {
    const big = out.reduce((a, b) => (b.params > a.params ? b : a));
    return {
      ok: false,
      index: out.indexOf(big),
      reason: `The network has ${params.toLocaleString('en-US')} parameters, more than ${MAX_PARAMS.toLocaleString('en-US')}; ${big.name} alone has ${big.params.toLocaleString('en-US')}.`,
    };
  }
  // Weights, gradients and up to two optimizer slots; each activation kept for the backward pass
  // and its gradient, for every image of a batch. Float32 throughout.
  const activations = product(input) + out.reduce((n, l) => n + product(l.output), 0);
  const memoryBytes = 4 * (4 * params + 2 * activations * batchSize);
  if (memoryBytes > MAX_MEMORY_BYTES) {
    const big = out.reduce((a, b) => (product(b.output) > product(a.output) ? b : a));
    return {
      ok: false,
      index: out.indexOf(big),
      reason: `Training it at batch ${batchSize} would need about ${bytes(memoryBytes)}, more than ${bytes(MAX_MEMORY_BYTES)}; ${big.name}'s ${shapeText(big.output)} output is the largest. Use fewer filters or a smaller batch.`,
    };
  }
  const flops = out.reduce((n, l) => n + l.flops, 0);
  return { ok: true, summary: { input, layers: out, params, flops, memoryBytes } };
}
