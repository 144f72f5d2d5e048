// One training step, as model.trainOnBatch takes it (the same forward pass, loss, accuracy and
// Adam update, in the same order), but in two halves with a pause for the event loop between
// them: the gradients (~85% of a step), then the update. A drawn digit sent mid-step is then
// answered after the current half, not after the whole step (see BENCHMARKS.md, draw→prediction).
import * as tf from '@tensorflow/tfjs';
import { softmaxCrossEntropy } from '../model/cnn.ts';

export interface StepResult {
  loss: number;
  accuracy: number;
  /** Compute time of the two halves, without the pause between them. */
  seconds: number;
}

const now = (): number => performance.now() / 1000;

export async function trainStep(
  model: tf.LayersModel,
  x: tf.Tensor4D,
  y: tf.Tensor2D,
  between: () => Promise<void>,
): Promise<StepResult> {
  const optimizer = model.optimizer;
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  let accuracy: tf.Scalar | null = null;
  const t0 = now();
  const { value, grads } = optimizer.computeGradients(() => {
    const logits = model.apply(x, { training: true }) as tf.Tensor2D;
    accuracy = tf.keep(tf.metrics.categoricalAccuracy(y, logits).mean<tf.Scalar>());
    return softmaxCrossEntropy(y, logits).mean<tf.Scalar>();
  }, vars);
  const first = now() - t0;
  await between();
  const t1 = now();
  optimizer.applyGradients(grads);
  tf.dispose(grads);
  const [loss, acc] = await Promise.all([value.data(), accuracy!.data()]);
  tf.dispose([value, accuracy!]);
  return { loss: loss[0]!, accuracy: acc[0]!, seconds: first + now() - t1 };
}
