// A stage of the Inside view as pixels: one channel of an image-shaped output, or a vector folded
// into a near-square block (row by row) so 3 136 or 1 000 numbers fit a thumbnail. Activations
// that are never negative (after ReLU, pooling of them, the input) use the sequential map from 0;
// anything signed (logits, tanh, no activation) the diverging one around 0.
import type { Stage } from '$shared/worker-protocol.ts';
import { DIVERGING, INFERNO, mapChannel, maxAbs, toRgba, type Lut } from '../viz/colormap.ts';

export interface StageImage {
  width: number;
  height: number;
  rgba: Uint8ClampedArray<ArrayBuffer>;
  map: Lut;
  kind: 'sequential' | 'diverging';
  /** The colour scale's end: 0..scale or −scale..+scale. */
  scale: number;
}

/** Channels actually sent for an image-shaped stage (the view may hold fewer than the layer). */
export const shownChannels = (stage: Stage): number =>
  stage.shape.length === 3 ? stage.values.length / (stage.shape[0]! * stage.shape[1]!) : 1;

/** Columns of the block a vector of `n` values is folded into: one row when short (the logits). */
export const foldWidth = (n: number): number => (n <= 32 ? n : Math.ceil(Math.sqrt(n)));

/** The colours for a stage: one scale for all its channels, so channels compare. */
export function stageScale(
  stage: Stage,
  dark: boolean,
): Pick<StageImage, 'map' | 'kind' | 'scale'> {
  const signed = stage.values.some((v) => v < 0);
  return signed
    ? {
        map: dark ? DIVERGING.dark : DIVERGING.light,
        kind: 'diverging',
        scale: maxAbs(stage.values),
      }
    : { map: INFERNO, kind: 'sequential', scale: maxAbs(stage.values) };
}

/**
 * Channel `channel` of an image-shaped stage, or the whole vector folded, as RGBA, on the
 * stage's scale (pass `colours` when drawing several channels: it reads every value).
 */
export function stageImage(
  stage: Stage,
  channel: number,
  dark: boolean,
  colours = stageScale(stage, dark),
): StageImage {
  if (stage.shape.length === 3) {
    const [h, w] = stage.shape as [number, number, number];
    const values = mapChannel(stage.values, [h, w, shownChannels(stage)], channel);
    return {
      width: w,
      height: h,
      rgba: toRgba(values, colours.map, colours.scale, colours.kind),
      ...colours,
    };
  }
  const n = stage.values.length;
  const width = foldWidth(n);
  const height = Math.ceil(n / width);
  const rgba = toRgba(stage.values, colours.map, colours.scale, colours.kind);
  const out = new Uint8ClampedArray(width * height * 4); // the unused tail stays transparent
  out.set(rgba);
  return { width, height, rgba: out, ...colours };
}
