// Checks for the answers about one image (the prediction, the feature maps, why, the Inside
// view's stages and a worked convolution) and for the questions that ask them. Shared by the
// worker protocol (./validate.ts), IPC (./ipc-validate.ts) and the answers (./result-validate.ts).
import { IMAGE_PIXELS, NUM_CLASSES } from './dataset.ts';
import {
  ValidationError,
  array,
  float32Array,
  int,
  literal,
  nullable,
  num,
  object,
  type Guard,
} from './guard.ts';
import { ACTIVATIONS, LAYER_LIMITS } from './network.ts';
import { networkSpec } from './network-validate.ts';
import {
  INSIDE_CHANNELS,
  INSIDE_TERMS,
  type Explanation,
  type FeatureMaps,
  type InsideView,
  type Inspection,
  type Stage,
  type WorkedConvolution,
} from './worker-protocol.ts';

/** A drawing to classify: exactly 28×28 grey levels, each a finite number in [0, 1]. */
export const pixels: Guard<Float32Array> = (v, p) => {
  const a = float32Array(IMAGE_PIXELS)(v, p);
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    // NaN fails both comparisons, so this also rejects NaN.
    if (!(x >= 0 && x <= 1)) throw new ValidationError(`${p}[${i}]`, 'must be between 0 and 1');
  }
  return a;
};

const featureMaps: Guard<FeatureMaps> = (v, p) => {
  const m = object({
    layer: literal('conv1', 'conv2'),
    shape: array(int(1, 4096), 3),
    values: float32Array(),
  })(v, p);
  const [h, w, c] = m.shape;
  if (m.shape.length !== 3 || h! * w! * c! !== m.values.length)
    throw new ValidationError(`${p}.shape`, 'does not match the number of values');
  return { ...m, shape: [h!, w!, c!] };
};

/** One probability per class, each in [0, 1]. */
export const probabilities: Guard<number[]> = (v, p) => {
  const a = array(num(0, 1), NUM_CLASSES)(v, p);
  if (a.length !== NUM_CLASSES)
    throw new ValidationError(p, `expected ${NUM_CLASSES} probabilities`);
  return a;
};

/** The answer to model:inspect: the probabilities and the shown convolutions' feature maps. */
export const inspection: Guard<Inspection> = object({
  probabilities,
  maps: array(featureMaps, 2),
});

/** The answer to model:explain: the class explained and its two 28×28 maps. */
export const explanation: Guard<Explanation> = object({
  probabilities,
  target: int(0, NUM_CLASSES - 1),
  saliency: float32Array(IMAGE_PIXELS),
  occlusion: float32Array(IMAGE_PIXELS),
});

/** model:explain's fields: an image and the class (null: the predicted one). */
export const explainArg = { pixels, target: nullable(int(0, NUM_CLASSES - 1)) };

/** model:worked's fields: an image, a layer, an output pixel and a filter (ranges checked there). */
export const workedArg = {
  pixels,
  layer: int(0, LAYER_LIMITS.layers[1] - 1),
  y: int(0, 4095),
  x: int(0, 4095),
  filter: int(0, LAYER_LIMITS.filters[1] - 1),
};

const MAX_STAGE_VALUES = 4096 * 4096;

const stage: Guard<Stage> = (v, p) => {
  const s = object({ shape: array(int(1, 1 << 24), 3), values: float32Array() })(v, p);
  const [h, w, c] = s.shape;
  const expected =
    s.shape.length === 3 ? h! * w! * Math.min(c!, INSIDE_CHANNELS) : s.shape.length === 1 ? h! : -1;
  if (expected !== s.values.length || expected > MAX_STAGE_VALUES)
    throw new ValidationError(`${p}.shape`, 'does not match the number of values');
  return s;
};

const finite = num();

/** The answer to model:inside: a stage per layer of the network it names. */
export const insideView: Guard<InsideView> = (v, p) => {
  const view = object({
    probabilities,
    network: networkSpec(),
    stages: array(stage, LAYER_LIMITS.layers[1]),
    logits: array(finite, NUM_CLASSES),
    terms: object({
      target: int(0, NUM_CLASSES - 1),
      bias: finite,
      top: array(object({ index: int(0), input: finite, weight: finite }), INSIDE_TERMS),
    }),
  })(v, p);
  if (view.stages.length !== view.network.layers.length)
    throw new ValidationError(`${p}.stages`, 'expected one stage per layer');
  return view;
};

/** The answer to model:worked: k×k×C patch, weights and products, and what they add up to. */
export const workedConvolution: Guard<WorkedConvolution> = (v, p) => {
  const w = object({
    kernel: int(1, LAYER_LIMITS.kernel[1]),
    channels: int(1, 4096),
    patch: float32Array(),
    weights: float32Array(),
    products: float32Array(),
    sum: finite,
    bias: finite,
    preActivation: finite,
    output: finite,
    activation: literal(...ACTIVATIONS),
    top: int(-64, 4096),
    left: int(-64, 4096),
    field: array(int(0, 4096), 4),
  })(v, p);
  const size = w.kernel * w.kernel * w.channels;
  for (const key of ['patch', 'weights', 'products'] as const)
    if (w[key].length !== size)
      throw new ValidationError(`${p}.${key}`, `expected ${size} values (k × k × channels)`);
  if (w.field.length !== 4) throw new ValidationError(`${p}.field`, 'expected 4 numbers');
  return { ...w, field: [w.field[0]!, w.field[1]!, w.field[2]!, w.field[3]!] };
};
