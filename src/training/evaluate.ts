// Test-set evaluation in large batches: two scalars downloaded per chunk, nothing else.
import * as tf from '@tensorflow/tfjs';
import type { MnistSplit } from '../data/mnist.ts';
import { fillBatch } from '../data/batch.ts';

export interface Evaluation {
  loss: number;
  accuracy: number;
}

export async function evaluate(
  model: tf.LayersModel,
  split: MnistSplit,
  limit = split.count,
  chunk = 1000,
): Promise<Evaluation> {
  const n = Math.min(limit, split.count);
  const size = Math.min(chunk, n);
  const xs = new Float32Array(size * 784);
  const ys = new Float32Array(size * 10);
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < n; start += size) {
    const end = Math.min(start + size, n);
    const m = end - start;
    fillBatch(split, null, start, end, xs, ys);
    const [lossT, correctT] = tf.tidy(() => {
      const x = tf.tensor4d(xs.subarray(0, m * 784), [m, 28, 28, 1]);
      const y = tf.tensor2d(ys.subarray(0, m * 10), [m, 10]);
      const logits = model.predict(x) as tf.Tensor2D;
      const loss = tf.losses.softmaxCrossEntropy(y, logits, undefined, undefined, tf.Reduction.SUM);
      const hits = logits.argMax(1).equal(y.argMax(1)).sum();
      return [loss, hits];
    });
    const [l, c] = await Promise.all([lossT.data(), correctT.data()]);
    tf.dispose([lossT, correctT]);
    lossSum += l[0]!;
    correct += c[0]!;
  }
  return { loss: lossSum / n, accuracy: correct / n };
}
