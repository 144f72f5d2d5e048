// Colour maps as 256-entry lookup tables, and the pure functions that turn kernels, feature maps and
// images into RGBA bytes for putImageData. No DOM here (see paint.ts), so it is unit-tested.
import type { KernelSnapshot } from '$shared/events.ts';

export type RGB = readonly [number, number, number];
/** 256 RGB triples, flattened. */
export type Lut = Uint8ClampedArray;

function lut(stops: readonly RGB[]): Lut {
  const out = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * (stops.length - 1);
    const k = Math.min(stops.length - 2, Math.floor(t));
    const f = t - k;
    for (let c = 0; c < 3; c++)
      out[i * 3 + c] = Math.round(stops[k]![c]! * (1 - f) + stops[k + 1]![c]! * f);
  }
  return out;
}

/**
 * Diverging maps for weights: blue negative, neutral zero, red positive. The neutral is near white
 * in the light theme and near the card colour in the dark one, so zero weights recede either way.
 */
export const DIVERGING = {
  light: lut([
    [33, 102, 172],
    [103, 169, 207],
    [209, 229, 240],
    [247, 247, 247],
    [253, 219, 199],
    [239, 138, 98],
    [178, 24, 43],
  ]),
  dark: lut([
    [120, 180, 255],
    [62, 118, 200],
    [36, 58, 96],
    [26, 30, 38],
    [100, 46, 40],
    [206, 92, 70],
    [255, 150, 118],
  ]),
} as const;

/** Sequential map for activations (>= 0): black through purple and orange to pale yellow. */
export const INFERNO = lut([
  [0, 0, 4],
  [40, 11, 84],
  [101, 21, 110],
  [159, 42, 99],
  [212, 72, 66],
  [245, 125, 21],
  [250, 193, 39],
  [252, 255, 164],
]);

/** Grey levels, ink bright on black: how MNIST images (and the network's input) look. */
export const GREY = lut([
  [0, 0, 0],
  [255, 255, 255],
]);

/** CSS linear-gradient stops for a legend of `map`. */
export function gradientCss(map: Lut, steps = 7): string {
  const stops = Array.from({ length: steps }, (_, s) => {
    const i = Math.round((s / (steps - 1)) * 255);
    return `rgb(${map[i * 3]}, ${map[i * 3 + 1]}, ${map[i * 3 + 2]}) ${((s / (steps - 1)) * 100).toFixed(0)}%`;
  });
  return `linear-gradient(to right, ${stops.join(', ')})`;
}

/** Largest |v|, at least `floor` so an all-zero input still has a scale. */
export function maxAbs(values: ArrayLike<number>, floor = 1e-6): number {
  let m = floor;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]!);
    if (a > m) m = a;
  }
  return m;
}

/**
 * RGBA for `values` through `map`. Diverging: -scale..+scale maps to the whole table, zero to its
 * middle. Sequential: 0..scale. Values past the scale are clamped.
 */
export function toRgba(
  values: ArrayLike<number>,
  map: Lut,
  scale: number,
  kind: 'diverging' | 'sequential',
): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(values.length * 4);
  const s = scale > 0 ? scale : 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const t = kind === 'diverging' ? (v / s + 1) / 2 : v / s;
    const k = Math.round(Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0.5)) * 255) * 3;
    out[i * 4] = map[k]!;
    out[i * 4 + 1] = map[k + 1]!;
    out[i * 4 + 2] = map[k + 2]!;
    out[i * 4 + 3] = 255;
  }
  return out;
}

// --- kernels and feature maps, tfjs layouts -----------------------------------------------------

/** Kernel [h, w, in, out]: the h×w slice for input channel `inp` of output channel `out`. */
export function kernelSlice(k: KernelSnapshot, out: number, inp: number): Float32Array {
  const [h, w, ins, outs] = k.shape;
  const slice = new Float32Array(h * w);
  for (let p = 0; p < h * w; p++) slice[p] = k.values[(p * ins + inp) * outs + out]!;
  return slice;
}

/** The mean over input channels of output channel `out`: one h×w view per filter. */
export function kernelMean(k: KernelSnapshot, out: number): Float32Array {
  const [h, w, ins, outs] = k.shape;
  const mean = new Float32Array(h * w);
  for (let p = 0; p < h * w; p++) {
    let s = 0;
    for (let i = 0; i < ins; i++) s += k.values[(p * ins + i) * outs + out]!;
    mean[p] = s / ins;
  }
  return mean;
}

/** Feature maps [h, w, c] (channels last): channel `c` as an h×w image. */
export function mapChannel(
  values: Float32Array,
  shape: readonly [number, number, number],
  c: number,
): Float32Array {
  const [h, w, cs] = shape;
  const out = new Float32Array(h * w);
  for (let p = 0; p < h * w; p++) out[p] = values[p * cs + c]!;
  return out;
}

/** Largest value (activations are >= 0), floored so an all-zero layer still has a scale. */
export function maxOf(values: ArrayLike<number>, floor = 1e-6): number {
  let m = floor;
  for (let i = 0; i < values.length; i++) if (values[i]! > m) m = values[i]!;
  return m;
}

/** Compact number for a legend: 0.0123 -> "0.012", 1.5 -> "1.5". */
export function legendNumber(x: number): string {
  if (!Number.isFinite(x)) return '—';
  return Math.abs(x) >= 10 ? x.toFixed(0) : Number(x.toPrecision(2)).toString();
}
