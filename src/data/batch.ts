// Per-batch helpers for the trainer: a seeded shuffle and an allocation-free batch gather.
// The trainer calls fillBatch every step, so it writes into caller-owned reusable buffers.
//
//   mulberry32(seed): () => number                  PRNG in [0, 1)
//   shuffleInPlace(values, seed): Uint32Array       Fisher–Yates, returns `values`
//   shuffledIndices(n, seed): Uint32Array           a permutation of 0..n-1; epochs use seed+epoch
//   fillBatch(split, order, start, end, xs, ys)     pixels / 255 into xs, one-hot labels into ys
import { IMAGE_PIXELS as PIXELS, NUM_CLASSES } from '../shared/dataset.ts';
import type { MnistSplit } from './mnist.ts';

/** A tiny, well-mixed 32-bit PRNG: same seed, same sequence, on every platform. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shuffles `values` in place (Fisher–Yates) and returns it. Seeds are taken modulo 2^32. */
export function shuffleInPlace(values: Uint32Array, seed: number): Uint32Array {
  const rand = mulberry32(seed);
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const v = values[i]!;
    values[i] = values[j]!;
    values[j] = v;
  }
  return values;
}

/** A seeded permutation of 0..n-1. Use seed + epoch so each epoch has its own repeatable order. */
export function shuffledIndices(n: number, seed: number): Uint32Array {
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 32)
    throw new RangeError(`shuffledIndices: n must be a whole number >= 0, got ${n}`);
  const values = new Uint32Array(n);
  for (let i = 0; i < n; i++) values[i] = i;
  return shuffleInPlace(values, seed);
}

/** byte -> byte/255 as float32, so the hot loop is a table lookup rather than a division. */
const SCALE = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/**
 * Writes images order[start..end) of `split` (or start..end when order is null) into the first
 * (end-start) rows of xs (784 floats each, 0..1) and ys (10 floats each, one-hot). Rows past
 * end-start are left untouched, so a short last batch can use xs.subarray / ys.subarray.
 * Throws RangeError on a bad range, short buffers or an index outside the split.
 */
export function fillBatch(
  split: MnistSplit,
  order: Uint32Array | null,
  start: number,
  end: number,
  xs: Float32Array,
  ys: Float32Array,
): void {
  const limit = order ? order.length : split.count;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > limit)
    throw new RangeError(`fillBatch: bad range [${start}, ${end}) for ${limit} entries`);
  const rows = end - start;
  if (xs.length < rows * PIXELS || ys.length < rows * NUM_CLASSES)
    throw new RangeError(
      `fillBatch: buffers hold ${xs.length} pixels / ${ys.length} label slots, ` +
        `${rows} rows need ${rows * PIXELS} / ${rows * NUM_CLASSES}`,
    );
  const { images, labels, count } = split;
  ys.fill(0, 0, rows * NUM_CLASSES);
  for (let r = 0; r < rows; r++) {
    const index = order ? order[start + r]! : start + r;
    if (index >= count)
      throw new RangeError(`fillBatch: index ${index} is outside the split of ${count} images`);
    const src = index * PIXELS;
    const dst = r * PIXELS;
    for (let p = 0; p < PIXELS; p++) xs[dst + p] = SCALE[images[src + p]!]!;
    ys[r * NUM_CLASSES + labels[index]!] = 1;
  }
}
