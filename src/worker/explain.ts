// Why the network decides: for one image and one class, a saliency map (the gradient of the
// class's logit with respect to each input pixel) and an occlusion map (how much the class's
// score, its logit, drops when a grey square covers each place), both 28×28 so they can be laid over
// the image. Run in the worker, on whichever engine trains; the occluded copies go through the
// network as one batch.
import * as tf from '@tensorflow/tfjs';
import { logits } from '../model/cnn.ts';
import { IMAGE_HEIGHT, IMAGE_PIXELS, IMAGE_WIDTH, batchShape } from '../shared/dataset.ts';
import { OCCLUSION, type Explanation } from '../shared/worker-protocol.ts';

/** Where the occluding square's top-left corner goes along one axis: 0, stride, … */
export function patchStarts(size: number, patch: number, stride: number): number[] {
  const starts: number[] = [];
  for (let s = 0; s + patch <= size; s += stride) starts.push(s);
  if (starts.at(-1)! + patch < size) starts.push(size - patch); // the far edge is covered too
  return starts;
}

/** The image once per square position, the square painted grey. */
export function occludedBatch(pixels: Float32Array): {
  batch: Float32Array;
  squares: [number, number][];
} {
  const { patch, stride, grey } = OCCLUSION;
  const ys = patchStarts(IMAGE_HEIGHT, patch, stride);
  const xs = patchStarts(IMAGE_WIDTH, patch, stride);
  const squares = ys.flatMap((y) => xs.map((x): [number, number] => [y, x]));
  const batch = new Float32Array(squares.length * IMAGE_PIXELS);
  squares.forEach(([y0, x0], i) => {
    const image = batch.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS);
    image.set(pixels);
    for (let y = y0; y < y0 + patch; y++)
      image.fill(grey, y * IMAGE_WIDTH + x0, y * IMAGE_WIDTH + x0 + patch);
  });
  return { batch, squares };
}

/** Each pixel: the mean score drop of the squares that covered it. */
export function occlusionMap(
  drops: ArrayLike<number>,
  squares: readonly [number, number][],
): Float32Array {
  const { patch } = OCCLUSION;
  const sum = new Float32Array(IMAGE_PIXELS);
  const count = new Float32Array(IMAGE_PIXELS);
  squares.forEach(([y0, x0], i) => {
    for (let y = y0; y < y0 + patch; y++)
      for (let x = x0; x < x0 + patch; x++) {
        sum[y * IMAGE_WIDTH + x]! += drops[i]!;
        count[y * IMAGE_WIDTH + x]! += 1;
      }
  });
  return sum.map((s, i) => (count[i]! > 0 ? s / count[i]! : 0));
}

/**
 * The saliency and occlusion maps of `pixels` for class `target` (null: the predicted class).
 * Tensors made here are all disposed before it returns.
 */
export async function explain(
  model: tf.LayersModel,
  pixels: Float32Array,
  target: number | null,
): Promise<Explanation> {
  const x = tf.tensor4d(pixels, batchShape(1));
  try {
    const out = tf.tidy(() => logits(model, x));
    const scores = Array.from(await out.data());
    const probs = tf.tidy(() => tf.softmax(out));
    const probabilities = Array.from(await probs.data());
    tf.dispose([out, probs]);
    const cls = target ?? probabilities.indexOf(Math.max(...probabilities));
    // slice, not gather: gather's gradient needs a kernel the wasm engine does not have.
    const score = (input: tf.Tensor) =>
      logits(model, input as tf.Tensor4D)
        .slice([0, cls], [1, 1])
        .sum();
    const gradient = tf.tidy(() => tf.grad(score)(x));
    const saliency = await gradient.data<'float32'>();
    gradient.dispose();

    const { batch, squares } = occludedBatch(pixels);
    const occluded = tf.tidy(() =>
      logits(model, tf.tensor4d(batch, batchShape(squares.length)))
        .slice([0, cls], [squares.length, 1])
        .reshape([squares.length]),
    );
    const covered = await occluded.data<'float32'>();
    occluded.dispose();
    // The score (logit), not the probability: a confident network's softmax is saturated, and
    // hiding any one square would move a 99.99% by nothing the eye could see.
    const drops = Array.from(covered, (s) => scores[cls]! - s);
    return { target: cls, probabilities, saliency, occlusion: occlusionMap(drops, squares) };
  } finally {
    x.dispose();
  }
}
