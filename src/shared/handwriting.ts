// "My handwriting": the learner's own labelled drawings, kept as MNIST keeps its images (IDX
// files, 28×28 bytes, labels 0–9) so other tools can read them, and a test of the current model
// on them. Plain data and guards only.
import { IMAGE_PIXELS, NUM_CLASSES } from './dataset.ts';
import {
  ValidationError,
  array,
  float32Array,
  int,
  literal,
  object,
  str,
  tagged,
  uint8Array,
} from './guard.ts';
import type { Guard } from './guard.ts';

/** The most drawings kept (784 kB of pixels). */
export const HANDWRITING_MAX = 1000;
/** Less ink than this (in full pixels) is not a digit: a stray click, an empty pad. */
export const MIN_INK = 6;

export interface HandwritingSet {
  /** Where it is kept, shown to the user. */
  folder: string;
  count: number;
  /** count × 784 grey levels 0..255, ink bright, as MNIST's. */
  images: Uint8Array;
  /** count labels, 0..9. */
  labels: Uint8Array;
}

export type HandwritingEdit =
  | { type: 'add'; pixels: Float32Array; label: number }
  | { type: 'delete'; index: number }
  | { type: 'relabel'; index: number; label: number };

/** The current model on every drawing of the set. */
export interface HandwritingTest {
  count: number;
  correct: number;
  /** 10×10, matrix[label * 10 + predicted]. */
  matrix: number[];
  /** Per drawing, the class the model gives it. */
  predicted: number[];
}

/** The ink of a 28×28 image in [0, 1]: the sum of its grey levels. */
export const inkOf = (pixels: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < pixels.length; i++) s += pixels[i]!;
  return s;
};

const label = int(0, NUM_CLASSES - 1);
const index = int(0, HANDWRITING_MAX - 1);
const pixels: Guard<Float32Array> = (v, p) => {
  const a = float32Array(IMAGE_PIXELS)(v, p);
  for (let i = 0; i < a.length; i++)
    if (!(a[i]! >= 0 && a[i]! <= 1))
      throw new ValidationError(`${p}[${i}]`, 'must be between 0 and 1');
  return a;
};

export const handwritingEdit: Guard<HandwritingEdit> = tagged({
  add: object({ type: literal('add'), pixels, label }),
  delete: object({ type: literal('delete'), index }),
  relabel: object({ type: literal('relabel'), index, label }),
});

/** The answers' guards (the renderer checks what it is sent). */
export const handwritingSet: Guard<HandwritingSet> = (v, p) => {
  const s = object({
    folder: str(4096),
    count: int(0, HANDWRITING_MAX),
    images: uint8Array(undefined, HANDWRITING_MAX * IMAGE_PIXELS),
    labels: uint8Array(undefined, HANDWRITING_MAX),
  })(v, p);
  if (s.images.length !== s.count * IMAGE_PIXELS || s.labels.length !== s.count)
    throw new ValidationError(p, `does not hold ${s.count} images and labels`);
  return s;
};

export const handwritingTest: Guard<HandwritingTest> = object({
  count: int(0, HANDWRITING_MAX),
  correct: int(0, HANDWRITING_MAX),
  matrix: array(int(0), NUM_CLASSES * NUM_CLASSES),
  predicted: array(int(0, NUM_CLASSES - 1), HANDWRITING_MAX),
});
