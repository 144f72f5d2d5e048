// What each stage of the Inside view is, in the tutorial's own terms: a title, a one-line caption
// with the real numbers of the layer and the image sizes, the size rule a pooling or convolution
// follows, and the concepts a learner can open from it. Pure text from the spec and shapes, so a
// unit test reads every caption of every preset.
import { shapeText } from '$shared/network-shapes.ts';
import type { LayerSpec } from '$shared/network.ts';
import type { ConceptId } from './concepts.ts';

export interface StageText {
  title: string;
  caption: string;
  /** The output-size rule with the numbers, for layers that slide a window. */
  rule: string | null;
  concepts: ConceptId[];
}

const n = (x: number): string => x.toLocaleString('en-US');

const ACTIVATION_TEXT: Record<string, string> = {
  relu: 'then ReLU keeps the positive values and sets the rest to 0',
  tanh: 'then tanh squashes it into −1..1',
  sigmoid: 'then the sigmoid squashes it into 0..1',
  linear: 'with no activation after it',
};

/** The size rule along one axis: SAME out = ceil(in / stride), VALID floor((in − k) / stride) + 1. */
export function sizeRule(
  inSize: number,
  k: number,
  stride: number,
  padding: 'same' | 'valid',
): string {
  return padding === 'same'
    ? `SAME padding: out = ceil(in / stride) = ceil(${inSize} / ${stride}) = ${Math.ceil(inSize / stride)}`
    : `VALID (no padding): out = floor((in − ${k}) / stride) + 1 = floor((${inSize} − ${k}) / ${stride}) + 1 = ${Math.floor((inSize - k) / stride) + 1}`;
}

/** The text of the layer that turns `input` into `output` (shapes without the batch). */
export function stageText(
  layer: LayerSpec,
  input: readonly number[],
  output: readonly number[],
  last: boolean,
): StageText {
  const inText = shapeText(input);
  const outText = shapeText(output);
  switch (layer.kind) {
    case 'conv': {
      const channels = input[2] ?? 1;
      return {
        title: `Convolution ${layer.kernel}×${layer.kernel}, ${layer.filters} filters`,
        caption: `Each of ${layer.filters} filters (${layer.kernel}×${layer.kernel}×${channels} weights and a bias) slides over the ${inText} input ${layer.stride === 1 ? 'one pixel at a time' : `${layer.stride} pixels at a time`}; every output pixel is Σ w·in + b, ${ACTIVATION_TEXT[layer.activation]}. ${layer.filters} feature maps: ${outText}.`,
        rule: sizeRule(input[0]!, layer.kernel, layer.stride, layer.padding),
        concepts: [
          'moving-filter',
          'shared-weights',
          'feature-maps',
          ...(layer.activation === 'relu' ? (['relu'] as const) : []),
          ...(layer.stride > 1 ? (['stride'] as const) : []),
          'padding',
        ],
      };
    }
    case 'maxpool':
    case 'avgpool': {
      const max = layer.kind === 'maxpool';
      return {
        title: `${max ? 'Max' : 'Average'} pooling ${layer.size}×${layer.size}, stride ${layer.stride}`,
        caption: `Each output is the ${max ? 'largest value' : 'mean'} of a ${layer.size}×${layer.size} window, moved ${layer.stride} pixels at a time, in every channel on its own: ${inText} → ${outText}. No weights to learn.`,
        rule: sizeRule(input[0]!, layer.size, layer.stride, layer.padding),
        concepts: ['max-pooling', 'stride', 'padding'],
      };
    }
    case 'flatten':
      return {
        title: 'Flatten',
        caption: `The ${inText} values laid out in one row of ${n(output[0]!)} numbers (row by row, the channels of each pixel together), so a fully connected layer can weigh them all.`,
        rule: null,
        concepts: ['flatten'],
      };
    case 'dense':
      return last
        ? {
            title: `Output: ${layer.units} scores`,
            caption: `Fully connected: each of the ${layer.units} outputs weighs all ${n(input[0] ?? 0)} inputs and adds a bias. These are the logits, one per class; softmax turns them into the probabilities.`,
            rule: null,
            concepts: ['fully-connected', 'softmax'],
          }
        : {
            title: `Fully connected, ${n(layer.units)} units`,
            caption: `Each of ${n(layer.units)} units weighs all ${n(input.reduce((a, b) => a * b, 1))} inputs and adds a bias (${n(layer.units * (input.reduce((a, b) => a * b, 1) + 1))} weights in all), ${ACTIVATION_TEXT[layer.activation]}.`,
            rule: null,
            concepts: [
              'fully-connected',
              ...(layer.activation === 'relu' ? (['relu'] as const) : []),
            ],
          };
    case 'dropout':
      return {
        title: `Dropout ${Math.round(layer.rate * 100)}%`,
        caption: `While training, ${Math.round(layer.rate * 100)}% of these ${n(output.reduce((a, b) => a * b, 1))} values are set to 0 at random so no unit can rely on another; when predicting, as here, they pass on unchanged.`,
        rule: null,
        concepts: ['dropout'],
      };
  }
}
