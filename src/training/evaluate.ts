// Test-set evaluation in large batches: per chunk, the summed loss and each image's argmax and top
// probability are downloaded (not the logits), which also feed the confusion matrix.
import * as tf from '@tensorflow/tfjs';
import type { MnistSplit } from '../data/mnist.ts';
import { fillBatch } from '../data/batch.ts';
import { logits } from '../model/cnn.ts';
import { ConfusionTally, type Confusion } from './confusion.ts';
import { IMAGE_PIXELS, NUM_CLASSES, batchShape } from '../shared/dataset.ts';

export interface Evaluation {
  loss: number;
  accuracy: number;
  /** Where it goes wrong; `accuracy` is exactly its diagonal over its count. */
  confusion?: Confusion;
}

export async function evaluate(
  model: tf.LayersModel,
  split: MnistSplit,
  limit = split.count,
  chunk = 1000,
  /** Called after each chunk with the images evaluated so far. */
  onProgress?: (done: number) => void,
): Promise<Evaluation> {
  const n = Math.min(limit, split.count);
  const size = Math.min(chunk, n);
  const xs = new Float32Array(size * IMAGE_PIXELS);
  const ys = new Float32Array(size * NUM_CLASSES);
  let lossSum = 0;
  const tally = new ConfusionTally(split);
  for (let start = 0; start < n; start += size) {
    const end = Math.min(start + size, n);
    const m = end - start;
    fillBatch(split, null, start, end, xs, ys);
    const [lossT, predT, confT] = tf.tidy(() => {
      const x = tf.tensor4d(xs.subarray(0, m * IMAGE_PIXELS), batchShape(m));
      const y = tf.tensor2d(ys.subarray(0, m * NUM_CLASSES), [m, NUM_CLASSES]);
      const out = logits(model, x);
      const loss = tf.losses.softmaxCrossEntropy(y, out, undefined, undefined, tf.Reduction.SUM);
      return [loss, out.argMax(1), tf.softmax(out).max(1)];
    });
    const [l, pred, conf] = await Promise.all([lossT.data(), predT.data(), confT.data()]);
    tf.dispose([lossT, predT, confT]);
    lossSum += l[0]!;
    tally.add(start, pred, conf);
    onProgress?.(end);
  }
  return { loss: lossSum / n, accuracy: tally.correct() / n, confusion: tally.result() };
}
