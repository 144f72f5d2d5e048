// Turns a drawing into the 28×28 image the network expects, the way MNIST itself was made
// (LeCun et al.): "size normalized to fit in a 20x20 pixel box while preserving their aspect ratio
// [with] anti-aliasing … centered in a 28x28 image by computing the center of mass of the pixels,
// and translating the image so as to position this point at the center of the 28x28 field."
//
// Pure: the input is anything ImageData-shaped ({ width, height, data: RGBA bytes }), so this runs
// (and is tested) without a DOM.
//
// The steps, precisely:
//  1. Ink per pixel, 0..1: the alpha channel by default (the draw pad strokes on a transparent
//     canvas, so the theme's colours do not matter), or the brightness for white-on-black images.
//  2. Crop to the ink's bounding box (every pixel with any ink; nothing is thrown away). No ink at
//     all: the canvas is blank and there is no image, so no guess either.
//  3. Scale so the longer side is exactly 20 px, keeping the aspect ratio, by area averaging: each
//     output pixel is the mean ink over the source area it covers (a box filter, exact for any
//     scale, down or up). The shorter side becomes ceil(20 × short / long) pixels, its last column
//     or row partially covered, i.e. anti-aliased.
//  4. Centre of mass. Coordinates are pixel centres: pixel (col i, row j) sits at (i, j), so the
//     28×28 field spans -0.5..27.5 and its "centre" is (14, 14), half a pixel right of and below
//     the geometric middle (13.5, 13.5). That is MNIST's own convention, measured on the data: the
//     mean centre of mass of the 70 000 MNIST digits is (14.01, 14.00) with every digit within
//     [13.5, 14.5] and 99.97 % of bounding boxes exactly 20 px on their longer side — i.e. the 20×20
//     image was shifted by whole pixels, rounding. We do the same: shift by
//     round(14 - centre of mass), so the result's centre of mass is within half a pixel of (14, 14)
//     and the box keeps its crisp 20 px. If that shift would push ink off the field (a very
//     lopsided shape), the box is moved back just inside instead: ink is never cut off.
//  5. Output: 784 floats in [0, 1], row-major, ink = 1 (white on black, like MNIST).
import { IMAGE_WIDTH } from '$shared/dataset.ts';

export interface ImageLike {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel, row-major. */
  data: ArrayLike<number>;
}

export type InkChannel = 'alpha' | 'brightness';

export interface Preprocessed {
  /** 28×28 grey levels in [0, 1], row-major, ink = 1. */
  pixels: Float32Array;
  /** The ink's bounding box in the source, in source pixels: [x, y, width, height]. */
  source: [number, number, number, number];
  /** Where the scaled box landed in the 28×28 field: [x, y, width, height]. */
  placed: [number, number, number, number];
  /** Centre of mass of `pixels` (pixel-centre coordinates, see above): [x, y]. */
  centre: [number, number];
}

/** The field the network sees (square, as MNIST's is). */
export const SIZE = IMAGE_WIDTH;
/** MNIST's recipe: each digit was scaled to fit 20×20, then centred in the 28×28 field. */
export const BOX = Math.round((SIZE * 20) / 28);
/** The centre of the field in pixel-centre coordinates. */
export const CENTRE = SIZE / 2;

/** Ink 0..1 per pixel of an RGBA image. */
export function inkOf(image: ImageLike, channel: InkChannel = 'alpha'): Float32Array {
  const { width, height, data } = image;
  const n = width * height;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0)
    throw new RangeError(`preprocess: bad image size ${width}×${height}`);
  if (data.length < n * 4)
    throw new RangeError(`preprocess: ${width}×${height} needs ${n * 4} bytes, got ${data.length}`);
  const ink = new Float32Array(n);
  if (channel === 'alpha') for (let i = 0; i < n; i++) ink[i] = data[i * 4 + 3]! / 255;
  else
    for (let i = 0; i < n; i++) {
      // Rec. 601 luma, weighted by alpha (a transparent pixel is no ink whatever its colour).
      const y = 0.299 * data[i * 4]! + 0.587 * data[i * 4 + 1]! + 0.114 * data[i * 4 + 2]!;
      ink[i] = (y / 255) * (data[i * 4 + 3]! / 255);
    }
  return ink;
}

/** Bounding box [x, y, width, height] of the pixels with any ink, or null when there is none. */
export function inkBounds(
  ink: ArrayLike<number>,
  width: number,
  height: number,
): [number, number, number, number] | null {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      if (ink[y * width + x]! > 0) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
  return x1 < 0 ? null : [x0, y0, x1 - x0 + 1, y1 - y0 + 1];
}

/** Centre of mass [x, y] in pixel-centre coordinates, or null for an all-zero image. */
export function centreOfMass(
  values: ArrayLike<number>,
  width: number,
  height: number,
): [number, number] | null {
  let m = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const v = values[y * width + x]!;
      m += v;
      mx += v * x;
      my += v * y;
    }
  return m > 0 ? [mx / m, my / m] : null;
}

/**
 * Area-averaging weights for resampling `count` source pixels starting at `from` onto `out`
 * output pixels, each covering `step` source pixels: per output pixel, [source index, weight]
 * pairs whose weights are the covered fraction of the output pixel's span.
 */
function boxWeights(from: number, count: number, out: number, step: number): [number, number][][] {
  const weights: [number, number][][] = [];
  for (let o = 0; o < out; o++) {
    const a = o * step;
    const b = (o + 1) * step;
    const list: [number, number][] = [];
    for (let k = Math.floor(a); k < Math.min(Math.ceil(b), count); k++) {
      const overlap = Math.min(b, k + 1) - Math.max(a, k);
      if (overlap > 0) list.push([from + k, overlap / step]);
    }
    weights.push(list);
  }
  return weights;
}

/** The 28×28 image for a drawing, or null when the drawing is blank (no ink anywhere). */
export function preprocess(image: ImageLike, channel: InkChannel = 'alpha'): Preprocessed | null {
  const { width } = image;
  const ink = inkOf(image, channel);
  const box = inkBounds(ink, width, image.height);
  if (box === null) return null;
  const [bx, by, bw, bh] = box;

  // 3. Scale the box so its longer side is BOX pixels; separable box filter (rows, then columns).
  const step = Math.max(bw, bh) / BOX; // source pixels per output pixel
  // The epsilon keeps 20 × 13 / 13 from becoming 20.000000000000004 and a 21st, empty column.
  const sw = Math.min(BOX, Math.ceil(bw / step - 1e-9));
  const sh = Math.min(BOX, Math.ceil(bh / step - 1e-9));
  const wx = boxWeights(bx, bw, sw, step);
  const wy = boxWeights(by, bh, sh, step);
  const rows = new Float32Array(bh * sw); // each source row of the box, resampled to sw columns
  for (let r = 0; r < bh; r++) {
    const src = (by + r) * width;
    for (let c = 0; c < sw; c++) {
      let v = 0;
      for (const [k, w] of wx[c]!) v += ink[src + k]! * w;
      rows[r * sw + c] = v;
    }
  }
  const scaled = new Float32Array(sw * sh);
  for (let r = 0; r < sh; r++)
    for (const [k, w] of wy[r]!) {
      const src = (k - by) * sw;
      for (let c = 0; c < sw; c++) scaled[r * sw + c]! += rows[src + c]! * w;
    }

  // 4. Whole-pixel shift that brings the centre of mass to (14, 14), kept inside the field.
  // `scaled` has ink (the box is ink-bounded), so its centre of mass exists.
  const [cx, cy] = centreOfMass(scaled, sw, sh)!;
  const ox = Math.min(SIZE - sw, Math.max(0, Math.round(CENTRE - cx)));
  const oy = Math.min(SIZE - sh, Math.max(0, Math.round(CENTRE - cy)));

  // 5. Place, clamping rounding noise into [0, 1].
  const pixels = new Float32Array(SIZE * SIZE);
  for (let r = 0; r < sh; r++)
    for (let c = 0; c < sw; c++)
      pixels[(oy + r) * SIZE + ox + c] = Math.min(1, Math.max(0, scaled[r * sw + c]!));
  return {
    pixels,
    source: [bx, by, bw, bh],
    placed: [ox, oy, sw, sh],
    centre: [cx + ox, cy + oy],
  };
}
